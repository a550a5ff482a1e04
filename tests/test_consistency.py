"""The cycle's inputs must belong together: one knowledge base, dates in order, known ids, scores on scale.

Every case is a trajectory (or diagnosis) built right, then changed in one place, with the exact
message each cycle function must raise for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import diagnose
from diagnose import Decision, Diagnosis, Trajectory
from tests.conftest import default_kb, frozen_kb

if TYPE_CHECKING:
    from collections.abc import Callable

# The fixture knowledge base is frozen_kb(); the default one, default_kb(), is another knowledge
# base (another content hash) to mix up with it. Both are loaded on first use, not while collecting.
DAY = dt.date(2026, 3, 2)
UNSURE = {"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}
LATER = {"se_1": 3, "se_2": 3, "se_3": 4, "mo_1": 5, "mo_2": 4}


def decision(intervention: str = "success_experiences", on: dt.date = DAY) -> Decision:
    return Decision(
        intervention=intervention,
        action="accept",
        professional="km-17",
        decided_at=dt.datetime(on.year, on.month, on.day, 10, tzinfo=dt.UTC),
    )


@functools.cache
def untouched() -> Trajectory:
    """A trajectory that belongs together: intake, plan and one measurement with the fixture."""
    kb = frozen_kb()
    intake = diagnose.assess(UNSURE, knowledge_base=kb, as_of=DAY)
    plan = diagnose.build_plan(intake, [decision()], as_of=DAY, knowledge_base=kb)
    later = diagnose.assess(LATER, knowledge_base=kb, as_of=DAY + dt.timedelta(weeks=8))
    return Trajectory(client="c-1", intake=intake, plan=plan, measurements=(later,))


def tampered(d: Diagnosis, factor: str, **fields: object) -> Diagnosis:
    """The diagnosis with one factor's score fields changed, without validation (as storage might)."""
    scores = dict(d.profile.scores)
    scores[factor] = scores[factor].model_copy(update=fields)
    return d.model_copy(update={"profile": d.profile.model_copy(update={"scores": scores})})


@functools.cache
def other_intake() -> Diagnosis:
    return diagnose.assess(UNSURE, knowledge_base=default_kb(), as_of=DAY)


def hashes() -> dict[str, str]:
    """The values of the placeholders in the messages below: the two knowledge bases' hashes."""
    other, kb = default_kb(), frozen_kb()
    return {
        "OTHER_HASH": f"{other.version} {other.content_hash[:19]}",
        "OTHER_DIGEST": other.content_hash[:19],
        "KB_HASH": f"{kb.version} {kb.content_hash[:19]}",
    }


def _with(**update: object) -> Trajectory:
    return untouched().model_copy(update=update)


def _plan(**update: object) -> Trajectory:
    plan = untouched().plan
    assert plan is not None
    return _with(plan=plan.model_copy(update=update))


