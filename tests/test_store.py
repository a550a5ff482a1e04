"""The caseload store, on SQLite and (when .ci/run gives a server) on PostgreSQL.

Each test gets an empty database on each backend; the same assertions hold on both.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

import diagnose
from diagnose import Caseload, Decision, Preferences, StoreError, Trajectory
from diagnose.store import check_id
from tests.conftest import FIXTURE_KB, frozen_kb
from tests.store_backends import BACKENDS, database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

DAY = dt.date(2026, 3, 2)
UNSURE = {"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}
BETTER = {**UNSURE, "se_1": 3, "se_2": 3, "se_3": 3}


def assess(answers: dict[str, int], day: dt.date, own_goal: str | None = None) -> diagnose.Diagnosis:
    prefs = Preferences(own_goal=own_goal) if own_goal else None
    return diagnose.assess(answers, knowledge_base=frozen_kb(), as_of=day, preferences=prefs)


def decided(intervention: str, action: str = "accept", day: dt.date = DAY, **extra: str) -> Decision:
    at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    return Decision.model_validate(
        {"intervention": intervention, "action": action, "professional": "km-17", "decided_at": at, **extra}
    )


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database(request.param, tmp_path)


@pytest.fixture
def store(url: str) -> Iterator[Caseload]:
    with diagnose.open_caseload(url, knowledge_base=frozen_kb()) as opened:
        yield opened


def full_cycle(store: Caseload, client: str = "c-0042") -> Trajectory:
    """Record one client's whole cycle in the store; return the same trajectory built in memory."""
    intake = assess(UNSURE, DAY, own_goal="Werken in een winkel")
    store.record_intake(client, intake, professional="km-17")
    yes = [decided("success_experiences")]
    store.record_decisions(client, yes)
    plan = diagnose.build_plan(
        intake, yes, as_of=DAY, knowledge_base=frozen_kb(), preferences=intake.preferences
    )
    store.record_plan(client, plan)
    later = assess(BETTER, DAY + dt.timedelta(weeks=7))
    store.record_measurement(client, later, professional="km-17")
    evaluated = DAY + dt.timedelta(weeks=26)
    store.record_evaluation(client, on=evaluated, professional="km-18")
    return Trajectory(client=client, intake=intake, plan=plan, measurements=(later,), evaluated_on=evaluated)


def test_a_trajectory_round_trips_exactly(store: Caseload) -> None:
    in_memory = full_cycle(store)
    assert store.trajectory("c-0042") == in_memory
    assert store.trajectory("c-0042").plan.own_goal == "Werken in een winkel"  # type: ignore[union-attr]
    assert store.clients() == ("c-0042",)
    assert store.decisions("c-0042") == in_memory.plan.decisions  # type: ignore[union-attr]


def test_the_steps_read_back_one_by_one(store: Caseload) -> None:
    in_memory = full_cycle(store)
    assert store.intake("c-0042") == in_memory.intake
    assert store.measurements("c-0042") == in_memory.measurements
    assert store.plan("c-0042") == in_memory.plan
    store.record_intake("c-1", assess(UNSURE, DAY), professional="km-17")
    assert (store.measurements("c-1"), store.plan("c-1")) == ((), None)
    store.forget("c-0042")
    for read in (store.intake, store.measurements, store.plan):
        with pytest.raises(
            StoreError, match=r"^client 'c-0042' was erased; nothing more can be recorded or read for it$"
        ):
            read("c-0042")
    with pytest.raises(StoreError, match=r"^unknown client 'c-9': record its intake first$"):
        store.intake("c-9")


