"""Step 3 of the methodical cycle: measure again and compare.

`compare(before, after)` gives, per factor, the change in score and level and whether it is at
least the factor's declared minimal meaningful change, and the "distance travelled" over all
influenceable factors. A factor not assessed at either time is reported as such, never as zero
change. Small steps count: more self-efficacy, a barrier resolved, a goal in reach.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic needs it at run time
from typing import TYPE_CHECKING, Literal

from diagnose._base import LocalizedText, Record, reaches
from diagnose._consistency import add_weeks, check_as_of, check_diagnosis, check_trajectory
from diagnose.assessment.recommendation import Diagnosis
from diagnose.cycle._arguments import expect, expect_knowledge_base
from diagnose.cycle.trajectory import Trajectory
from diagnose.engine._cache import cycle_engine
from diagnose.errors import CycleError
from diagnose.knowledge._models import EVIDENCE_LEVELS

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["Comparison", "FactorChange", "Review", "Suggestion", "compare", "review", "review_facts"]


class FactorChange(Record):
    """How one factor changed between two measurements.

    Attributes:
        factor: The factor id.
        status: `measured` (at both times), `not_assessed_before`, `not_assessed_after` or
            `not_assessed` (at neither).
        before_level: Its level at the first measurement.
        after_level: Its level at the second.
        change: The change in score (after minus before); None unless measured at both.
        meaningful: Whether the change is at least the factor's minimal meaningful change.
        direction: `better`, `worse` or `same` (a change below the minimal one is `same`).

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> a, b = diagnose.assess({"mo_1": 2, "mo_2": 2}), diagnose.assess({"mo_1": 4, "mo_2": 4})
        >>> change = compare(a, b, knowledge_base=kb).factors[1]
        >>> change.factor, change.change, change.direction
        ('motivation', 2.0, 'better')
    """

    factor: str
    status: Literal["measured", "not_assessed_before", "not_assessed_after", "not_assessed"]
    before_level: str
    after_level: str
    change: float | None
    meaningful: bool | None
    direction: Literal["better", "worse", "same"] | None


class Comparison(Record):
    """Two measurements compared.

    Attributes:
        factors: One change per factor, in the knowledge base's order.
        distance_travelled: The sum of score changes over influenceable factors measured at both
            times (positive is progress).
        improved: Factors that improved meaningfully.
        worsened: Factors that got meaningfully worse.
        participation_change: Rungs gained on the Participatieladder (negative when lower), when
            both measurements record a rung; a measure next to the factors, not part of the
            distance travelled.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> a, b = diagnose.assess({"mo_1": 2, "mo_2": 2}), diagnose.assess({"mo_1": 4, "mo_2": 4})
        >>> c = compare(a, b, knowledge_base=kb)
        >>> c.improved, c.distance_travelled
        (('motivation',), 2.0)
    """

    factors: tuple[FactorChange, ...]
    distance_travelled: float
    improved: tuple[str, ...]
    worsened: tuple[str, ...]
    participation_change: int | None = None


def compare(
    before: Diagnosis, after: Diagnosis, *, knowledge_base: KnowledgeBase, allow_other_version: bool = False
) -> Comparison:
    """Compare a re-measurement with an earlier measurement of the same client.

    Args:
        before: The earlier diagnosis (usually the intake).
        after: The later one.
        knowledge_base: The knowledge base, for the minimal meaningful changes.
        allow_other_version: Compare measurements made with different knowledge-base versions;
            by default that is refused, because levels and items may mean something else.

    Raises:
        CycleError: measurements from different knowledge-base versions, or from another one
            than `knowledge_base` (without `allow_other_version`), scores that do not fit
            their factors, or the later one dated before the earlier one.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> before = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1})
        >>> after = diagnose.assess({"se_1": 3, "se_2": 3, "se_3": 3})
        >>> c = compare(before, after, knowledge_base=kb)
        >>> change = c.factors[0]
        >>> change.factor, change.before_level, change.after_level, round(change.change, 2), change.meaningful
        ('self_efficacy', 'low', 'medium', 1.67, True)
        >>> c.factors[1].status
        'not_assessed'
    """
    expect_knowledge_base(knowledge_base)
    expect(before, Diagnosis, "before")
    expect(after, Diagnosis, "after")
    if before.knowledge_base_hash != after.knowledge_base_hash and not allow_other_version:
        raise CycleError(
            "the measurements come from different knowledge-base versions "
            f"({before.knowledge_base_version} {before.knowledge_base_hash[:19]} and "
            f"{after.knowledge_base_version} {after.knowledge_base_hash[:19]}); "
            "pass allow_other_version=True to compare them anyway"
        )
    check_diagnosis(
        before, knowledge_base, "the earlier measurement", allow_other_version=allow_other_version
    )
    check_diagnosis(after, knowledge_base, "the later measurement", allow_other_version=allow_other_version)
    if before.assessed_on and after.assessed_on and after.assessed_on < before.assessed_on:
        raise CycleError(
            f"the later measurement ({after.assessed_on}) is dated before the earlier ({before.assessed_on})"
        )
    changes = []
    distance = 0.0
    for factor_id, first in before.profile.scores.items():
        second = after.profile.scores.get(factor_id)
        spec = knowledge_base.factors.get(factor_id)
        if second is None or spec is None:  # only with another version, which the caller allowed
            continue
        if first.score is None or second.score is None:
            status = (
                "not_assessed"
                if first.score is None and second.score is None
                else ("not_assessed_before" if first.score is None else "not_assessed_after")
            )
            changes.append(
                FactorChange(
                    factor=factor_id,
                    status=status,  # type: ignore[arg-type]  # one of the four literals, chosen above
                    before_level=first.level,
                    after_level=second.level,
                    change=None,
                    meaningful=None,
                    direction=None,
                )
            )
            continue
        delta = second.score - first.score
        meaningful = abs(delta) >= knowledge_base.cycle.minimal_change_for(factor_id) - 1e-9
        direction = ("better" if delta > 0 else "worse") if meaningful else "same"
        if spec.influenceable:
            distance += delta
        changes.append(
            FactorChange(
                factor=factor_id,
                status="measured",
                before_level=first.level,
                after_level=second.level,
                change=delta,
                meaningful=meaningful,
                direction=direction,  # type: ignore[arg-type]  # "better", "worse" or "same"
            )
        )
    return Comparison(
        factors=tuple(changes),
        distance_travelled=distance,
        improved=tuple(c.factor for c in changes if c.direction == "better"),
        worsened=tuple(c.factor for c in changes if c.direction == "worse"),
        participation_change=(
            None
            if before.participation_rung is None or after.participation_rung is None
            else after.participation_rung - before.participation_rung
        ),
    )


class Suggestion(Record):
    """An adjustment suggested by a cycle rule, explained like a recommendation.

    Attributes:
        action: `remeasure`, `reconsider_intervention`, `close_goal` or `evaluate`.
        rule: The cycle rule that suggested it.
        priority: 1 is the most urgent.
        goal: The factor of the goal it is about (None for the whole trajectory).
        alternative: For `reconsider_intervention`: the next-best intervention for the factor.
        rationale: Why, in both languages.

    Examples:
        >>> import diagnose
        >>> rule = diagnose.load_knowledge_base().cycle_rules[0]
        >>> Suggestion(action=rule.suggest, rule=rule.id, priority=rule.priority, goal="motivation",
        ...            alternative=None, rationale=rule.rationale).action
        'remeasure'
    """

    action: Literal["remeasure", "reconsider_intervention", "close_goal", "evaluate"]
    rule: str
    priority: int
    goal: str | None
    alternative: str | None
    rationale: LocalizedText


class Review(Record):
    """The outcome of `review`: the facts seen and the suggestions, most urgent first.

    Examples:
        >>> import datetime as dt
        >>> Review(as_of=dt.date(2026, 4, 20), facts={}, suggestions=()).suggestions
        ()
    """

    as_of: dt.date
    facts: dict[str, dict[str, bool | str]]
    suggestions: tuple[Suggestion, ...]


def _alternative(kb: KnowledgeBase, trajectory: Trajectory, factor: str) -> str | None:
    """The next-best intervention for a factor: one not in the plan, recommended first, then by evidence."""
    used = set(trajectory.plan.interventions) if trajectory.plan is not None else set()
    recommended = [r.intervention for r in trajectory.intake.recommendations]
    candidates = [i for i in kb.interventions.values() if factor in i.targets and i.id not in used]
    candidates.sort(
        key=lambda i: (
            recommended.index(i.id) if i.id in recommended else len(recommended),
            EVIDENCE_LEVELS.index(i.evidence_level),
            i.id,
        )
    )
    return candidates[0].id if candidates else None


def review_facts(
    trajectory: Trajectory, *, as_of: dt.date, knowledge_base: KnowledgeBase
) -> dict[str, dict[str, bool | str]]:
    """The facts the cycle rules read, per goal (by factor) and for the whole trajectory (`""`)."""
    plan = trajectory.plan
    evaluated = trajectory.evaluated_on is not None and trajectory.evaluated_on <= as_of
    due = add_weeks(plan.made_on, knowledge_base.cycle.evaluate_after_weeks) if plan is not None else None
    overdue = due is not None and not evaluated and as_of >= due
    whole: dict[str, bool | str] = {
        "planned": plan is not None,
        "evaluated": evaluated,
        "evaluation_overdue": overdue,
    }
    facts = {"": whole}
    if plan is None:
        return facts
    since = [
        m for m in trajectory.measurements if m.assessed_on is None or plan.made_on < m.assessed_on <= as_of
    ]
    last = since[-1] if since else None
    for goal in plan.goals:
        progress = "unknown"
        if last is not None and last.profile.scores[goal.factor].score is not None:
            result = last.profile.scores[goal.factor]
            if reaches(result.level, goal.target_level):
                progress = "reached"
            elif (result.score or 0) - goal.baseline_score >= knowledge_base.cycle.minimal_change_for(
                goal.factor
            ) - 1e-9:
                progress = "some"
            else:
                progress = "none"
        facts[goal.factor] = {
            **whole,
            "review_passed": goal.review_date <= as_of,
            "remeasured": last is not None,
            "progress": progress,
        }
    return facts


def review(trajectory: Trajectory, *, as_of: dt.date, knowledge_base: KnowledgeBase) -> Review:
    """Run the cycle rules over a trajectory on a date and collect their suggestions.

    Raises:
        CycleError: `as_of` not a date or before the intake, or a trajectory whose parts do not
            belong together (see `evaluate`).

    Examples:
        >>> import datetime as dt, diagnose
        >>> from diagnose import Decision, Trajectory
        >>> kb = diagnose.load_knowledge_base()
        >>> intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
        >>> yes = Decision(intervention="motivational_interviewing", action="accept",
        ...                professional="km-17", decided_at=dt.datetime(2026, 3, 2, 10))
        >>> plan = diagnose.build_plan(intake, [yes], as_of=dt.date(2026, 3, 2))
        >>> t = Trajectory(client="c-1", intake=intake, plan=plan)
        >>> [(s.action, s.goal) for s in review(t, as_of=dt.date(2026, 5, 1), knowledge_base=kb).suggestions]
        [('remeasure', 'motivation')]
    """
    expect_knowledge_base(knowledge_base)
    expect(trajectory, Trajectory, "trajectory")
    check_trajectory(trajectory, knowledge_base, as_of=check_as_of(as_of))
    engine = cycle_engine(knowledge_base)
    rules = knowledge_base.cycle_rules_by_id
    facts = review_facts(trajectory, as_of=as_of, knowledge_base=knowledge_base)
    suggestions = []
    for goal, values in facts.items():
        for rule_id in engine.fired_cycle(values, "trajectory" if goal == "" else "goal"):
            rule = rules[rule_id]
            alternative = (
                _alternative(knowledge_base, trajectory, goal)
                if rule.suggest == "reconsider_intervention"
                else None
            )
            suggestions.append(
                Suggestion(
                    action=rule.suggest,
                    rule=rule.id,
                    priority=rule.priority,
                    goal=goal or None,
                    alternative=alternative,
                    rationale=rule.rationale,
                )
            )
    suggestions.sort(key=lambda s: (s.priority, s.goal or "", s.rule))
    return Review(as_of=as_of, facts=facts, suggestions=tuple(suggestions))


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