#: (case, a maker of the trajectory, message of evaluate/review/caseload_indicators for it, with the
#: placeholders of hashes())
TRAJECTORY_CASES: list[tuple[str, Callable[[], Trajectory], str]] = [
    (
        "intake from another knowledge base",
        lambda: _with(intake=other_intake(), plan=None, measurements=()),
        "client 'c-1': the intake: made with knowledge base {OTHER_HASH}, not with {KB_HASH}; "
        "use the knowledge base that made it",
    ),
    (
        "measurement from another knowledge base",
        lambda: _with(
            measurements=(diagnose.assess(LATER, knowledge_base=default_kb(), as_of=dt.date(2026, 5, 1)),)
        ),
        "client 'c-1': measurement 1: made with knowledge base {OTHER_HASH}, not with {KB_HASH}; "
        "use the knowledge base that made it",
    ),
    (
        "plan from another knowledge base",
        lambda: _plan(knowledge_base_hash=default_kb().content_hash),
        "client 'c-1': the plan: made with knowledge base {OTHER_DIGEST}, not with {KB_HASH}; "
        "use the knowledge base that made it",
    ),
    (
        "measurements out of date order",
        lambda: _with(
            measurements=(
                diagnose.assess(LATER, knowledge_base=frozen_kb(), as_of=dt.date(2026, 6, 1)),
                diagnose.assess(LATER, knowledge_base=frozen_kb(), as_of=dt.date(2026, 5, 1)),
            )
        ),
        "client 'c-1': measurement 2 (2026-05-01) is dated before measurement 1 (2026-06-01)",
    ),
    (
        "evaluation before the plan",
        lambda: _with(measurements=(), evaluated_on=dt.date(2026, 3, 1)),
        "client 'c-1': the evaluation (2026-03-01) is dated before the plan (2026-03-02)",
    ),
    (
        "evaluation before the last measurement",
        lambda: _with(evaluated_on=dt.date(2026, 4, 1)),
        "client 'c-1': the evaluation (2026-04-01) is dated before measurement 1 (2026-04-27)",
    ),
    (
        "decision in 2001",
        lambda: _plan(decisions=(decision(on=dt.date(2001, 1, 1)),)),
        "client 'c-1': the plan: decision 1 (2001-01-01) is dated before the intake (2026-03-02)",
    ),
    (
        "decision in 2099",
        lambda: _plan(decisions=(decision(on=dt.date(2099, 1, 1)),)),
        "client 'c-1': the plan: decision 1 (2099-01-01) is dated after the plan (2026-03-02)",
    ),
    (
        "decision for an unknown intervention",
        lambda: _plan(decisions=(decision("time_travel"),)),
        "client 'c-1': the plan: decision 1: unknown intervention 'time_travel'",
    ),
    (
        "plan for an unknown intervention",
        lambda: _plan(interventions=("time_travel",)),
        "client 'c-1': the plan: interventions: unknown intervention 'time_travel'",
    ),
    (
        "goal for an unknown factor",
        lambda: _plan(
            goals=tuple(p.goals[0].model_copy(update={"factor": "luck"}) for p in [untouched().plan] if p)
        ),
        "client 'c-1': the plan: goal: unknown factor 'luck'",
    ),
    (
        "score off the scale",
        lambda: _with(measurements=(tampered(untouched().measurements[0], "motivation", score=99.0),)),
        "client 'c-1': measurement 1: profile.scores.motivation.score: expected a number from 1 to 5, got 99.0",
    ),
    (
        "level that does not fit the score",
        lambda: _with(measurements=(tampered(untouched().measurements[0], "motivation", level="low"),)),
        "client 'c-1': measurement 1: profile.scores.motivation.level: a score of 4.5 is 'high', not 'low'",
    ),
    (
        "level without a score",
        lambda: _with(intake=tampered(untouched().intake, "health", level="low")),
        "client 'c-1': the intake: profile.scores.health: level 'low' without a score (expected 'not_assessed')",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"), [c[1:] for c in TRAJECTORY_CASES], ids=[c[0] for c in TRAJECTORY_CASES]
)
@pytest.mark.parametrize("entry", ["evaluate", "review", "caseload_indicators"])
def test_a_trajectory_that_does_not_belong_together_is_refused(
    entry: str, make: Callable[[], Trajectory], message: str
) -> None:
    # GIVEN a trajectory wrong in one place WHEN any cycle function reads it THEN one CycleError says where
    trajectory = make()
    calls: dict[str, Callable[[], object]] = {
        "evaluate": lambda: diagnose.evaluate(
            trajectory, as_of=dt.date(2026, 9, 1), knowledge_base=frozen_kb()
        ),
        "review": lambda: diagnose.review(trajectory, as_of=dt.date(2026, 9, 1), knowledge_base=frozen_kb()),
        "caseload_indicators": lambda: diagnose.caseload_indicators(
            [untouched(), trajectory], as_of=dt.date(2026, 9, 1), knowledge_base=frozen_kb()
        ),
    }
    with pytest.raises(diagnose.CycleError) as info:
        calls[entry]()
    assert str(info.value) == message.format(**hashes())


def test_the_untouched_trajectory_is_accepted_everywhere() -> None:
    report = diagnose.evaluate(untouched(), as_of=dt.date(2026, 9, 1), knowledge_base=frozen_kb())
    assert report.steps_done == ("intake", "plan", "monitoring")
    assert diagnose.review(
        untouched(), as_of=dt.date(2026, 9, 1), knowledge_base=frozen_kb()
    ).as_of == dt.date(2026, 9, 1)
    assert (
        diagnose.caseload_indicators(
            [untouched()], as_of=dt.date(2026, 9, 1), knowledge_base=frozen_kb()
        ).trajectories
        == 1
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: diagnose.evaluate(untouched(), as_of=dt.date(2026, 3, 1), knowledge_base=frozen_kb()),
            "client 'c-1': as_of 2026-03-01 is before the intake (2026-03-02)",
        ),
        (
            lambda: diagnose.review(untouched(), as_of=dt.date(2026, 3, 1), knowledge_base=frozen_kb()),
            "client 'c-1': as_of 2026-03-01 is before the intake (2026-03-02)",
        ),
        (
            lambda: diagnose.evaluate(
                untouched(), as_of=dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC), knowledge_base=frozen_kb()
            ),
            "as_of: expected a date (datetime.date), got datetime.datetime datetime.datetime(2026, 9, 1, 12, 0, tzinfo=datetime.timezone.utc)",
        ),
        (
            lambda: diagnose.caseload_indicators(
                [untouched()],
                as_of="2026-09-01",  # type: ignore[arg-type]  # the wrong type is the point
                knowledge_base=frozen_kb(),
            ),
            "as_of: expected a date (datetime.date), got builtins.str '2026-09-01'",
        ),
        (
            lambda: diagnose.build_plan(
                untouched().intake,
                [],
                as_of=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
                knowledge_base=frozen_kb(),
            ),
            "as_of: expected a date (datetime.date), got datetime.datetime datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone.utc)",
        ),
        (
            lambda: diagnose.build_plan(
                untouched().intake, [decision()], as_of=dt.date(9999, 12, 30), knowledge_base=frozen_kb()
            ),
            "the plan date 9999-12-30 is too late: a review 12 weeks on is past 9999-12-31",
        ),
        (
            lambda: diagnose.build_plan(
                untouched().intake, [decision(on=dt.date(2001, 1, 1))], as_of=DAY, knowledge_base=frozen_kb()
            ),
            "decision 1 (2001-01-01) is dated before the intake (2026-03-02)",
        ),
        (
            lambda: diagnose.build_plan(
                untouched().intake, [decision(on=dt.date(2099, 1, 1))], as_of=DAY, knowledge_base=frozen_kb()
            ),
            "decision 1 (2099-01-01) is dated after the plan (2026-03-02)",
        ),
        (
            lambda: diagnose.build_plan(other_intake(), [], as_of=DAY, knowledge_base=frozen_kb()),
            "the diagnosis: made with knowledge base {OTHER_HASH}, not with {KB_HASH}; "
            "use the knowledge base that made it",
        ),
        (
            lambda: diagnose.compare(
                other_intake(),
                diagnose.assess(LATER, knowledge_base=default_kb()),
                knowledge_base=frozen_kb(),
            ),
            "the earlier measurement: made with knowledge base {OTHER_HASH}, not with {KB_HASH}; "
            "use the knowledge base that made it",
        ),
        (
            lambda: diagnose.compare(
                untouched().intake,
                tampered(untouched().measurements[0], "motivation", score=-3.0),
                knowledge_base=frozen_kb(),
            ),
            "the later measurement: profile.scores.motivation.score: expected a number from 1 to 5, got -3.0",
        ),
        (
            lambda: diagnose.compare(
                untouched().intake,
                untouched()
                .measurements[0]
                .model_copy(update={"recommendations": ()})
                .model_copy(
                    update={"profile": untouched().measurements[0].profile.model_copy(update={"scores": {}})}
                ),
                knowledge_base=frozen_kb(),
            ),
            "the later measurement: profile.scores: no score for self_efficacy, motivation, health",
        ),
    ],
    ids=[
        "evaluate before intake",
        "review before intake",
        "evaluate datetime",
        "indicators string",
        "plan datetime",
        "plan at the end of the calendar",
        "plan decision 2001",
        "plan decision 2099",
        "plan other knowledge base",
        "compare other knowledge base",
        "compare score off the scale",
        "compare missing scores",
    ],
)
def test_bad_cycle_calls_are_refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(diagnose.CycleError) as info:
        call()
    assert str(info.value) == message.format(**hashes())


