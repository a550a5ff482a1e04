"""The checks of `assess`'s arguments besides the intake: the date, the rung and the preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnose._base import suggest
from diagnose._consistency import describe, is_date
from diagnose.assessment.preferences import Preferences
from diagnose.errors import AnswerError, AnswerProblem

if TYPE_CHECKING:
    from collections.abc import Callable

    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["check_arguments", "check_rung"]


def check_arguments(
    kb: KnowledgeBase, as_of: object, participation_rung: object, preferences: object
) -> None:
    """Raise `AnswerError` for an `as_of` that is no date, a rung off the ladder or wrong preferences."""
    if as_of is not None and not is_date(as_of):
        raise AnswerError(
            [AnswerProblem("argument", "as_of", f"expected a date (datetime.date), got {describe(as_of)}")]
        )
    if participation_rung is not None:
        check_rung(kb, participation_rung, _argument_error("participation_rung"))
    if preferences is not None:
        if not isinstance(preferences, Preferences):
            got = describe(preferences)
            raise AnswerError([AnswerProblem("argument", "preferences", f"expected Preferences, got {got}")])
        _check_preferences(kb, preferences)


def _check_preferences(kb: KnowledgeBase, preferences: Preferences) -> None:
    problems = [
        AnswerProblem(
            "preference",
            item.intervention,
            f"unknown intervention{suggest(item.intervention, list(kb.interventions))}",
        )
        for item in (*preferences.wanted, *preferences.unwanted)
        if item.intervention not in kb.interventions
    ]
    if problems:
        raise AnswerError(problems)


def check_rung(kb: KnowledgeBase, rung: object, error: Callable[[str], Exception]) -> None:
    """Check a participation rung against the knowledge base's ladder; `error(message)` is raised."""
    ladder = kb.instrument.participation_ladder
    if ladder is None:
        raise error(f"knowledge base {kb.id!r} has no participation ladder (instrument.participation_ladder)")
    top = len(ladder.rungs)
    if rung.__class__ is not int or not 1 <= rung <= top:
        raise error(f"expected a whole number from 1 to {top} (a rung of the ladder), got {describe(rung)}")


def _argument_error(name: str) -> Callable[[str], AnswerError]:
    return lambda message: AnswerError([AnswerProblem("argument", name, message)])
