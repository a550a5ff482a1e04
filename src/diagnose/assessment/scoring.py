"""Scoring: intake answers → a profile of factor scores and levels.

Each answer is checked against its item's scale; a reverse-scored item counts as `min + max - raw`;
a factor's score is the mean of its answered items, and its level follows the factor's thresholds.
Missing answers are never imputed: a factor with fewer than `min_answered` answers is
`not_assessed`, and the result lists which items are missing and why (`not_asked`, `declined`,
`unknown`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import Field, StrictBool, StrictFloat, StrictInt
from pydantic_core import to_json

from diagnose._base import Level, Model, Record, construct, run_generated, suggest
from diagnose.errors import AnswerError, AnswerProblem
from diagnose.knowledge._base import derived
from diagnose.knowledge._references import context_value_problem

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor, Item

__all__ = [
    "MISSING_REASONS",
    "Answer",
    "AnswerValue",
    "ContextValue",
    "FactorResult",
    "FactorScore",
    "Intake",
    "ItemScore",
    "MissingReason",
    "Profile",
    "Scorer",
    "intake_schema",
    "score",
    "scorer",
    "scoring_lines",
    "validate_intake",
]

#: Why an item has no answer: it was not asked, the client preferred not to say, or did not know.
MissingReason = Literal["not_asked", "declined", "unknown"]
MISSING_REASONS: tuple[MissingReason, ...] = ("not_asked", "declined", "unknown")
#: An answer: a whole number on the item's scale, or the reason it is missing.
AnswerValue = StrictInt | MissingReason
#: A context value: true/false, a number, or one of an enum's values.
ContextValue = StrictBool | StrictInt | StrictFloat | str


class Intake(Model):
    """What the client answered, and facts about their situation that rules may read.

    Examples:
        >>> Intake(answers={"se_1": 2, "se_2": "declined"}).answers["se_2"]
        'declined'
    """

    answers: dict[str, AnswerValue] = Field(default_factory=dict)
    context: dict[str, ContextValue] = Field(default_factory=dict)


class ItemScore(Record):
    """One answered item as it counted: the raw answer and the value after reverse-scoring.

    Examples:
        >>> import diagnose
        >>> diagnose.assess({"se_4": 5}).profile.scores["self_efficacy"].items[0]
        ItemScore(item='se_4', raw=5, scored=1)
    """

    item: str
    raw: int
    scored: int


class FactorScore(Record):
    """A factor's result and the answers behind it.

    Attributes:
        factor: The factor id.
        level: `low` (needs attention), `medium`, `high`, or `not_assessed`.
        score: Mean of the scored answers on the factor's range; None when not assessed.
        answered: Ids of the items answered, in questionnaire order.
        missing: Ids of the items without an answer.
        missing_reasons: Why each missing item has no answer.
        items: The answered items with raw and scored values.

    Examples:
        >>> import diagnose
        >>> s = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1}).profile.scores["self_efficacy"]
        >>> s.level, round(s.score, 2), s.answered, s.missing
        ('low', 1.33, ('se_1', 'se_2', 'se_3'), ('se_4',))
    """

    factor: str
    level: Level | Literal["not_assessed"]
    score: float | None
    answered: tuple[str, ...]
    missing: tuple[str, ...]
    missing_reasons: dict[str, MissingReason]
    items: tuple[ItemScore, ...]


class Profile(Record):
    """Every factor's score, in the knowledge base's order.

    Examples:
        >>> import diagnose
        >>> profile = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1}).profile
        >>> profile.scores["self_efficacy"].level, "health" in profile.not_assessed
        ('low', True)
    """

    scores: dict[str, FactorScore]

    @property
    def not_assessed(self) -> tuple[str, ...]:
        """Ids of the factors that could not be scored."""
        return tuple(f for f, s in self.scores.items() if s.level == "not_assessed")


def _answer_problem(kb: KnowledgeBase, key: object, value: object) -> AnswerProblem | None:
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
            if problem := _answer_problem(kb, key, value):
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


#: Factors with at most this many items get their sums written out in the generated scorer; a
#: larger one is scored by `_partial` (a sum of thousands of terms is too deep to compile).
_INLINE_ITEMS = 64


class Answer(NamedTuple):
    """What one possible answer to an item contributes to its factor."""

    item: str
    value: int | MissingReason  # the raw answer, or why it is missing
    scored: int  # the value after reverse scoring (0 when missing)
    counted: int  # 1 when answered, 0 when missing
    model: ItemScore | None  # the answered item as it counted, None when missing
    trace: str  # its entry in a trace's answers as JSON: '"se_1":4'
    json: str  # the JSON of `model`, "" when missing
    quoted: str  # the item id as JSON: '"se_1"'


#: A factor's result: its level, its score (None when not assessed), the answers to its items,
#: and whether every item was answered.
FactorResult = tuple[Level | Literal["not_assessed"], float | None, tuple[Answer, ...], bool]


def _answers(item: Item) -> dict[object, Answer]:
    quoted = to_json(item.id).decode()
    table: dict[object, Answer] = {}
    for raw in range(item.scale.min, item.scale.max + 1):
        scored = item.scored(raw)
        model = construct(ItemScore, item=item.id, raw=raw, scored=scored)
        written = ItemScore.__pydantic_serializer__.to_json(model).decode()
        table[raw] = Answer(item.id, raw, scored, 1, model, f"{quoted}:{raw}", written, quoted)
    for reason in MISSING_REASONS:
        table[reason] = Answer(
            item.id, reason, 0, 0, None, f"{quoted}:{to_json(reason).decode()}", "", quoted
        )
    return table


def _partial(
    factor: Factor, answers: tuple[Answer, ...]
) -> tuple[Level | Literal["not_assessed"], float | None, bool]:
    """A factor with a missing answer: scored when at least `min_answered` items are answered."""
    counted = [a.scored for a in answers if a.counted]
    if len(counted) < factor.min_answered:
        return "not_assessed", None, False
    value = sum(counted) / len(counted)
    return factor.thresholds.level(value), value, len(counted) == len(answers)


def scoring_lines(
    kb: KnowledgeBase, tables: Mapping[str, Mapping[object, Answer]], namespace: dict[str, Any]
) -> list[str]:
    """The body of a generated scorer: per factor `f`, locals `l{f}`, `v{f}`, `c{f}` and `g{f}`.

    `l{f}` is the level, `v{f}` the score (None when not assessed), `c{f}` whether every item was
    answered, `t{f}_{i}` the `Answer` to its item `i` and, when `c{f}` is false, `g{f}` the
    tuple of them (the common case of a complete factor builds no tuple); the answers are
    read from the mapping `a`. What is generated reads the names it needs from `namespace`.
    This is the one place that scores: `Scorer` returns these locals, and the batch path
    (`diagnose.batch._compiled`) generates its JSON writer after the same lines.
    """
    namespace["_partial"] = _partial
    lines = ["    g = a.get"]
    for f, factor in enumerate(kb.factors.values()):
        names = []
        for i, item in enumerate(kb.items_by_factor[factor.id]):
            table, name = f"T{f}_{i}", f"t{f}_{i}"
            namespace[table] = tables[item.id]
            names.append(name)
            lines.append(f"    {name} = {table}[g({item.id!r}, 'not_asked')]")
        namespace[f"F{f}"] = factor
        lines += _factor_lines(f, factor, names, namespace, indent=4)
    return lines


def _factor_lines(
    f: int,
    factor: Factor,
    names: Sequence[str],
    namespace: dict[str, Any],
    *,
    indent: int,
) -> list[str]:
    """Lines that score factor `f` from the `Answer`s named `names`: the one place that scores.

    They set `l{f}` (level), `v{f}` (score, None when not assessed), `c{f}` (every item
    answered), `n{f}` (answers that count) and, when one is missing, `g{f}` (the answers): as
    `_partial`, written out (a missing answer scores and counts 0). A factor of more than
    `_INLINE_ITEMS` items (thousands of `+` nest too deep for Python's compiler) calls `_partial`
    (no `n{f}`). Used by `scoring_lines` and the fast intake (`diagnose.assessment._fast`).
    """
    pad = " " * indent
    group = f"({', '.join(names)},)" if names else "()"
    if not 0 < len(names) <= _INLINE_ITEMS:
        return [f"{pad}g{f} = {group}", f"{pad}l{f}, v{f}, c{f} = _partial(F{f}, g{f})"]
    namespace[f"L{f}"] = factor.thresholds.level
    total = " + ".join(f"{n}[2]" for n in names)
    return [
        f"{pad}n{f} = {' + '.join(f'{n}[3]' for n in names)}",
        f"{pad}if n{f} == {len(names)}:",
        f"{pad}    v{f} = ({total}) / {len(names)}",
        f"{pad}    l{f} = L{f}(v{f})",
        f"{pad}    c{f} = True",
        f"{pad}else:",
        f"{pad}    g{f} = {group}",
        f"{pad}    if n{f} >= {factor.min_answered}:",
        f"{pad}        v{f} = ({total}) / n{f}",
        f"{pad}        l{f} = L{f}(v{f})",
        f"{pad}    else:",
        f"{pad}        v{f} = None",
        f"{pad}        l{f} = 'not_assessed'",
        f"{pad}    c{f} = False",
    ]


class Scorer:
    """A knowledge base's scorer (see the module): `scorer(answers)` gives each factor's result."""

    def __init__(self, kb: KnowledgeBase) -> None:
        """Look up every possible answer and generate the scoring function."""
        #: Item id → possible answer → what it contributes.
        self.tables: dict[str, dict[object, Answer]] = {item.id: _answers(item) for item in kb.items}
        namespace: dict[str, Any] = {}
        lines = ["def score(a):", *scoring_lines(kb, self.tables, namespace)]
        groups = [
            ", ".join(f"t{f}_{i}" for i in range(len(kb.items_by_factor[factor])))
            for f, factor in enumerate(kb.factors)
        ]
        results = ", ".join(
            f"(l{f}, v{f}, ({group},), c{f})" if group else f"(l{f}, v{f}, (), c{f})"
            for f, group in enumerate(groups)
        )
        lines.append(f"    return ({results},)")
        #: The generated source (also in `linecache`, while this scorer lives).
        self.source = "\n".join(lines) + "\n"
        run_generated(self.source, f"scoring of {kb.id}", namespace, self)
        self._score: Callable[[Mapping[Any, object]], tuple[FactorResult, ...]] = namespace["score"]

    def __call__(self, answers: Mapping[Any, object]) -> tuple[FactorResult, ...]:
        """Each factor's result, in the knowledge base's order.

        The answers must be known items with values on their scales or missing reasons (as
        `validate_intake` leaves them); anything else raises KeyError or TypeError.
        """
        return self._score(answers)


def scorer(kb: KnowledgeBase) -> Scorer:
    """The scorer of `kb`, built on first use and kept with it."""
    return derived(kb, Scorer)


def score(kb: KnowledgeBase, answers: Mapping[str, int | MissingReason]) -> Profile:
    """Score checked answers (see `validate_intake`) into a profile.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> p = score(kb, {"se_1": 1, "se_2": 2, "se_3": 1})
        >>> p.scores["self_efficacy"].level, p.scores["health"].level
        ('low', 'not_assessed')
    """
    # Built with construct: every value here comes from checked answers and the checked
    # knowledge base, so validating it again would only cost time (it was most of assess's time).
    scores: dict[str, FactorScore] = {}
    for factor, (level, value, given, _complete) in zip(kb.factors, scorer(kb)(answers), strict=True):
        missing = {a.item: a.value for a in given if not a.counted}
        scores[factor] = construct(
            FactorScore,
            factor=factor,
            level=level,
            score=value,
            answered=tuple(a.item for a in given if a.counted),
            missing=tuple(missing),
            missing_reasons=missing,
            items=tuple(a.model for a in given if a.model is not None),
        )
    return construct(Profile, scores=scores)


def intake_schema(kb: KnowledgeBase) -> dict[str, object]:
    """The JSON Schema of an intake for this knowledge base: `{answers: {...}, context: {...}}`.

    Front-end form builders and other languages can validate answers with it before calling
    `assess`.

    Examples:
        >>> import diagnose
        >>> schema = intake_schema(diagnose.load_knowledge_base())
        >>> schema["properties"]["answers"]["properties"]["se_1"]["oneOf"][0]
        {'type': 'integer', 'minimum': 1, 'maximum': 5}
    """
    answers = {
        item.id: {
            "title": item.text.get(kb.instrument.language),
            "description": f"{kb.factors[item.factor].name.en}: {item.text.en}",
            "oneOf": [
                {"type": "integer", "minimum": item.scale.min, "maximum": item.scale.max},
                {"enum": list(MISSING_REASONS)},
            ],
        }
        for item in kb.items
    }
    context: dict[str, object] = {}
    for field in kb.context_fields.values():
        spec: dict[str, object] = {"description": field.description.en}
        if field.type == "boolean":
            spec["type"] = "boolean"
        elif field.type == "enum":
            spec["enum"] = list(field.values)
        else:
            spec["type"] = field.type
        context[field.id] = spec
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Intake for {kb.id} {kb.version}",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "answers": {"type": "object", "additionalProperties": False, "properties": answers},
            "context": {"type": "object", "additionalProperties": False, "properties": context},
        },
        "required": ["answers"],
    }


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
