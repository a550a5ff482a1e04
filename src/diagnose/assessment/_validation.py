"""Checking intake answers and context against a knowledge base (`validate_intake`).

Every problem is found in one pass and raised as one `AnswerError`: each names its item or
context field and what it allows. Past `MAX_LISTED` problems the rest are counted, so a huge junk
intake is refused in linear time. The names are public in `diagnose.assessment.scoring`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import StrictBool, StrictFloat, StrictInt

from diagnose._base import suggest
from diagnose.errors import AnswerError, AnswerProblem
from diagnose.knowledge._references import context_value_problem

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "MAX_LISTED",
    "MISSING_REASONS",
    "AnswerValue",
    "ContextValue",
    "MissingReason",
    "answer_problem",
    "validate_intake",
]

#: Why an item has no answer: it was not asked, the client preferred not to say, or did not know.
MissingReason = Literal["not_asked", "declined", "unknown"]
MISSING_REASONS: tuple[MissingReason, ...] = ("not_asked", "declined", "unknown")
#: An answer: a whole number on the item's scale, or the reason it is missing.
AnswerValue = StrictInt | MissingReason
#: A context value: true/false, a number, or one of an enum's values.
ContextValue = StrictBool | StrictInt | StrictFloat | str


def answer_problem(kb: KnowledgeBase, key: object, value: object) -> AnswerProblem | None:
    """What is wrong with one answer (`key` an item id, `value` its answer), or None when nothing is."""
    item = kb.items_by_id.get(key) if isinstance(key, str) else None
    if item is not None and type(value) is int and item.scale.min <= value <= item.scale.max:
        return None  # the common case, checked first
    if not isinstance(key, str):
        return AnswerProblem("item", _short(key), "item ids are text")
    if item is None:
        if len(key) > _LONGEST_ID:  # no id is this long: no suggestion to look for
            message = f"unknown item (ids have at most {_LONGEST_ID} characters)"
            return AnswerProblem("item", key[:40] + "...", message)
        return AnswerProblem("item", key, f"unknown item{suggest(key, list(kb.items_by_id))}")
    scale = item.scale
    if isinstance(value, str) and value in MISSING_REASONS:
        return None
    shown = "nan" if isinstance(value, float) and math.isnan(value) else _short(value)
    reasons = ", ".join(repr(r) for r in MISSING_REASONS)
    return AnswerProblem(
        "item",
        key,
        f"expected a whole number from {scale.min} to {scale.max}, or one of {reasons}; got {shown}",
    )


_INT64 = 2**63
#: Problems listed one by one; more are counted, so a huge junk intake is refused in linear time.
MAX_LISTED = 20
#: The longest id a knowledge base can have (`Identifier`).
_LONGEST_ID = 64


def _fine(kb: KnowledgeBase, key: object, value: object) -> bool:
    """Whether an answer is acceptable, without building a message (for counting past MAX_LISTED)."""
    item = kb.items_by_id.get(key) if isinstance(key, str) else None
    if item is None:
        return False
    if type(value) is int:
        return item.scale.min <= value <= item.scale.max
    return isinstance(value, str) and value in MISSING_REASONS


def _short(value: object) -> str:
    try:
        text = repr(value)
    except RecursionError:  # nested deeper than repr goes: show the outside
        text = f"a {type(value).__name__} nested too deep to show"
    except ValueError:  # an integer beyond Python's limit for turning it into digits
        text = f"a number of more than {sys.get_int_max_str_digits()} digits"
    return text if len(text) <= 40 else f"{text[:37]}..."  # noqa: PLR2004 - keep messages one line


_SHAPES = {
    "answers": "a mapping of item id to answer (such as {'se_1': 3}) or an Intake",
    "context": "a mapping of context field to value, or None",
}


def _shape_problem(part: Literal["answers", "context"], value: object) -> AnswerProblem | None:
    """Whether the answers or the context is no mapping at all (None, a number, a list, text...)."""
    if isinstance(value, Mapping):
        return None
    hint = "; parse JSON or YAML text first" if isinstance(value, str | bytes | bytearray) else ""
    return AnswerProblem("intake", part, f"expected {_SHAPES[part]}; got {_short(value)}{hint}")


def _unknown_field(kb: KnowledgeBase, key: object) -> AnswerProblem:
    if not isinstance(key, str):
        return AnswerProblem("context", _short(key), "unknown context field")
    if len(key) > _LONGEST_ID:  # no id is this long: no suggestion to look for
        message = f"unknown context field (ids have at most {_LONGEST_ID} characters)"
        return AnswerProblem("context", key[:40] + "...", message)
    return AnswerProblem("context", key, f"unknown context field{suggest(key, list(kb.context_fields))}")


def _context_problem(kb: KnowledgeBase, key: object, value: object) -> AnswerProblem | None:
    field = kb.context_fields.get(key) if isinstance(key, str) else None
    if field is None:
        return _unknown_field(kb, key)
    key = str(key)
    if problem := context_value_problem(field.type, field.values, value):
        return AnswerProblem("context", key, problem)
    if isinstance(value, float) and not math.isfinite(value):
        return AnswerProblem("context", key, f"expected a finite number, got {value!r}")
    if isinstance(value, int) and not -_INT64 <= value < _INT64:  # the rule engine's integers
        message = f"expected a whole number from -2**63 to 2**63 - 1, got {_short(value)}"
        return AnswerProblem("context", key, message)
    return None


def _problems(
    kb: KnowledgeBase, answers: Mapping[Any, object], context: Mapping[Any, object]
) -> list[AnswerProblem]:
    """Every problem, the first MAX_LISTED described and the rest counted in one last problem."""
    problems: list[AnswerProblem] = []
    more = 0  # problems past MAX_LISTED: counted, not described
    for key, value in answers.items():
        if len(problems) < MAX_LISTED:
            if problem := answer_problem(kb, key, value):
                problems.append(problem)
        elif not _fine(kb, key, value):
            more += 1
    for key, value in context.items():
        if (problem := _context_problem(kb, key, value)) is not None:
            if len(problems) < MAX_LISTED:
                problems.append(problem)
            else:
                more += 1
    if more:
        problems.append(
            AnswerProblem("intake", "answers", f"and {more} more problems, not listed one by one")
        )
    return problems


def validate_intake(
    kb: KnowledgeBase, answers: Mapping[Any, object], context: Mapping[Any, object]
) -> tuple[dict[str, int | MissingReason], dict[str, ContextValue]]:
    """Check answers and context against the knowledge base; raise one error listing every problem.

    Returns:
        The answers (every item, absent ones as `not_asked`) and the context, as plain dicts in
        the knowledge base's order (of items, of context fields).

    Raises:
        AnswerError: naming each offending item or context field and what it allows, or saying
            that the answers or the context is not a mapping at all.
    """
    shape = [p for p in (_shape_problem("answers", answers), _shape_problem("context", context)) if p]
    if shape:
        raise AnswerError(shape)
    problems = _problems(kb, answers, context)
    if problems:
        raise AnswerError(problems)
    full: dict[str, int | MissingReason] = {
        item.id: answers.get(item.id, "not_asked")  # type: ignore[misc]  # checked just above
        for item in kb.items
    }
    # In the knowledge base's order, whatever order the caller used: equal input, equal bytes.
    return full, {f: context[f] for f in kb.context_fields if f in context}  # type: ignore[misc]  # checked just above