def test_a_trajectory_near_the_end_of_the_calendar_is_evaluated_without_overflow() -> None:
    # GIVEN a plan whose evaluation period would run past 9999-12-31
    late = dt.date(9999, 11, 1)
    intake = diagnose.assess(UNSURE, knowledge_base=frozen_kb(), as_of=late)
    plan = diagnose.build_plan(intake, [], as_of=late, knowledge_base=frozen_kb())
    t = Trajectory(client="c-9", intake=intake, plan=plan)
    # WHEN it is evaluated and reviewed THEN the evaluation is simply not yet due
    assert (
        diagnose.evaluate(t, as_of=dt.date(9999, 12, 31), knowledge_base=frozen_kb()).evaluation_due is False
    )
    assert (
        diagnose.review(t, as_of=dt.date(9999, 12, 31), knowledge_base=frozen_kb()).facts[""][
            "evaluation_overdue"
        ]
        is False
    )


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (
            dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
            "argument 'as_of': expected a date (datetime.date), got datetime.datetime datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.timezone.utc)",
        ),
        ("2026-03-02", "argument 'as_of': expected a date (datetime.date), got builtins.str '2026-03-02'"),
        (20260302, "argument 'as_of': expected a date (datetime.date), got builtins.int 20260302"),
    ],
)
def test_assess_takes_a_date_and_nothing_else_as_of(as_of: object, message: str) -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(UNSURE, knowledge_base=frozen_kb(), as_of=as_of)  # type: ignore[arg-type]  # the wrong type is the point
    assert str(info.value) == message


