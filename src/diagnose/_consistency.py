"""Checks that the inputs of the cycle belong together, before any of them is used.

Diagnoses, plans and trajectories come back from an application's storage, where they may have
been made with another knowledge base, edited by hand or mixed up. Every cycle function checks
what it is given as a whole: the knowledge-base hashes agree (unless the caller allows another
version), dates are plain dates and in order (intake <= plan <= measurements <= evaluation,
decisions between the intake and the plan), factor and intervention ids exist, and each score is
a finite number on its factor's scale with the level that score has. A failure is one
`CycleError` naming the object, the field and the rule broken.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from diagnose.errors import CycleError, DiagnoseError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from diagnose.assessment.recommendation import Diagnosis
    from diagnose.cycle.plan import Decision, Plan
    from diagnose.cycle.trajectory import Trajectory
    from diagnose.knowledge._base import KnowledgeBase

#: The longest `repr` of a wrong value that a message quotes.
_EXCERPT = 80

__all__ = [
    "add_weeks",
    "caseload_checker",
    "check_as_of",
    "check_diagnosis",
    "check_plan",
    "check_score",
    "check_trajectory",
    "describe",
    "factor_range",
    "is_date",
]


def describe(value: object) -> str:
    """A short, safe rendering of a wrong value for a message: its type and a cut `repr`."""
    text = repr(value)
    if len(text) > _EXCERPT:
        text = text[: _EXCERPT - 3] + "..."
    return f"{type(value).__module__}.{type(value).__qualname__} {text}"


def is_date(value: object) -> bool:
    """Whether a value is a calendar date (a `datetime.date` that is not a `datetime`)."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def check_as_of(value: object, argument: str = "as_of") -> dt.date:
    """Return `value` if it is a `datetime.date` (not a datetime); raise CycleError otherwise.

    Examples:
        >>> import datetime as dt
        >>> check_as_of(dt.date(2026, 3, 2))
        datetime.date(2026, 3, 2)
        >>> check_as_of("2026-03-02")
        Traceback (most recent call last):
        ...
        diagnose.errors.CycleError: as_of: expected a date (datetime.date), got builtins.str '2026-03-02'
    """
    if not is_date(value):
        raise CycleError(f"{argument}: expected a date (datetime.date), got {describe(value)}")
    return value  # type: ignore[return-value]  # is_date narrowed it; mypy cannot see through it


def add_weeks(day: dt.date, weeks: int) -> dt.date | None:
    """`day` plus `weeks`, or None when that is past the end of the calendar (9999-12-31)."""
    try:
        return day + dt.timedelta(weeks=weeks)
    except OverflowError:
        return None


def factor_range(kb: KnowledgeBase, factor: str) -> tuple[int, int]:
    """The lowest and highest score a factor can have: the span of its items' scales."""
    items = kb.items_by_factor[factor]
    return min(i.scale.min for i in items), max(i.scale.max for i in items)


def check_diagnosis(d: Diagnosis, kb: KnowledgeBase, what: str, *, allow_other_version: bool = False) -> None:
    """Check a diagnosis against the knowledge base it is used with.

    With the same knowledge base (equal hashes), every factor and intervention must exist and
    every score must be a finite number on its factor's scale with its level; with another
    version (only when allowed), the scores must still be finite.
    """
    if d.knowledge_base_hash != kb.content_hash:
        if not allow_other_version:
            raise CycleError(
                f"{what}: made with knowledge base {d.knowledge_base_version} {d.knowledge_base_hash[:19]}, "
                f"not with {kb.version} {kb.content_hash[:19]}; use the knowledge base that made it"
            )
        for factor, result in d.profile.scores.items():
            if result.score is not None and not math.isfinite(result.score):
                raise CycleError(f"{what}: profile.scores.{factor}.score: expected a finite number")
        return
    for factor, result in d.profile.scores.items():
        check_score(kb, what, factor, result.score, result.level)
    missing = [f for f in kb.factors if f not in d.profile.scores]
    if missing:
        raise CycleError(f"{what}: profile.scores: no score for {', '.join(missing)}")
    for n, r in enumerate(d.recommendations, start=1):
        if r.intervention not in kb.interventions:
            raise CycleError(f"{what}: recommendation {n}: unknown intervention {r.intervention!r}")
    _check_rung(d, kb, what)


def _check_rung(d: Diagnosis, kb: KnowledgeBase, what: str) -> None:
    if d.participation_rung is None:
        return
    ladder = kb.instrument.participation_ladder
    top = 0 if ladder is None else len(ladder.rungs)
    if d.participation_rung > top:
        expected = (
            f"a rung from 1 to {top}" if top else "none: the knowledge base has no participation ladder"
        )
        raise CycleError(
            f"{what}: participation_rung: {d.participation_rung} is not a rung; expected {expected}"
        )


def check_score(  # noqa: PLR0913, PLR0917 - the score's fields, and the error to raise
    kb: KnowledgeBase,
    what: str,
    factor: str,
    score: float | None,
    level: str,
    error: type[DiagnoseError] = CycleError,
) -> None:
    """Check one factor score: a known factor, a finite score on its scale, the level of that score."""
    where = f"{what}: profile.scores.{factor}"
    spec = kb.factors.get(factor)
    if spec is None:
        raise error(f"{where}: unknown factor {factor!r}")
    if score is None:
        if level != "not_assessed":
            raise error(f"{where}: level {level!r} without a score (expected 'not_assessed')")
        return
    lo, hi = factor_range(kb, factor)
    if not (math.isfinite(score) and lo <= score <= hi):
        raise error(f"{where}.score: expected a number from {lo} to {hi}, got {score!r}")
    expected = spec.thresholds.level(score)
    if level != expected:
        raise error(f"{where}.level: a score of {score:g} is {expected!r}, not {level!r}")