def test_history_says_what_when_who_and_which_knowledge_base(store: Caseload) -> None:
    full_cycle(store)
    seen = [
        (e.seq, e.kind, e.occurred_on, e.professional, e.knowledge_base_version, e.knowledge_base_hash)
        for e in store.history("c-0042")
    ]
    v, h = frozen_kb().version, frozen_kb().content_hash
    assert seen == [
        (1, "intake", DAY, "km-17", v, h),
        (2, "decisions", DAY, "km-17", v, h),
        (3, "plan", DAY, "km-17", v, h),
        (4, "measurement", dt.date(2026, 4, 20), "km-17", v, h),
        (5, "evaluation", dt.date(2026, 8, 31), "km-18", v, h),
    ]
    events = store.history("c-0042")
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].prev_hash == "sha256:" + "0" * 64


def test_indicators_equal_caseload_indicators_over_the_stored_trajectories(store: Caseload) -> None:
    full_cycle(store, "c-1")
    store.record_intake("c-2", assess(UNSURE, DAY), professional="km-18")
    intake = assess(UNSURE, DAY + dt.timedelta(days=40))
    store.record_intake("c-3", intake, professional="km-18")
    no = [decided("success_experiences", "decline", DAY + dt.timedelta(days=41), reason="timing")]
    store.record_decisions("c-3", no)
    store.record_plan(
        "c-3", diagnose.build_plan(intake, no, as_of=DAY + dt.timedelta(days=41), knowledge_base=frozen_kb())
    )
    for as_of in (DAY, DAY + dt.timedelta(weeks=10), DAY + dt.timedelta(weeks=30)):
        every = [store.trajectory(c) for c in store.clients()]
        assert store.indicators(as_of=as_of) == diagnose.caseload_indicators(
            every, as_of=as_of, knowledge_base=frozen_kb()
        )
        theirs = [t for t in every if t.client != "c-1"]
        assert store.indicators(as_of=as_of, professional="km-18") == diagnose.caseload_indicators(
            theirs, as_of=as_of, knowledge_base=frozen_kb()
        )
        early = [t for t in every if t.client != "c-3"]
        assert store.indicators(as_of=as_of, until=DAY) == diagnose.caseload_indicators(
            early, as_of=as_of, knowledge_base=frozen_kb()
        )
    late = store.indicators(as_of=DAY + dt.timedelta(weeks=30), since=DAY + dt.timedelta(days=1))
    assert (late.trajectories, late.per_step["plan"], late.interventions[0].declined) == (1, 1.0, 1)


def test_indicators_with_another_knowledge_base_refuse_as_caseload_indicators_does(store: Caseload) -> None:
    store.record_intake("c-1", assess(UNSURE, DAY), professional="km-17")
    live = diagnose.load_knowledge_base()
    with pytest.raises(
        StoreError,
        match=r"^client 'c-1': the intake: made with knowledge base .*; use the knowledge base that made it$",
    ):
        store.indicators(as_of=DAY, knowledge_base=live)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 60), st.sampled_from(["accept", "decline"])),
        min_size=1,
        max_size=6,
    ),
    as_of=st.integers(0, 400),
)
def test_indicators_equal_caseload_indicators_for_any_caseload(
    store: Caseload, steps: list[tuple[int, int, str]], as_of: int
) -> None:
    """Invariant: for any caseload the store accepts, indicators() == caseload_indicators(trajectories)."""
    offset = len(store.clients())
    for n, (depth, days, action) in enumerate(steps):
        client = f"h-{offset + n}"
        start = DAY + dt.timedelta(days=days)
        intake = assess(UNSURE, start)
        store.record_intake(client, intake, professional=f"km-{n % 2}")
        if depth >= 1:
            choice = [
                decided(
                    "success_experiences",
                    action,
                    start,
                    **({"reason": "timing"} if action == "decline" else {}),
                )
            ]
            store.record_plan(
                client, diagnose.build_plan(intake, choice, as_of=start, knowledge_base=frozen_kb())
            )
        if depth >= 2:
            store.record_measurement(client, assess(BETTER, start + dt.timedelta(days=days + 30)))
        if depth >= 3:
            store.record_evaluation(client, on=start + dt.timedelta(days=days + 90), professional="km-1")
    day = DAY + dt.timedelta(days=as_of)
    every = [store.trajectory(c) for c in store.clients()]
    assert store.indicators(as_of=day) == diagnose.caseload_indicators(
        every, as_of=day, knowledge_base=frozen_kb()
    )
    assert store.indicators(as_of=day, professional="km-0") == diagnose.caseload_indicators(
        [t for t in every if store.history(t.client)[0].professional == "km-0"],
        as_of=day,
        knowledge_base=frozen_kb(),
    )


