"""Step 2 of the methodical cycle: the client's preferences, the professional's decisions, the plan.

The professional accepts, adapts or declines each recommendation, with a coded reason (required
unless accepted) and a note; decisions carry a pseudonymous professional id and the time, both
passed in. From the accepted and adapted recommendations `build_plan` makes a plan: per targeted
factor that needs attention, a goal from the current level to the next, the interventions, and a
review date from the knowledge base's declared review period (`cycle/settings.yaml`).
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from diagnose._base import Identifier, LocalizedText, NonEmptyText, Record
from diagnose._consistency import add_weeks, check_as_of, check_diagnosis
from diagnose.assessment.preferences import Preferences
from diagnose.assessment.recommendation import Diagnosis
from diagnose.cycle._arguments import each, expect, expect_knowledge_base
from diagnose.errors import CycleError
from diagnose.knowledge._load import load_knowledge_base

if TYPE_CHECKING:
    from collections.abc import Sequence

    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "REASON_CODES",
    "CycleError",
    "Decision",
    "Goal",
    "Plan",
    "build_plan",
]

#: Why a recommendation was adapted or declined.
ReasonCode = Literal[
    "client_preference",
    "not_available",
    "already_in_progress",
    "professional_judgement",
    "timing",
    "other",
]
REASON_CODES: tuple[ReasonCode, ...] = typing.get_args(ReasonCode)
_NEXT_LEVEL = {"low": "medium", "medium": "high"}


class Decision(Record):
    """The professional's decision on one recommendation.

    Attributes:
        intervention: The recommended intervention decided on.
        action: `accept`, `adapt` (use it, changed) or `decline`.
        reason: Required for `adapt` and `decline`; one of `REASON_CODES`.
        note: Free text; required with reason `other`.
        professional: A pseudonymous id of the professional (never a name).
        decided_at: When, passed in by the caller.

    Examples:
        >>> import datetime as dt
        >>> try:
        ...     Decision(intervention="debt_counselling", action="decline", professional="km-17",
        ...              decided_at=dt.datetime(2026, 3, 2, 10, 0))
        ... except ValueError as err:
        ...     print(err.errors()[0]["msg"])
        Value error, a decline needs a reason: one of client_preference, not_available, ...
    """

    intervention: Identifier
    action: Literal["accept", "adapt", "decline"]
    reason: ReasonCode | None = None
    note: str = ""
    professional: NonEmptyText
    decided_at: dt.datetime

    @model_validator(mode="after")
    def _reasons(self) -> Decision:
        if self.action != "accept" and self.reason is None:
            raise ValueError(
                f"a{'n' if self.action == 'adapt' else ''} {self.action} needs a reason: "
                f"one of {', '.join(REASON_CODES)}"
            )
        if self.reason == "other" and not self.note.strip():
            raise ValueError("reason 'other' needs a note saying what it is")
        return self


class Goal(Record):
    """A SMART-style goal for one factor: from its current level to the next, by a review date.

    Attributes:
        factor: The factor the goal is about (specific).
        current_level: Its level at the intake.
        target_level: The level to reach (measurable: re-assess with the same items).
        target_score: The score from which the target level starts.
        interventions: The support toward it (achievable, relevant: each was advised for it).
        review_date: When to measure again and review (time-bound).
        description: The goal in words, in both languages.

    Examples:
        >>> import datetime as dt, diagnose
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1})
        >>> yes = Decision(intervention="motivational_interviewing", action="accept",
        ...                professional="km-17", decided_at=dt.datetime(2026, 3, 2, 10))
        >>> build_plan(d, [yes], as_of=dt.date(2026, 3, 2)).goals[0].description.en
        'Motivation to work: from low to medium'
    """

    factor: str
    current_level: Literal["low", "medium"]
    target_level: Literal["medium", "high"]
    baseline_score: float
    target_score: float
    interventions: tuple[str, ...]
    review_date: dt.date
    description: LocalizedText


class Plan(Record):
    """A trajectory plan (step 2): goals, the interventions, the client's own goal, the decisions.

    Examples:
        >>> import datetime as dt, diagnose
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1})
        >>> plan = build_plan(d, [], as_of=dt.date(2026, 3, 2))
        >>> plan.goals, Plan.model_validate_json(plan.model_dump_json()) == plan
        ((), True)
    """

    kind: Literal["plan"] = "plan"
    made_on: dt.date
    knowledge_base_hash: str
    goals: tuple[Goal, ...]
    interventions: tuple[str, ...]
    own_goal: str | None
    decisions: tuple[Decision, ...] = Field(default=())


def build_plan(
    diagnosis: Diagnosis,
    decisions: Sequence[Decision],
    *,
    as_of: dt.date,
    knowledge_base: KnowledgeBase | None = None,
    preferences: Preferences | None = None,
) -> Plan:
    """Make a plan from the decisions on a diagnosis's recommendations.

    The client's own goal comes from `preferences`, or else from the preferences the diagnosis
    was made with, so it flows from the intake into the plan.

    Raises:
        CycleError: a decision for an intervention the diagnosis did not recommend, two
            decisions on one, a decision dated before the intake or after the plan, a plan
            dated before the intake, `as_of` that is not a date, or a diagnosis from another
            knowledge base (or one whose scores do not fit it).

    Examples:
        >>> import datetime as dt, diagnose
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
        >>> yes = Decision(intervention="motivational_interviewing", action="accept",
        ...                professional="km-17", decided_at=dt.datetime(2026, 3, 2, 10))
        >>> plan = build_plan(d, [yes], as_of=dt.date(2026, 3, 2))
        >>> [(g.factor, g.current_level, g.target_level, str(g.review_date)) for g in plan.goals]
        [('motivation', 'low', 'medium', '2026-04-13')]
        >>> wish = Preferences(own_goal="weer werken in de zorg")
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2), preferences=wish)
        >>> build_plan(d, [yes], as_of=dt.date(2026, 3, 2)).own_goal
        'weer werken in de zorg'
    """
    kb = expect_knowledge_base(knowledge_base if knowledge_base is not None else load_knowledge_base())
    expect(diagnosis, Diagnosis, "diagnosis")
    decisions = tuple(each(decisions, Decision, "decisions"))
    if preferences is not None:
        expect(preferences, Preferences, "preferences")
    check_as_of(as_of)
    wishes = preferences if preferences is not None else diagnosis.preferences
    check_diagnosis(diagnosis, kb, "the diagnosis")
    if diagnosis.assessed_on is not None and as_of < diagnosis.assessed_on:
        raise CycleError(f"the plan date {as_of} is before the intake on {diagnosis.assessed_on}")
    _check_decisions(diagnosis, decisions, as_of)
    chosen = [d.intervention for d in decisions if d.action in {"accept", "adapt"}]
    goals = []
    for factor_id, result in diagnosis.profile.scores.items():
        factor = kb.factors[factor_id]
        aimed = tuple(i for i in chosen if factor_id in kb.interventions[i].targets)
        if not aimed or not factor.influenceable or result.level not in _NEXT_LEVEL or result.score is None:
            continue
        target = _NEXT_LEVEL[result.level]
        weeks = min(kb.cycle.review_weeks_for(i) for i in aimed)
        review_date = add_weeks(as_of, weeks)
        if review_date is None:
            raise CycleError(
                f"the plan date {as_of} is too late: a review {weeks} weeks on is past {dt.date.max}"
            )
        goals.append(
            Goal(
                factor=factor_id,
                current_level=result.level,  # type: ignore[arg-type]  # low or medium: checked above
                target_level=target,  # type: ignore[arg-type]  # the next level up: medium or high
                baseline_score=result.score,
                target_score=float(
                    factor.thresholds.medium if target == "medium" else factor.thresholds.high
                ),
                interventions=aimed,
                review_date=review_date,
                description=LocalizedText(
                    nl=f"{factor.name.nl}: van {_NL[result.level]} naar {_NL[target]}",
                    en=f"{factor.name.en}: from {result.level} to {target}",
                ),
            )
        )
    return Plan(
        made_on=as_of,
        knowledge_base_hash=kb.content_hash,
        goals=tuple(goals),
        interventions=tuple(chosen),
        own_goal=wishes.own_goal if wishes is not None else None,
        decisions=tuple(decisions),
    )


_NL = {"low": "laag", "medium": "midden", "high": "hoog"}


def _check_decisions(diagnosis: Diagnosis, decisions: Sequence[Decision], as_of: dt.date) -> None:
    """Each decision on a recommendation of the diagnosis, once, dated from the intake to the plan."""
    recommended = {r.intervention: r for r in diagnosis.recommendations}
    seen: set[str] = set()
    for n, decision in enumerate(decisions, start=1):
        if decision.intervention not in recommended:
            options = ", ".join(recommended) or "nothing"
            raise CycleError(
                f"decision {n}: {decision.intervention!r} was not recommended "
                f"(the diagnosis recommends: {options})"
            )
        if decision.intervention in seen:
            raise CycleError(f"decision {n}: {decision.intervention!r} was already decided on")
        seen.add(decision.intervention)
        day = decision.decided_at.date()
        if diagnosis.assessed_on is not None and day < diagnosis.assessed_on:
            raise CycleError(f"decision {n} ({day}) is dated before the intake ({diagnosis.assessed_on})")
        if day > as_of:
            raise CycleError(f"decision {n} ({day}) is dated after the plan ({as_of})")


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