def test_assess_takes_preferences_and_nothing_else() -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(UNSURE, knowledge_base=frozen_kb(), preferences={"wanted": []})  # type: ignore[arg-type]  # the wrong type is the point
    assert str(info.value) == "argument 'preferences': expected Preferences, got builtins.dict {'wanted': []}"


@pytest.mark.parametrize("number", ['"NaN"', '"Infinity"', "1e400", "-1e400"])
def test_a_stored_diagnosis_with_a_non_finite_score_does_not_read_back(number: str) -> None:
    text = re.sub(r'"score":[0-9.]+,', f'"score":{number},', untouched().intake.model_dump_json(), count=1)
    assert text != untouched().intake.model_dump_json()
    with pytest.raises(ValidationError, match=r"Input should be a finite number"):
        Diagnosis.model_validate_json(text)


def _mutations() -> st.SearchStrategy[tuple[list[str | int], Any]]:
    """A path into the trajectory's JSON and a value to put there."""
    values: st.SearchStrategy[Any] = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "luck", "time_travel", "2001-01-01", "9999-12-31", "2026-03-01", "low", "high"]),
        st.lists(st.integers(), max_size=2),
    )
    return st.tuples(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6), values)


def _put(document: Any, path: list[int], value: Any) -> Any:  # noqa: ANN401 - JSON of any shape
    """Follow `path` (each step picks a key or index by number, modulo the size) and replace the end."""
    if not path or not isinstance(document, dict | list) or not document:
        return value
    step, rest = path[0], path[1:]
    if isinstance(document, dict):
        key = sorted(document)[step % len(document)]
        return {**document, key: _put(document[key], rest, value)}
    index = step % len(document)
    return [*document[:index], _put(document[index], rest, value), *document[index + 1 :]]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_a_tampered_trajectory_is_read_and_used_or_refused_with_a_typed_error(
    mutation: tuple[list[int], Any],
) -> None:
    """Invariant: a tampered trajectory is refused by validation or by a DiagnoseError, or used.

    Any trajectory read back from JSON either fails to validate (pydantic's ValidationError), or
    every cycle function accepts it or raises a DiagnoseError: never another exception.
    """
    path, value = mutation
    document = _put(json.loads(untouched().model_dump_json()), path, value)
    try:
        t = Trajectory.model_validate(document)
    except ValidationError:
        return
    as_of = dt.date(2026, 9, 1)
    for call in (
        lambda: diagnose.evaluate(t, as_of=as_of, knowledge_base=frozen_kb()),
        lambda: diagnose.review(t, as_of=as_of, knowledge_base=frozen_kb()),
        lambda: diagnose.caseload_indicators([t], as_of=as_of, knowledge_base=frozen_kb()),
        lambda: (
            diagnose.compare(t.intake, t.measurements[-1], knowledge_base=frozen_kb())
            if t.measurements
            else None
        ),
        lambda: diagnose.profile_chart(frozen_kb(), t.intake.profile),
    ):
        with contextlib.suppress(diagnose.DiagnoseError):
            call()