REFUSALS = [
    # (what to do, the exact message); each starts from a client with an intake on DAY.
    (
        "plan before the intake",
        "client 'c-1': the plan: made on 2026-03-01, before the intake (2026-03-02)",
    ),
    (
        "measurement before the intake",
        "client 'c-1': measurement 1 (2026-03-01) is dated before the intake (2026-03-02)",
    ),
    ("evaluation without a plan", "client 'c-1' has no plan yet: record a plan before the evaluation"),
    ("second intake", "client 'c-1' already has an intake (on 2026-03-02); record a measurement instead"),
    ("plan for an unknown client", "unknown client 'c-9': record its intake first"),
    ("undated measurement", "client 'c-1': the measurement has no date: assess it with as_of=..."),
    (
        "decision on advice not given",
        "client 'c-1': decision 1: 'debt_counselling' was not recommended (the diagnosis recommends: success_experiences)",
    ),
    (
        "decision before the intake",
        "client 'c-1': decision 1 (2026-03-01) is dated before the intake (2026-03-02)",
    ),
    ("no decisions", "client 'c-1': no decisions to record"),
    (
        "measurement from another knowledge base",
        "client 'c-1': measurement 1: made with knowledge base ",
    ),
    (
        "evaluation on a string",
        "client 'c-1': on: expected a date (datetime.date), got builtins.str '2026-09-01'",
    ),
]


def _refused(store: Caseload, what: str) -> None:  # noqa: C901 - one branch per case
    before = DAY - dt.timedelta(days=1)
    intake = store.trajectory("c-1").intake
    if what == "plan before the intake":
        store.record_plan(
            "c-1", diagnose.build_plan(assess(UNSURE, before), [], as_of=before, knowledge_base=frozen_kb())
        )
    elif what == "measurement before the intake":
        store.record_measurement("c-1", assess(BETTER, before))
    elif what == "evaluation without a plan":
        store.record_evaluation("c-1", on=DAY, professional="km-17")
    elif what == "second intake":
        store.record_intake("c-1", intake, professional="km-17")
    elif what == "plan for an unknown client":
        store.record_plan("c-9", diagnose.build_plan(intake, [], as_of=DAY, knowledge_base=frozen_kb()))
    elif what == "undated measurement":
        store.record_measurement("c-1", diagnose.assess(BETTER, knowledge_base=frozen_kb()))
    elif what == "decision on advice not given":
        store.record_decisions("c-1", [decided("debt_counselling")])
    elif what == "decision before the intake":
        store.record_decisions("c-1", [decided("success_experiences", day=before)])
    elif what == "no decisions":
        store.record_decisions("c-1", [])
    elif what == "measurement from another knowledge base":
        store.record_measurement("c-1", diagnose.assess(BETTER, as_of=DAY))
    elif what == "evaluation on a string":
        store.record_evaluation("c-1", on="2026-09-01", professional="km-17")  # type: ignore[arg-type]


