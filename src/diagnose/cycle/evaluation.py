"""Step 4 of the methodical cycle: look back, per client and over a whole caseload.

A `Trajectory` is what an application stores for one client: the intake diagnosis, the plan,
the re-measurements and when it was evaluated. `evaluate` reports the steps done and missing,
which goals were reached, the change per factor, and the decisions that overrode advice and why.
`caseload_indicators` gives the shares over many trajectories: all four steps done, each step,
meaningful improvement per influenceable factor, and acceptance and override rates per
intervention (to spot advice that is always accepted, or always declined, without thought).
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic needs it at run time
from typing import TYPE_CHECKING

from diagnose._base import Record, reaches
from diagnose._consistency import add_weeks, caseload_checker, check_as_of, check_trajectory
from diagnose.cycle._arguments import each, expect, expect_knowledge_base
from diagnose.cycle.monitoring import Comparison, compare
from diagnose.cycle.plan import Decision  # noqa: TC001 - pydantic needs them at run time
from diagnose.cycle.trajectory import Step, Trajectory

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "STEPS",
    "CaseloadIndicators",
    "EvaluationReport",
    "GoalOutcome",
    "InterventionRates",
    "caseload_indicators",
    "evaluate",
    "indicators_from_counts",
]

#: The four steps of methodical work.
STEPS: tuple[Step, ...] = ("intake", "plan", "monitoring", "evaluation")


class GoalOutcome(Record):
    """Whether a plan goal was reached at the last measurement (None: not measured since)."""

    factor: str
    target_level: str
    review_date: dt.date
    review_passed: bool
    last_level: str | None
    reached: bool | None


class EvaluationReport(Record):
    """The look back on one trajectory.

    Attributes:
        client: The pseudonymous client id.
        as_of: The date of the report.
        steps_done: Steps of the cycle done by then.
        steps_missing: Steps not (yet) done.
        evaluation_due: The plan is older than the declared evaluation period and there was no
            evaluation.
        goals: Each plan goal and whether it was reached.
        change: Intake compared with the last measurement (None without a measurement).
        overrides: Decisions that adapted or declined advice, with their reasons.

    Examples:
        >>> import datetime as dt, diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
        >>> t = Trajectory(client="c-1", intake=intake)
        >>> report = evaluate(t, as_of=dt.date(2026, 4, 1), knowledge_base=kb)
        >>> report.evaluation_due, report.change is None
        (False, True)
    """

    client: str
    as_of: dt.date
    steps_done: tuple[Step, ...]
    steps_missing: tuple[Step, ...]
    evaluation_due: bool
    goals: tuple[GoalOutcome, ...]
    change: Comparison | None
    overrides: tuple[Decision, ...]


def evaluate(trajectory: Trajectory, *, as_of: dt.date, knowledge_base: KnowledgeBase) -> EvaluationReport:
    """Look back on one trajectory.

    Raises:
        CycleError: `as_of` not a date or before the intake, dates out of order, parts from
            another knowledge base, unknown factors or interventions, or scores off their scale.

    Examples:
        >>> import datetime as dt, diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
        >>> trajectory = Trajectory(client="c-1", intake=intake)
        >>> report = evaluate(trajectory, as_of=dt.date(2026, 4, 1), knowledge_base=kb)
        >>> report.steps_done, report.steps_missing
        (('intake',), ('plan', 'monitoring', 'evaluation'))
    """
    expect_knowledge_base(knowledge_base)
    expect(trajectory, Trajectory, "trajectory")
    check_trajectory(trajectory, knowledge_base, as_of=check_as_of(as_of))
    done = trajectory.steps_done(as_of)
    measured = [m for m in trajectory.measurements if m.assessed_on is None or m.assessed_on <= as_of]
    last = measured[-1] if measured else None
    change = compare(trajectory.intake, last, knowledge_base=knowledge_base) if last is not None else None
    goals = []
    plan = trajectory.plan
    if plan is not None:
        for goal in plan.goals:
            level = last.profile.scores[goal.factor].level if last is not None else None
            reached = None if level is None or level == "not_assessed" else reaches(level, goal.target_level)
            goals.append(
                GoalOutcome(
                    factor=goal.factor,
                    target_level=goal.target_level,
                    review_date=goal.review_date,
                    review_passed=goal.review_date <= as_of,
                    last_level=level,
                    reached=reached,
                )
            )
    due_on = add_weeks(plan.made_on, knowledge_base.cycle.evaluate_after_weeks) if plan is not None else None
    due = due_on is not None and "evaluation" not in done and as_of >= due_on
    return EvaluationReport(
        client=trajectory.client,
        as_of=as_of,
        steps_done=done,
        steps_missing=tuple(s for s in STEPS if s not in done),
        evaluation_due=due,
        goals=tuple(goals),
        change=change,
        overrides=tuple(d for d in (plan.decisions if plan else ()) if d.action != "accept"),
    )


class InterventionRates(Record):
    """How often advice for one intervention was accepted, adapted or declined."""

    intervention: str
    decided: int
    accepted: int
    adapted: int
    declined: int
    acceptance_rate: float


class CaseloadIndicators(Record):
    """Indicators over a caseload (shares are from 0 to 1).

    Attributes:
        trajectories: How many were counted.
        all_four_steps: Share with intake, plan, monitoring and evaluation done.
        per_step: Share with each step done.
        improved: Per influenceable factor, the share that improved meaningfully from intake to
            the last measurement, among trajectories where it was measured at both.
        measured_twice: Per influenceable factor, how many trajectories that share is over.
        interventions: Acceptance, adaptation and decline per intervention, most decided first.
        up_a_rung: The share that went up at least one rung on the Participatieladder from intake
            to the last measurement, among trajectories with a rung recorded at both (None when
            there are none): the small steps the research asks to count.
        rung_measured_twice: How many trajectories that share is over.

    Examples:
        >>> import datetime as dt, diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> caseload_indicators([], as_of=dt.date(2026, 9, 1), knowledge_base=kb).trajectories
        0
    """

    trajectories: int
    all_four_steps: float
    per_step: dict[str, float]
    improved: dict[str, float]
    measured_twice: dict[str, int]
    interventions: tuple[InterventionRates, ...]
    up_a_rung: float | None = None
    rung_measured_twice: int = 0


def caseload_indicators(
    trajectories: Iterable[Trajectory], *, as_of: dt.date, knowledge_base: KnowledgeBase
) -> CaseloadIndicators:
    """Indicators over many trajectories, in one pass with plain arithmetic (100,000 in seconds).

    Raises:
        CycleError: `as_of` not a date, or a trajectory whose parts do not belong together
            (see `evaluate`); the error names the client.

    Examples:
        >>> import datetime as dt, diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
        >>> caseload = [Trajectory(client="c-1", intake=intake)]
        >>> ind = caseload_indicators(caseload, as_of=dt.date(2026, 9, 1), knowledge_base=kb)
        >>> ind.all_four_steps, ind.per_step["intake"], ind.per_step["plan"]
        (0.0, 1.0, 0.0)
    """
    expect_knowledge_base(knowledge_base)
    check_as_of(as_of)
    fast = caseload_checker(knowledge_base)
    influenceable = [f.id for f in knowledge_base.factors.values() if f.influenceable]
    minimal = {f: knowledge_base.cycle.minimal_change_for(f) - 1e-9 for f in influenceable}
    count = complete = 0
    steps = dict.fromkeys(STEPS, 0)
    improved = dict.fromkeys(influenceable, 0)
    twice = dict.fromkeys(influenceable, 0)
    decided: dict[str, list[int]] = {}
    rungs = [0, 0]  # trajectories with a rung at intake and at the last measurement; of them, up
    for t in each(trajectories, Trajectory, "trajectories"):
        check_trajectory(t, knowledge_base, fast=fast)
        count += 1
        done = t.steps_done(as_of)
        for step in done:
            steps[step] += 1
        complete += len(done) == len(STEPS)
        measured = [m for m in t.measurements if m.assessed_on is None or m.assessed_on <= as_of]
        if measured:
            first, last = t.intake.profile.scores, measured[-1].profile.scores
            for factor in influenceable:
                a, b = first[factor].score, last[factor].score
                if a is not None and b is not None:
                    twice[factor] += 1
                    improved[factor] += b - a >= minimal[factor]
            start, end = t.intake.participation_rung, measured[-1].participation_rung
            if start is not None and end is not None:
                rungs[0] += 1
                rungs[1] += end > start
        for d in t.plan.decisions if t.plan is not None else ():
            row = decided.setdefault(d.intervention, [0, 0, 0])
            row[("accept", "adapt", "decline").index(d.action)] += 1
    return indicators_from_counts(
        count, complete, steps, improved, twice, decided, rungs=(rungs[0], rungs[1])
    )


def indicators_from_counts(  # noqa: PLR0913, PLR0917 - the counts of one pass over a caseload
    count: int,
    complete: int,
    steps: Mapping[Step, int],
    improved: Mapping[str, int],
    twice: dict[str, int],
    decided: dict[str, list[int]],
    *,
    rungs: tuple[int, int] = (0, 0),
) -> CaseloadIndicators:
    """The indicators from counts made in one pass (in memory here, from a store's rows there).

    `improved` and `twice` are per influenceable factor; `decided` holds, per intervention, how
    often its advice was accepted, adapted and declined; `rungs` is how many trajectories have a
    participation rung at intake and at the last measurement, and how many of them went up.
    """
    rates = sorted(
        (
            InterventionRates(
                intervention=name,
                decided=sum(row),
                accepted=row[0],
                adapted=row[1],
                declined=row[2],
                acceptance_rate=row[0] / sum(row),
            )
            for name, row in decided.items()
        ),
        key=lambda r: (-r.decided, r.intervention),
    )
    return CaseloadIndicators(
        trajectories=count,
        all_four_steps=complete / count if count else 0.0,
        per_step={s: n / count if count else 0.0 for s, n in steps.items()},
        improved={f: improved[f] / n if n else 0.0 for f, n in twice.items()},
        measured_twice=twice,
        interventions=tuple(rates),
        up_a_rung=rungs[1] / rungs[0] if rungs[0] else None,
        rung_measured_twice=rungs[0],
    )


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
