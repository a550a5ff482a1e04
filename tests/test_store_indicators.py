"""The store's indicators, counted in the database, against `caseload_indicators` in memory.

Generated caseloads (answers, re-plans, several measurements and evaluations, erasures, steps
the store refuses) on SQLite and, when .ci/run gives a server, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import shutil
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

import diagnose
from diagnose import Caseload, Decision, StoreError, Trajectory
from tests.conftest import FIXTURE_KB
from tests.store_backends import BACKENDS, database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

DAY = dt.date(2026, 3, 2)
ITEMS = ("se_1", "se_2", "se_3", "se_4", "mo_1", "mo_2", "mo_3", "he_1", "he_2", "he_3")
TRACKED = ("tracked_measurements", "tracked_decisions", "tracked")


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database(request.param, tmp_path)


#: Six rungs of the Participatieladder, added to the fixture knowledge base (which has none).
LADDER = "participation_ladder:\n  description: {nl: Hoe iemand meedoet., en: How someone takes part.}\n" + (
    "  sources: [VNG/Divosa]\n  rungs:\n"
    + "".join(
        f"    - {{rung: {n}, name: {{nl: Trede {n}, en: Rung {n}}}, description: {{nl: Trede., en: Rung.}}}}\n"
        for n in range(1, 7)
    )
)


@pytest.fixture(scope="module")
def ladder_kb(tmp_path_factory: pytest.TempPathFactory) -> diagnose.KnowledgeBase:
    """The fixture knowledge base with a participation ladder, so that rungs can be recorded."""
    root = tmp_path_factory.mktemp("kb") / "kb"
    shutil.copytree(FIXTURE_KB, root)
    instrument = root / "instrument.yaml"
    text = instrument.read_text(encoding="utf-8")
    instrument.write_text(text.replace("items:\n", LADDER + "items:\n", 1), encoding="utf-8")
    return diagnose.load_knowledge_base(root)


@pytest.fixture
def store(url: str, ladder_kb: diagnose.KnowledgeBase) -> Iterator[Caseload]:
    with diagnose.open_caseload(url, knowledge_base=ladder_kb) as opened:
        yield opened


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if "://" in url else f"sqlite:///{url}"


answers = st.dictionaries(st.sampled_from(ITEMS), st.integers(1, 5), min_size=1, max_size=len(ITEMS))
rung = st.none() | st.integers(1, 6)
a_client = st.fixed_dictionaries(
    {
        "intake": answers,
        "rung": rung,
        "start": st.integers(0, 90),
        "professional": st.sampled_from(["km-1", "km-2"]),
        "plans": st.lists(
            st.tuples(
                st.integers(0, 20), st.lists(st.sampled_from(["accept", "adapt", "decline"]), max_size=3)
            ),
            max_size=2,
        ),
        "measurements": st.lists(st.tuples(st.integers(-5, 80), answers, rung), max_size=3),
        "evaluations": st.lists(st.integers(-10, 120), max_size=2),
        "forget": st.integers(0, 5),
    }
)


def _decisions(intake: diagnose.Diagnosis, actions: list[str], on: dt.date) -> list[Decision]:
    at = dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC)
    return [
        Decision(
            intervention=r.intervention,
            action=action,  # type: ignore[arg-type]
            reason=None if action == "accept" else "timing",
            professional="km-1",
            decided_at=at,
        )
        for r, action in zip(intake.recommendations, actions, strict=False)
    ]


def record(store: Caseload, client: str, spec: dict[str, Any]) -> None:
    """Record what the spec says, each step as the store takes it (a step it refuses is left out)."""
    kb = store.knowledge_base
    start = DAY + dt.timedelta(days=spec["start"])
    intake = diagnose.assess(
        spec["intake"], knowledge_base=kb, as_of=start, participation_rung=spec.get("rung")
    )
    store.record_intake(client, intake, professional=spec["professional"])
    day = start
    for offset, actions in spec["plans"]:
        day += dt.timedelta(days=offset)
        chosen = _decisions(intake, actions, day)
        try:
            plan = diagnose.build_plan(intake, chosen, as_of=day, knowledge_base=kb)
            store.record_plan(client, plan)
        except (StoreError, diagnose.CycleError):
            continue
    for offset, later, level in spec["measurements"]:
        on = day + dt.timedelta(days=offset)
        then = diagnose.assess(later, knowledge_base=kb, as_of=on, participation_rung=level)
        try:
            store.record_measurement(client, then)
        except StoreError:
            continue
        day = on
    for offset in spec["evaluations"]:
        try:
            store.record_evaluation(client, on=day + dt.timedelta(days=offset), professional="km-3")
        except StoreError:
            continue
    if spec["forget"] == 0:
        store.forget(client)


def expected(
    store: Caseload,
    *,
    as_of: dt.date,
    professional: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> diagnose.CaseloadIndicators:
    """`caseload_indicators` over the stored trajectories that pass the filters, read back whole."""
    chosen: list[Trajectory] = []
    for client in store.clients():
        t = store.trajectory(client)
        on = t.intake.assessed_on
        assert on is not None
        if (
            (professional is None or store.history(client)[0].professional == professional)
            and (since is None or on >= since)
            and (until is None or on <= until)
        ):
            chosen.append(t)
    return diagnose.caseload_indicators(chosen, as_of=as_of, knowledge_base=store.knowledge_base)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    clients=st.lists(a_client, min_size=1, max_size=5),
    as_of=st.integers(0, 400),
    professional=st.sampled_from([None, "km-1", "km-2", "km-9"]),
    since=st.none() | st.integers(0, 90),
    until=st.none() | st.integers(0, 90),
)
def test_indicators_equal_caseload_indicators_for_generated_caseloads(  # noqa: PLR0913, PLR0917 - the generated parts
    store: Caseload,
    clients: list[dict[str, Any]],
    as_of: int,
    professional: str | None,
    since: int | None,
    until: int | None,
) -> None:
    """Invariant: for any caseload the store took, indicators(filters) == caseload_indicators(chosen)."""
    offset = _count(store)
    for n, spec in enumerate(clients):
        record(store, f"g-{offset + n}", spec)
    filters = {
        "as_of": DAY + dt.timedelta(days=as_of),
        "professional": professional,
        "since": DAY + dt.timedelta(days=since) if since is not None else None,
        "until": DAY + dt.timedelta(days=until) if until is not None else None,
    }
    assert store.indicators(**filters) == expected(store, **filters)  # type: ignore[arg-type]


def _count(store: Caseload) -> int:
    """How many clients were ever written (erased ones too), so that a new id is new."""
    with store._engine.connect() as conn:
        return int(conn.execute(text("SELECT count(DISTINCT client) FROM events")).scalar_one())


#: A varied caseload: re-plans, two measurements (the last scores all), two evaluations, an erasure.
SPECS: list[dict[str, Any]] = [
    {
        "intake": {"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4},
        "rung": 2,
        "start": 3,
        "professional": "km-1",
        "plans": [(0, ["accept", "decline"]), (2, ["adapt"])],
        "measurements": [
            (20, {"se_1": 4, "se_2": 4, "mo_1": 2}, 2),
            (30, {"se_1": 4, "se_2": 4, "se_3": 4, "mo_1": 2, "mo_2": 2}, 3),
        ],
        "evaluations": [40, 25],
        "forget": 1,
    },
    {
        "intake": {"mo_1": 1, "mo_2": 1},
        "rung": 4,
        "start": 10,
        "professional": "km-2",
        "plans": [],
        "measurements": [(15, {"mo_1": 2, "mo_2": 2}, 3)],
        "evaluations": [],
        "forget": 1,
    },
    {
        "intake": {"he_1": 1},
        "start": 0,
        "professional": "km-2",
        "plans": [],
        "measurements": [],
        "evaluations": [],
        "forget": 0,
    },
]


def test_indicators_equal_caseload_indicators_on_every_day_of_a_varied_caseload(store: Caseload) -> None:
    for n, spec in enumerate(SPECS):
        record(store, f"c-{n}", spec)
    # The later evaluation event counts, though it gives the earlier day:
    assert store.trajectory("c-0").evaluated_on == DAY + dt.timedelta(days=80)
    for days in range(0, 130, 3):
        day = DAY + dt.timedelta(days=days)
        for professional in (None, "km-1", "km-2"):
            assert store.indicators(as_of=day, professional=professional) == expected(
                store, as_of=day, professional=professional
            ), (days, professional)
        assert store.indicators(as_of=day, since=DAY + dt.timedelta(days=5)) == expected(
            store, as_of=day, since=DAY + dt.timedelta(days=5)
        )


def test_a_store_made_before_the_indicator_tables_is_upgraded_and_counts_the_same(
    url: str, ladder_kb: diagnose.KnowledgeBase
) -> None:
    with diagnose.open_caseload(url, knowledge_base=ladder_kb) as store:
        for n, spec in enumerate(SPECS):
            record(store, f"c-{n}", spec)
        before = store.indicators(as_of=DAY + dt.timedelta(days=300))
    engine = create_engine(_engine_url(url))
    with engine.begin() as conn:  # what a store of schema 0001 holds: the events only
        for table in TRACKED:
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    with diagnose.open_caseload(url, knowledge_base=ladder_kb) as store:
        day = DAY + dt.timedelta(days=300)
        assert store.indicators(as_of=day) == before == expected(store, as_of=day)
        assert before.trajectories == 2
        assert before.measured_twice == {"self_efficacy": 1, "motivation": 2, "health": 0}
        assert (before.up_a_rung, before.rung_measured_twice) == (0.5, 2)  # 2 → 3 and 4 → 3
        assert before.improved == {"self_efficacy": 1.0, "motivation": 0.5, "health": 0.0}
        assert [(r.intervention, r.adapted) for r in before.interventions] == [("success_experiences", 1)]