@pytest.mark.parametrize(("what", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_steps_that_do_not_fit_are_refused_and_nothing_is_written(
    store: Caseload, what: str, message: str
) -> None:
    store.record_intake("c-1", assess(UNSURE, DAY), professional="km-17")
    with pytest.raises(StoreError) as info:
        _refused(store, what)
    assert str(info.value).startswith(message)
    assert [e.kind for e in store.history("c-1")] == ["intake"]
    assert store.verify().events == 1


def test_another_knowledge_base_is_accepted_when_the_caller_says_so(store: Caseload) -> None:
    store.record_intake("c-1", assess(UNSURE, DAY), professional="km-17")
    other = diagnose.assess(BETTER, as_of=DAY + dt.timedelta(days=30))
    store.record_measurement("c-1", other, allow_other_version=True)
    assert store.trajectory("c-1").measurements == (other,)
    assert store.history("c-1")[1].knowledge_base_hash == other.knowledge_base_hash


def test_an_intake_from_another_knowledge_base_than_the_stores_is_refused(store: Caseload) -> None:
    with pytest.raises(
        StoreError,
        match=r"^client 'c-1': the intake was made with knowledge base .* but the caseload is opened with .*; open it with the knowledge base that made the intake$",
    ):
        store.record_intake("c-1", diagnose.assess(UNSURE, as_of=DAY), professional="km-17")
    assert store.clients() == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "111222333",
            "client id '111222333': looks like a citizen service number (nine digits passing the 11-test); use a pseudonymous id such as 'c-0042'",
        ),
        (
            "c-111222333",
            "client id 'c-111222333': looks like a citizen service number (nine digits passing the 11-test); use a pseudonymous id such as 'c-0042'",
        ),
        (
            "Jan Jansen",
            "client id 'Jan Jansen': expected 1 to 64 letters, digits, '.', '_', ':' or '-' (no spaces), starting with a letter or digit; use a pseudonymous id such as 'c-0042'",
        ),
        (
            "jan.jansen",
            "client id 'jan.jansen': has no digit, so it may be a name; use a pseudonymous id such as 'c-0042'",
        ),
        (
            "jan@example.org",
            "client id 'jan@example.org': looks like an e-mail address; use a pseudonymous id such as 'c-0042'",
        ),
        (
            "",
            "client id '': expected 1 to 64 letters, digits, '.', '_', ':' or '-' (no spaces), starting with a letter or digit; use a pseudonymous id such as 'c-0042'",
        ),
    ],
)
def test_ids_that_could_identify_a_person_are_refused(value: str, message: str) -> None:
    with pytest.raises(StoreError) as info:
        check_id(value)
    assert str(info.value) == message


@pytest.mark.parametrize("value", ["c-0042", "123456789", "c-1234567890", "2026:17", "a1"])
def test_pseudonymous_ids_pass(value: str) -> None:
    """123456789 fails the 11-test, so it is not a BSN; ten digits are not a BSN either."""
    assert check_id(value) == value


def test_a_professional_id_that_looks_like_a_name_is_refused(store: Caseload) -> None:
    with pytest.raises(
        StoreError, match=r"^professional id 'Piet de Vries': expected .*; use an id such as 'km-17'$"
    ):
        store.record_intake("c-1", assess(UNSURE, DAY), professional="Piet de Vries")


def _sqlite_path(url: str) -> str | None:
    return url if "://" not in url else None


def _tamper(url: str, statement: str) -> None:
    """Change the database behind the store's back: with the sqlite3 module, or plain SQL on PostgreSQL."""
    path = _sqlite_path(url)
    if path is not None:
        with sqlite3.connect(path) as conn:  # what the sqlite3 command line does
            conn.execute(statement)
        return
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


TAMPERING = [
    (
        "UPDATE events SET professional = 'km-99' WHERE client = 'c-1' AND seq = 2",
        "event 2 of client 'c-1' (decisions, at position 2): was changed (its fields no longer match its hash)",
    ),
    (
        "UPDATE events SET occurred_on = '2026-03-03' WHERE client = 'c-2' AND seq = 1",
        "event 1 of client 'c-2' (intake, at position 6): was changed (its fields no longer match its hash)",
    ),
    (
        "UPDATE contents SET body = replace(body, 'accept', 'decline') WHERE position = 3",
        "event 3 of client 'c-1' (plan, at position 3): its content was changed (it no longer matches its hash)",
    ),
    (
        "UPDATE summaries SET summary = replace(summary, 'scores', 'scorez') WHERE position = 1",
        "event 1 of client 'c-1' (intake, at position 1): its content was changed (it no longer matches its hash)",
    ),
    (
        "DELETE FROM contents WHERE position = 4",
        "event 4 of client 'c-1' (measurement, at position 4): its content was removed, and the client was not erased",
    ),
    (
        "DELETE FROM events WHERE position = 3",
        "event 4 of client 'c-1' (measurement, at position 4): event 3 of client 'c-1' was removed",
    ),
    (
        "DELETE FROM events WHERE position = 5",
        "event 1 of client 'c-2' (intake, at position 6): the store chain is broken before it: an event was removed or changed",
    ),
]


