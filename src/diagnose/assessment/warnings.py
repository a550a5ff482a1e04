"""Warnings about the answers of an intake: reasons to look at them again, never a change in advice.

`assess` and the batch path both call `answer_warnings`, so a diagnosis carries the same warnings
whichever way it was made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from diagnose._base import LocalizedText, Record, construct

if TYPE_CHECKING:
    from collections.abc import Mapping

    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["UNIFORM_MINIMUM", "AnswerWarning", "answer_warnings"]


class AnswerWarning(Record):
    """A reason to look at the answers again before using the advice; it never changes the advice.

    Attributes:
        code: `uniform_answers` (at least ten answered items, all with the same answer: the
            client may not have understood the questions) or `few_answers` (most factors were
            not assessed, so the advice says little).
        message: What was seen and what to do, in both languages.
        factors: The factors not assessed (for `few_answers`).

    Examples:
        >>> import diagnose
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1})
        >>> [w.code for w in d.warnings]
        ['few_answers']
    """

    code: Literal["uniform_answers", "few_answers"]
    message: LocalizedText
    factors: tuple[str, ...] = ()


#: At least this many answered items, all with the same answer, give `uniform_answers`.
UNIFORM_MINIMUM = 10


def answer_warnings(
    kb: KnowledgeBase, answers: Mapping[str, object], not_assessed: tuple[str, ...]
) -> tuple[AnswerWarning, ...]:
    """The warnings about the answers of one intake (both `assess` and the batch path use this).

    Args:
        kb: The knowledge base.
        answers: The checked answers (whole numbers, or the reason an item is missing).
        not_assessed: The factors that were not assessed, in the knowledge base's order.
    """
    out = []
    given = [v for v in answers.values() if v.__class__ is int]
    if len(given) >= UNIFORM_MINIMUM and min(given) == max(given):
        out.append(
            construct(
                AnswerWarning,
                code="uniform_answers",
                message=construct(
                    LocalizedText,
                    nl=f"Alle {len(given)} beantwoorde vragen hebben hetzelfde antwoord ({given[0]}). "
                    "Misschien waren de vragen niet duidelijk. Bespreek de antwoorden samen voordat u "
                    "het advies gebruikt.",
                    en=f"All {len(given)} answered questions have the same answer ({given[0]}). "
                    "The questions may not have been clear. Go through the answers together before "
                    "you use the advice.",
                ),
                factors=(),
            )
        )
    if 2 * len(not_assessed) > len(kb.factors):
        out.append(
            construct(
                AnswerWarning,
                code="few_answers",
                message=construct(
                    LocalizedText,
                    nl=f"{len(not_assessed)} van de {len(kb.factors)} onderwerpen zijn niet gemeten. "
                    "Het advies zegt daar niets over.",
                    en=f"{len(not_assessed)} of the {len(kb.factors)} factors were not assessed. "
                    "The advice says nothing about them.",
                ),
                factors=not_assessed,
            )
        )
    return tuple(out)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
