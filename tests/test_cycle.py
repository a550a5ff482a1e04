"""The methodical cycle so far: preferences, decisions, plan, re-measurement, evaluation, indicators."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose
from diagnose import Decision, PreferenceItem, Preferences, Trajectory
from tests.conftest import default_kb

if TYPE_CHECKING:
    from collections.abc import Callable

DAY = dt.date(2026, 3, 2)
UNSURE = {"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}
LOW_BOTH = {"se_1": 1, "se_2": 1, "se_3": 2, "mo_1": 1, "mo_2": 2, "mo_3": 5}


def accept(intervention: str) -> Decision:
    return Decision(
        intervention=intervention,
        action="accept",
        professional="km-17",
        decided_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
    )


def test_preferences_move_advice_one_step_without_changing_it(fixture_kb: diagnose.KnowledgeBase) -> None:
    plain = diagnose.assess(LOW_BOTH, knowledge_base=fixture_kb)
    wanted = Preferences(
        wanted=(PreferenceItem(intervention="success_experiences", reason="eerst iets doen"),)
    )
    moved = diagnose.assess(LOW_BOTH, preferences=wanted, knowledge_base=fixture_kb)
    assert [r.intervention for r in plain.recommendations] == [
        "motivational_interviewing",
        "success_experiences",
    ]
    assert [r.intervention for r in moved.recommendations] == [
        "success_experiences",
        "motivational_interviewing",
    ]
    first = moved.recommendations[0]
    assert (first.priority, first.preference, first.preference_reason) == (2, "wanted", "eerst iets doen")
    assert first.evidence_level == plain.recommendations[1].evidence_level
    unwanted = Preferences(unwanted=(PreferenceItem(intervention="motivational_interviewing"),))
    assert (
        next(
            r.intervention
            for r in diagnose.assess(
                LOW_BOTH, preferences=unwanted, knowledge_base=fixture_kb
            ).recommendations
        )
        == "success_experiences"
    )


def test_unknown_preference_is_an_answer_error() -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(UNSURE, preferences=Preferences(wanted=(PreferenceItem(intervention="job_coachng"),)))
    assert str(info.value) == "preference 'job_coachng': unknown intervention (did you mean 'job_coaching'?)"


@pytest.mark.parametrize(
    ("action", "reason", "note", "message"),
    [
        (
            "decline",
            None,
            "",
            "a decline needs a reason: one of client_preference, not_available, already_in_progress, professional_judgement, timing, other",
        ),
        (
            "adapt",
            None,
            "",
            "an adapt needs a reason: one of client_preference, not_available, already_in_progress, professional_judgement, timing, other",
        ),
        ("decline", "other", " ", "reason 'other' needs a note saying what it is"),
    ],
)
def test_decisions_need_reasons(action: str, reason: str | None, note: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"Value error, ") as info:
        Decision.model_validate(
            {
                "intervention": "x",
                "action": action,
                "reason": reason,
                "note": note,
                "professional": "km-1",
                "decided_at": "2026-03-02T10:00:00",
            }
        )
    assert info.value.errors()[0]["msg"] == f"Value error, {message}"  # type: ignore[attr-defined]


def test_plan_goals_and_review_dates() -> None:
    intake = diagnose.assess(UNSURE, as_of=DAY)
    plan = diagnose.build_plan(
        intake,
        [accept("success_experiences")],
        as_of=DAY,
        preferences=Preferences(own_goal="Werken in de zorg"),
    )
    (goal,) = plan.goals
    assert (goal.factor, goal.current_level, goal.target_level, goal.target_score) == (
        "self_efficacy",
        "low",
        "medium",
        2.5,
    )
    assert goal.review_date == DAY + dt.timedelta(
        weeks=default_kb().cycle.review_weeks_for("success_experiences")
    )
    assert goal.description.nl == "Geloof in eigen kunnen: van laag naar midden"
    assert plan.own_goal == "Werken in de zorg"
    assert diagnose.Plan.model_validate_json(plan.model_dump_json()) == plan


@pytest.mark.parametrize(
    ("decisions", "as_of", "message"),
    [
        (
            [accept("job_matching")],
            DAY,
            "decision 1: 'job_matching' was not recommended (the diagnosis recommends: success_experiences)",
        ),
        (
            [accept("success_experiences"), accept("success_experiences")],
            DAY,
            "decision 2: 'success_experiences' was already decided on",
        ),
        (
            [accept("success_experiences")],
            DAY - dt.timedelta(days=1),
            "the plan date 2026-03-01 is before the intake on 2026-03-02",
        ),
    ],
)
def test_bad_plans_are_refused(decisions: list[Decision], as_of: dt.date, message: str) -> None:
    intake = diagnose.assess(UNSURE, as_of=DAY)
    with pytest.raises(diagnose.CycleError) as info:
        diagnose.build_plan(intake, decisions, as_of=as_of)
    assert str(info.value) == message


def test_compare_reports_not_assessed_apart_and_refuses_other_versions(make_kb: object) -> None:
    before = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1, "he_1": 4, "he_2": 2, "he_3": 4})
    after = diagnose.assess({"se_1": 2, "se_2": 1, "se_3": 2, "mo_1": 5, "mo_2": 5})
    c = diagnose.compare(before, after, knowledge_base=default_kb())
    status = {f.factor: f.status for f in c.factors}
    assert (status["self_efficacy"], status["health"], status["motivation"], status["language"]) == (
        "measured",
        "not_assessed_after",
        "not_assessed_before",
        "not_assessed",
    )
    se = c.factors[0]
    assert (round(se.change or 0, 3), se.meaningful, se.direction) == (0.333, False, "same")
    assert c.improved == ()
    other = diagnose.load_knowledge_base(make_kb({}))  # type: ignore[operator]
    elsewhere = diagnose.assess({"se_1": 1}, knowledge_base=other)
    with pytest.raises(
        diagnose.CycleError, match=r"^the measurements come from different knowledge-base versions"
    ):
        diagnose.compare(before, elsewhere, knowledge_base=default_kb())
    assert diagnose.compare(before, elsewhere, knowledge_base=default_kb(), allow_other_version=True).factors


def whole_cycle() -> Trajectory:
    intake = diagnose.assess(UNSURE, as_of=DAY)
    plan = diagnose.build_plan(intake, [accept("success_experiences")], as_of=DAY)
    first = diagnose.assess({**UNSURE, "se_1": 2, "se_3": 2}, as_of=dt.date(2026, 4, 20))
    second = diagnose.assess({**UNSURE, "se_1": 3, "se_2": 3, "se_3": 4}, as_of=dt.date(2026, 6, 1))
    return Trajectory(
        client="c-1", intake=intake, plan=plan, measurements=(first, second), evaluated_on=dt.date(2026, 9, 1)
    )


def test_evaluation_of_a_whole_cycle() -> None:
    report = diagnose.evaluate(whole_cycle(), as_of=dt.date(2026, 9, 2), knowledge_base=default_kb())
    assert report.steps_done == ("intake", "plan", "monitoring", "evaluation")
    assert report.steps_missing == ()
    assert [(g.factor, g.reached, g.last_level) for g in report.goals] == [("self_efficacy", True, "medium")]
    assert report.change is not None
    assert report.change.improved == ("self_efficacy",)
    early = diagnose.evaluate(whole_cycle(), as_of=dt.date(2026, 4, 1), knowledge_base=default_kb())
    assert (early.steps_missing, early.goals[0].reached) == (("monitoring", "evaluation"), None)


def test_a_measurement_before_the_intake_is_refused() -> None:
    t = whole_cycle()
    early = diagnose.assess(UNSURE, as_of=dt.date(2026, 1, 1))
    bad = t.model_copy(update={"measurements": (early,)})
    with pytest.raises(diagnose.CycleError) as info:
        diagnose.evaluate(bad, as_of=dt.date(2026, 9, 2), knowledge_base=default_kb())
    assert str(info.value) == "client 'c-1': measurement 1 (2026-01-01) is dated before the plan (2026-03-02)"


@st.composite
def trajectories(draw: st.DrawFn) -> Trajectory:
    """Random trajectories built from a few real diagnoses, with random steps and decisions."""
    rung = st.none() | st.integers(1, 6)
    intake = diagnose.assess(LOW_BOTH, as_of=DAY, participation_rung=draw(rung))
    later = [
        diagnose.assess(
            {**LOW_BOTH, "se_1": v, "mo_1": w},
            as_of=DAY + dt.timedelta(days=30),
            participation_rung=draw(rung),
        )
        for v, w in ((3, 3), (5, 5), (1, 1))
    ]
    decisions = [
        Decision(
            intervention=i,
            action=draw(st.sampled_from(["accept", "adapt", "decline"])),
            reason="timing",
            professional="km",
            decided_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        )
        for i in draw(
            st.lists(st.sampled_from(["motivational_interviewing", "success_experiences"]), unique=True)
        )
    ]
    plan = diagnose.build_plan(intake, decisions, as_of=DAY) if draw(st.booleans()) else None
    measured = tuple(draw(st.lists(st.sampled_from(later), max_size=2)))
    evaluated = DAY + dt.timedelta(days=90) if draw(st.booleans()) else None
    return Trajectory(
        client=f"c-{draw(st.integers(0, 99))}",
        intake=intake,
        plan=plan,
        measurements=measured,
        evaluated_on=evaluated,
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(trajectories(), max_size=12))
def test_indicators_equal_a_naive_recount(ts: list[Trajectory]) -> None:
    """Invariant: caseload indicators equal a recount through evaluate() of each trajectory.

    That includes the share up at least one rung on the Participatieladder, over the trajectories
    whose intake and last measurement both record a rung.
    """
    as_of = DAY + dt.timedelta(days=120)
    ind = diagnose.caseload_indicators(ts, as_of=as_of, knowledge_base=default_kb())
    reports = [diagnose.evaluate(t, as_of=as_of, knowledge_base=default_kb()) for t in ts]
    n = len(ts)
    assert ind.trajectories == n
    assert ind.all_four_steps == (sum(not r.steps_missing for r in reports) / n if n else 0.0)
    for step in ("intake", "plan", "monitoring", "evaluation"):
        assert ind.per_step[step] == (sum(step in r.steps_done for r in reports) / n if n else 0.0)
    measured = [r for r in reports if r.change is not None and r.change.factors[0].status == "measured"]
    improved = sum("self_efficacy" in r.change.improved for r in measured if r.change is not None)
    assert ind.improved["self_efficacy"] == (improved / len(measured) if measured else 0.0)
    rungs = [r.change.participation_change for r in reports if r.change is not None]
    counted = [change for change in rungs if change is not None]
    assert ind.rung_measured_twice == len(counted)
    assert ind.up_a_rung == (sum(change >= 1 for change in counted) / len(counted) if counted else None)


@settings(max_examples=30, deadline=None)
@given(trajectories())
def test_evaluation_is_deterministic_and_trajectories_round_trip(t: Trajectory) -> None:
    """Invariant: the same trajectory gives the same report, and a trajectory survives JSON."""
    as_of = DAY + dt.timedelta(days=120)
    assert diagnose.evaluate(t, as_of=as_of, knowledge_base=default_kb()) == diagnose.evaluate(
        t, as_of=as_of, knowledge_base=default_kb()
    )
    assert Trajectory.model_validate_json(t.model_dump_json()) == t


def test_a_review_date_before_the_intake_is_refused() -> None:
    t = whole_cycle()
    assert t.plan is not None
    goal = t.plan.goals[0].model_copy(update={"review_date": dt.date(2026, 2, 1)})
    bad = t.model_copy(update={"plan": t.plan.model_copy(update={"goals": (goal,)})})
    expected = "client 'c-1': the plan: the goal for 'self_efficacy' has review date 2026-02-01, before the plan (2026-03-02)"
    with pytest.raises(diagnose.CycleError) as info:
        diagnose.evaluate(bad, as_of=dt.date(2026, 9, 2), knowledge_base=default_kb())
    assert str(info.value) == expected
    with pytest.raises(diagnose.CycleError) as again:
        diagnose.review(bad, as_of=dt.date(2026, 9, 2), knowledge_base=default_kb())
    assert str(again.value) == expected


RUNG_CHANGES = [
    pytest.param(2, 4, 2, id="two-up"),
    pytest.param(3, 3, 0, id="same"),
    pytest.param(5, 1, -4, id="down"),
    pytest.param(None, 4, None, id="none-at-intake"),
    pytest.param(2, None, None, id="none-later"),
]


@pytest.mark.parametrize(("before", "after", "change"), RUNG_CHANGES)
def test_compare_reports_the_participation_change(
    before: int | None, after: int | None, change: int | None
) -> None:
    first = diagnose.assess(UNSURE, as_of=DAY, participation_rung=before)
    second = diagnose.assess(UNSURE, as_of=DAY + dt.timedelta(days=60), participation_rung=after)
    assert diagnose.compare(first, second, knowledge_base=default_kb()).participation_change == change


def test_a_rung_off_the_ladder_is_refused() -> None:
    intake = diagnose.assess(UNSURE, as_of=DAY)
    tampered = diagnose.Diagnosis.model_validate_json(
        intake.model_dump_json().replace('"participation_rung":null', '"participation_rung":8')
    )
    with pytest.raises(diagnose.CycleError) as info:
        diagnose.compare(intake, tampered, knowledge_base=default_kb())
    assert (
        str(info.value)
        == "the later measurement: participation_rung: 8 is not a rung; expected a rung from 1 to 6"
    )


def _intake() -> diagnose.Diagnosis:
    return diagnose.assess(UNSURE, as_of=DAY)


KB_MESSAGE = "knowledge_base: expected a KnowledgeBase (from diagnose.load_knowledge_base), got "
# (a call with one argument of the wrong type, the CycleError's message)
WRONG_ARGUMENTS = [
    pytest.param(
        lambda: diagnose.build_plan(_intake(), [], as_of=DAY, knowledge_base="rules"),  # type: ignore[arg-type]
        KB_MESSAGE + "builtins.str 'rules'",
        id="plan-kb",
    ),
    pytest.param(
        lambda: diagnose.build_plan(_intake(), 3, as_of=DAY),  # type: ignore[arg-type]
        "decisions: expected a list of Decision, got builtins.int 3",
        id="plan-decisions",
    ),
    pytest.param(
        lambda: diagnose.build_plan(_intake(), ["x"], as_of=DAY),  # type: ignore[list-item]
        "decisions[0]: expected a Decision, got builtins.str 'x'",
        id="plan-decision",
    ),
    pytest.param(
        lambda: diagnose.build_plan("d", [], as_of=DAY),  # type: ignore[arg-type]
        "diagnosis: expected a Diagnosis, got builtins.str 'd'",
        id="plan-diagnosis",
    ),
    pytest.param(
        lambda: diagnose.compare("x", _intake(), knowledge_base=default_kb()),  # type: ignore[arg-type]
        "before: expected a Diagnosis, got builtins.str 'x'",
        id="compare-before",
    ),
    pytest.param(
        lambda: diagnose.compare(_intake(), _intake(), knowledge_base=None),  # type: ignore[arg-type]
        KB_MESSAGE + "builtins.NoneType None",
        id="compare-kb",
    ),
    pytest.param(
        lambda: diagnose.review("t", as_of=DAY, knowledge_base=default_kb()),  # type: ignore[arg-type]
        "trajectory: expected a Trajectory, got builtins.str 't'",
        id="review-trajectory",
    ),
    pytest.param(
        lambda: diagnose.evaluate(whole_cycle(), as_of=DAY, knowledge_base="x"),  # type: ignore[arg-type]
        KB_MESSAGE + "builtins.str 'x'",
        id="evaluate-kb",
    ),
    pytest.param(
        lambda: diagnose.caseload_indicators(3, as_of=DAY, knowledge_base=default_kb()),  # type: ignore[arg-type]
        "trajectories: expected a list of Trajectory, got builtins.int 3",
        id="caseload-not-a-list",
    ),
    pytest.param(
        lambda: diagnose.caseload_indicators([whole_cycle(), 3], as_of=DAY, knowledge_base=default_kb()),  # type: ignore[list-item]
        "trajectories[1]: expected a Trajectory, got builtins.int 3",
        id="caseload-item",
    ),
]


@pytest.mark.parametrize(("call", "message"), WRONG_ARGUMENTS)
def test_arguments_of_the_wrong_type_are_cycle_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(diagnose.CycleError) as info:
        call()
    assert str(info.value) == message