@pytest.mark.parametrize(("statement", "message"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_verify_names_the_first_event_changed_or_removed(
    store: Caseload, url: str, statement: str, message: str
) -> None:
    full_cycle(store, "c-1")
    store.record_intake("c-2", assess(UNSURE, DAY), professional="km-17")
    assert store.verify().events == 6
    if "DELETE FROM events" in statement:
        _tamper(url, statement.replace("events", "contents"))
        _tamper(url, statement.replace("events", "summaries"))
    _tamper(url, statement)
    with pytest.raises(StoreError) as info:
        store.verify()
    assert str(info.value) == message


def test_verify_with_a_noted_head_catches_removed_last_events(store: Caseload, url: str) -> None:
    full_cycle(store, "c-1")
    head = store.verify().head
    assert store.verify(head=head).head == head
    _tamper(url, "DELETE FROM contents WHERE position = 5")
    _tamper(url, "DELETE FROM summaries WHERE position = 5")
    _tamper(url, "DELETE FROM events WHERE position = 5")
    assert store.verify().events == 4  # the chain that is left is whole ...
    with pytest.raises(
        StoreError,
        match=r"^the head sha256:[0-9a-f]{64} is not in the store chain: events written up to it were removed$",
    ):
        store.verify(head=head)  # ... but it no longer reaches the head noted before


def test_forget_erases_the_client_and_keeps_the_chain_verifiable(store: Caseload, url: str) -> None:
    full_cycle(store, "c-1")
    full_cycle(store, "c-2")
    assert store.forget("c-1", on=dt.date(2026, 10, 1), professional="km-17") == 5
    assert store.clients() == ("c-2",)
    history = store.history("c-1")
    assert [(e.kind, e.erased) for e in history] == [
        *[(k, True) for k in ("intake", "decisions", "plan", "measurement", "evaluation")],
        ("forget", False),
    ]
    assert store.verify().erased == 1
    with pytest.raises(
        StoreError,
        match=r"^client 'c-1' was erased on 2026-10-01; nothing more can be recorded or read for it$",
    ):
        store.trajectory("c-1")
    with pytest.raises(StoreError, match=r"^client 'c-1' was erased; a new trajectory needs a new id$"):
        store.record_intake("c-1", assess(UNSURE, DAY), professional="km-17")
    if _sqlite_path(url) is not None:  # nothing of the client's steps is left in the file
        with sqlite3.connect(url) as conn:
            left = conn.execute(
                "SELECT body FROM contents JOIN events USING (position) WHERE client = 'c-1'"
            ).fetchall()
        assert left == [('{"erased_events":5}',)]
    _tamper(url, "UPDATE events SET kind = 'plan' WHERE client = 'c-2' AND seq = 2")
    with pytest.raises(StoreError, match=r"^event 2 of client 'c-2' \(plan, at position 7\): was changed"):
        store.verify()


def test_export_and_import_round_trip(store: Caseload, tmp_path: Path) -> None:
    full_cycle(store, "c-1")
    full_cycle(store, "c-2")
    store.forget("c-2")
    exported = tmp_path / "caseload.jsonl"
    assert store.export_jsonl(exported) == 11
    with diagnose.open_caseload(tmp_path / "copy.sqlite", knowledge_base=frozen_kb()) as copy:
        assert copy.import_jsonl(exported) == 11
        assert copy.trajectory("c-1") == store.trajectory("c-1")
        assert copy.history("c-2") == store.history("c-2")
        assert copy.clients() == ("c-1",)
        assert copy.verify().events == 11
        copy.export_jsonl(tmp_path / "copy.jsonl")
        with pytest.raises(
            StoreError, match=r"^.*copy\.jsonl:2: client 'c-1' is already in this store; nothing imported$"
        ):
            copy.import_jsonl(tmp_path / "copy.jsonl")


def test_an_import_changed_after_export_is_refused_whole(store: Caseload, tmp_path: Path) -> None:
    full_cycle(store, "c-1")
    exported = tmp_path / "caseload.jsonl"
    store.export_jsonl(exported)
    lines = exported.read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[4])
    changed["professional"] = "km-99"
    lines[4] = json.dumps(changed)
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with diagnose.open_caseload(tmp_path / "copy.sqlite", knowledge_base=frozen_kb()) as copy:
        with pytest.raises(StoreError) as info:
            copy.import_jsonl(exported)
        assert (
            str(info.value)
            == f"{exported}:5: client 'c-1' event 4: its fields do not match its hash (changed after export)"
        )
        assert copy.clients() == ()
    exported.write_text('{"format": "something else"}\n', encoding="utf-8")
    with pytest.raises(
        StoreError,
        match=r'^.*caseload\.jsonl:1: not a caseload export \(expected the line \{"format": "diagnose-caseload", "version": 1\}\)$',
    ):
        store.import_jsonl(exported)


def test_reopening_keeps_everything_and_a_newer_store_is_refused(url: str) -> None:
    with diagnose.open_caseload(url, knowledge_base=frozen_kb()) as store:
        expected = full_cycle(store)
    with diagnose.open_caseload(url, knowledge_base=frozen_kb()) as store:
        assert store.trajectory("c-0042") == expected
    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1) if "://" in url else f"sqlite:///{url}"
    )
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(
        StoreError,
        match=r"^.*: made by a newer version of diagnose \(schema 9999\); upgrade diagnose to open it$",
    ):
        diagnose.open_caseload(url, knowledge_base=frozen_kb())