def _check_decisions(
    decisions: Iterable[Decision], kb: KnowledgeBase, what: str, first: dt.date | None, last: dt.date | None
) -> None:
    for n, decision in enumerate(decisions, start=1):
        if decision.intervention not in kb.interventions:
            raise CycleError(f"{what}: decision {n}: unknown intervention {decision.intervention!r}")
        day = decision.decided_at.date()
        if first is not None and day < first:
            raise CycleError(f"{what}: decision {n} ({day}) is dated before the intake ({first})")
        if last is not None and day > last:
            raise CycleError(f"{what}: decision {n} ({day}) is dated after the plan ({last})")


def check_plan(plan: Plan, kb: KnowledgeBase, intake: Diagnosis, what: str = "the plan") -> None:
    """Check a plan against its knowledge base and the intake it was made from."""
    if plan.knowledge_base_hash != kb.content_hash:
        raise CycleError(
            f"{what}: made with knowledge base {plan.knowledge_base_hash[:19]}, not with "
            f"{kb.version} {kb.content_hash[:19]}; use the knowledge base that made it"
        )
    if intake.assessed_on is not None and plan.made_on < intake.assessed_on:
        raise CycleError(f"{what}: made on {plan.made_on}, before the intake ({intake.assessed_on})")
    for goal in plan.goals:
        if goal.factor not in kb.factors:
            raise CycleError(f"{what}: goal: unknown factor {goal.factor!r}")
        if goal.review_date < plan.made_on:
            raise CycleError(
                f"{what}: the goal for {goal.factor!r} has review date {goal.review_date}, "
                f"before the plan ({plan.made_on})"
            )
        for intervention in goal.interventions:
            if intervention not in kb.interventions:
                raise CycleError(f"{what}: goal for {goal.factor!r}: unknown intervention {intervention!r}")
    for intervention in plan.interventions:
        if intervention not in kb.interventions:
            raise CycleError(f"{what}: interventions: unknown intervention {intervention!r}")
    _check_decisions(plan.decisions, kb, what, intake.assessed_on, plan.made_on)


class _Fast:
    """What the checks need of a knowledge base, looked up once for many trajectories.

    `fits` answers True only when the full check would pass; anything else goes through the full
    check, which says what is wrong. It keeps a caseload's check to a few microseconds a trajectory.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.hash = kb.content_hash
        self.ranges = {f: (*factor_range(kb, f), spec.thresholds.level) for f, spec in kb.factors.items()}
        self.interventions = frozenset(kb.interventions)

    def fits(self, d: Diagnosis) -> bool:
        if d.knowledge_base_hash != self.hash:
            return False
        scores = d.profile.scores
        if len(scores) != len(self.ranges):
            return False
        ranges = self.ranges
        for factor, result in scores.items():
            spec = ranges.get(factor)
            if spec is None:
                return False
            score = result.score
            if score is None:
                if result.level != "not_assessed":
                    return False
            elif not (spec[0] <= score <= spec[1] and spec[2](score) == result.level):
                return False  # NaN fails the comparison too
        return all(r.intervention in self.interventions for r in d.recommendations)


def check_trajectory(
    t: Trajectory,
    kb: KnowledgeBase,
    *,
    as_of: dt.date | None = None,
    allow_other_version: bool = False,
    fast: _Fast | None = None,
) -> None:
    """Check a whole trajectory: its parts belong to one knowledge base and come in date order.

    `as_of`, when given, must be a date on or after the intake. Measurements without a date
    (made without `as_of`) are accepted and left out of the date checks. For many trajectories,
    pass `fast=caseload_checker(kb)` to look the knowledge base up once.
    """
    if as_of is not None:
        check_as_of(as_of)
    fast = fast if fast is not None else _Fast(kb)
    if not fast.fits(t.intake):
        check_diagnosis(
            t.intake, kb, f"client {t.client!r}: the intake", allow_other_version=allow_other_version
        )
    start = t.intake.assessed_on
    if as_of is not None and start is not None and as_of < start:
        raise CycleError(f"client {t.client!r}: as_of {as_of} is before the intake ({start})")
    previous, previous_name = start, "the intake"
    if t.plan is not None:
        check_plan(t.plan, kb, t.intake, f"client {t.client!r}: the plan")
        previous, previous_name = t.plan.made_on, "the plan"
    who = f"client {t.client!r}"
    for n, m in enumerate(t.measurements, start=1):
        if not fast.fits(m):
            check_diagnosis(
                m, kb, f"client {t.client!r}: measurement {n}", allow_other_version=allow_other_version
            )
        if m.assessed_on is None:
            continue
        if previous is not None and m.assessed_on < previous:
            raise CycleError(
                f"{who}: measurement {n} ({m.assessed_on}) is dated before {previous_name} ({previous})"
            )
        previous, previous_name = m.assessed_on, f"measurement {n}"
    if t.evaluated_on is not None and previous is not None and t.evaluated_on < previous:
        raise CycleError(
            f"{who}: the evaluation ({t.evaluated_on}) is dated before {previous_name} ({previous})"
        )


def caseload_checker(kb: KnowledgeBase) -> _Fast:
    """The knowledge base's lookups for `check_trajectory(..., fast=...)` over a caseload."""
    return _Fast(kb)