def test_a_database_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE people (name TEXT)")
    with pytest.raises(
        StoreError,
        match=r"^sqlite:///.*other\.sqlite: the database has tables but is not a diagnose caseload store$",
    ):
        diagnose.open_caseload(path, knowledge_base=frozen_kb())


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing/caseload.sqlite", r"^missing/caseload\.sqlite: the folder .*missing does not exist$"),
        (
            "mysql://u@localhost/db",
            r"^mysql://u@localhost/db: (only SQLite and PostgreSQL are supported|the database driver is not installed .*)$",
        ),
        ("nonsense://x", r"^nonsense://x: not a database URL this store can use: .*$"),
    ],
)
def test_unusable_targets_are_refused(
    target: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=message):
        diagnose.open_caseload(target, knowledge_base=frozen_kb())


_WRITER = """
import datetime as dt, sys
import diagnose
kb = diagnose.load_knowledge_base(sys.argv[2])
d = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1}, knowledge_base=kb, as_of=dt.date(2026, 3, 2))
with diagnose.open_caseload(sys.argv[1], knowledge_base=kb) as store:
    for n in range(500):
        store.record_intake(f"{sys.argv[3]}-{n}", d, professional="km-17")
"""


def test_two_processes_writing_500_clients_each_lose_nothing(url: str) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, url, str(FIXTURE_KB), name])  # noqa: S603 - our own interpreter and script
        for name in ("a", "b")
    ]
    assert [w.wait(timeout=600) for w in writers] == [0, 0]
    with diagnose.open_caseload(url, knowledge_base=frozen_kb()) as store:
        assert len(store.clients()) == 1000
        assert store.verify().events == 1000
