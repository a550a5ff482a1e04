"""Caseload-store timing: indicators over 100,000 clients, on SQLite and on PostgreSQL.

    python bench/store.py [CLIENTS] [DATABASE_URL]

Without a URL it uses a new SQLite file in a temporary folder; `bash .ci/postgres sh -c 'python
bench/store.py 100000 "$DIAGNOSE_TEST_POSTGRES_URL"'` runs it on a throwaway PostgreSQL server.
The caseload is loaded with bulk inserts of events built exactly as the store writes them
(hashes and links included), then `verify()` checks that. It times `indicators()` (median of
three), a few recorded steps, `verify()`, and, on a sample, `caseload_indicators` over the
trajectories read back whole, to show what counting in the database saves. The bulk load
writes the events only; the indicators' tables are then made from them by `rebuild` (what the
migration does for an older store), timed too.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import insert, select

import diagnose
from diagnose import Decision, Diagnosis, Plan
from diagnose.store._events import GENESIS, content_hash, event_hash, link_hash
from diagnose.store._schema import contents, events, summaries
from diagnose.store._state import Evaluated, summary_of
from diagnose.store._tracked import rebuild

if TYPE_CHECKING:
    from collections.abc import Callable

DAY = dt.date(2026, 1, 5)
T = TypeVar("T")
BATCH = 20_000


def _variants(kb: diagnose.KnowledgeBase, rnd: random.Random) -> list[tuple[dict[str, int], dict[str, int]]]:
    out = []
    for _ in range(20):
        answers = {item.id: rnd.choice([1, 2, 3, 4, 5]) for item in kb.items}
        later = {k: min(5, v + rnd.choice([0, 1, 2])) for k, v in answers.items()}
        out.append((answers, later))
    return out


def build(store: diagnose.Caseload, clients: int) -> tuple[float, float]:  # noqa: C901, PLR0915 - one loop that builds it all
    """Fill the store with `clients` trajectories at different depths; the seconds taken, and `rebuild`'s."""
    kb = store.knowledge_base
    rnd = random.Random(15)
    variants = _variants(kb, rnd)
    cache: dict[tuple[str, int, int], Diagnosis | Plan] = {}

    def intake(v: int, day: int) -> Diagnosis:
        key = ("i", v, day)
        if key not in cache:
            cache[key] = diagnose.assess(
                variants[v][0], knowledge_base=kb, as_of=DAY + dt.timedelta(days=day)
            )
        return cache[key]  # type: ignore[return-value]

    def plan(v: int, day: int) -> Plan:
        key = ("p", v, day)
        if key not in cache:
            d = intake(v, day)
            at = dt.datetime.combine(d.assessed_on or DAY, dt.time(10), tzinfo=dt.UTC)
            yes = [
                Decision(intervention=r.intervention, action="accept" if n % 3 else "decline",
                         reason=None if n % 3 else "timing", professional="km-1", decided_at=at)
                for n, r in enumerate(d.recommendations, start=1)
            ]  # fmt: skip
            cache[key] = diagnose.build_plan(d, yes, as_of=d.assessed_on or DAY, knowledge_base=kb)
        return cache[key]  # type: ignore[return-value]

    def later(v: int, day: int) -> Diagnosis:
        key = ("m", v, day)
        if key not in cache:
            cache[key] = diagnose.assess(
                variants[v][1], knowledge_base=kb, as_of=DAY + dt.timedelta(days=day + 49)
            )
        return cache[key]  # type: ignore[return-value]

    start = time.perf_counter()
    link = GENESIS
    position = 0
    rows: list[dict[str, object]] = []
    bodies: list[dict[str, object]] = []
    facts: list[dict[str, object]] = []
    dumped: dict[int, tuple[str, str]] = {}  # the cached models, written once each
    hashed: dict[int, str] = {}
    looked_back: dict[int, Evaluated] = {}  # kept, so that no id above is reused
    engine = store._engine  # noqa: SLF001 - the benchmark loads the tables in bulk
    with engine.begin() as conn:
        for n in range(clients):
            client, v, day = f"c-{n:06d}", rnd.randrange(20), rnd.randrange(120)
            who = f"km-{n % 40}"
            depth = rnd.random()
            steps: list[tuple[str, Diagnosis | Plan | Evaluated, dt.date]] = [("intake", intake(v, day), DAY)]
            if depth < 0.8:
                steps.append(("plan", plan(v, day), DAY))
            if depth < 0.6:
                steps.append(("measurement", later(v, day), DAY))
            if depth < 0.3:
                evaluated = looked_back.setdefault(
                    day, Evaluated(evaluated_on=DAY + dt.timedelta(days=day + 180))
                )
                steps.append(("evaluation", evaluated, DAY))
            prev = GENESIS
            for seq, (kind, model, _) in enumerate(steps, start=1):
                text = dumped.get(id(model))
                if text is None:
                    text = dumped[id(model)] = (model.model_dump_json(), summary_of(model))
                body, summary = text
                on = (
                    model.assessed_on if isinstance(model, Diagnosis)
                    else model.made_on if isinstance(model, Plan) else model.evaluated_on
                )  # fmt: skip
                kb_hash = model.knowledge_base_hash if not isinstance(model, Evaluated) else kb.content_hash
                content = hashed.get(id(model)) or hashed.setdefault(id(model), content_hash(body, summary))
                fields = {"client": client, "seq": seq, "kind": kind, "occurred_on": on, "professional": who,
                          "kb_version": kb.version, "kb_hash": kb_hash}  # fmt: skip
                h = event_hash(**fields, content=content, prev_hash=prev)  # type: ignore[arg-type]
                link = link_hash(link, h)
                position += 1
                rows.append({"position": position, **fields, "content_hash": content, "prev_hash": prev,
                             "hash": h, "link": link})  # fmt: skip
                bodies.append({"position": position, "body": body})
                facts.append({"position": position, "summary": summary})
                prev = h
            if len(rows) >= BATCH:
                conn.execute(insert(events), rows)
                conn.execute(insert(contents), bodies)
                conn.execute(insert(summaries), facts)
                rows, bodies, facts = [], [], []
        if rows:
            conn.execute(insert(events), rows)
            conn.execute(insert(contents), bodies)
            conn.execute(insert(summaries), facts)
        if engine.dialect.name == "postgresql":  # the bulk load gave positions; move the sequence on
            conn.exec_driver_sql("SELECT setval('events_position_seq', (SELECT max(position) FROM events))")
    loaded = time.perf_counter()
    with engine.begin() as conn:
        rebuild(conn)
    if engine.dialect.name == "postgresql":  # what autovacuum does within a minute of a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    return loaded - start, time.perf_counter() - loaded


def timed(work: Callable[[], T], runs: int = 3) -> tuple[float, T]:
    """The median seconds of `runs` calls of `work`, and its last result."""
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), result


def main() -> None:
    """Build the caseload, time the store's indicators and friends, print a report."""
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    target: str | Path = sys.argv[2] if len(sys.argv) > 2 else Path(tempfile.mkdtemp()) / "bench.sqlite"
    kb = diagnose.load_knowledge_base()
    with diagnose.open_caseload(target, knowledge_base=kb) as store:
        with store._engine.connect() as conn:  # noqa: SLF001 - the benchmark needs an empty store
            if conn.execute(select(events.c.position).limit(1)).first() is not None:
                sys.exit(f"{store.url}: not empty; give a new database")
        print(f"{store.url}: {clients:,} clients")
        load, derived = build(store, clients)
        print(
            f"  load (bulk, hashes computed): {load:.1f} s; the indicators' tables rebuilt: {derived:.1f} s"
        )
        as_of = DAY + dt.timedelta(days=400)
        cpu = time.process_time()
        seconds, found = timed(lambda: store.indicators(as_of=as_of))
        cpu = (time.process_time() - cpu) / 3
        print(
            f"  indicators(), whole caseload: {seconds:.2f} s wall (median of 3), {cpu:.2f} s CPU"
            f" (mean); {found.trajectories:,} clients; load average {os.getloadavg()[0]:.1f}"
        )
        seconds, _ = timed(lambda: store.indicators(as_of=as_of, professional="km-7"))
        print(f"  indicators(professional=...): {seconds:.2f} s")
        sample = store.clients()[:2000]
        t0 = time.perf_counter()
        whole = [store.trajectory(c) for c in sample]
        read = time.perf_counter() - t0
        print(
            f"  trajectory() read back whole: {1e3 * read / len(sample):.2f} ms each ({len(sample)} clients)"
        )
        t0 = time.perf_counter()
        diagnose.caseload_indicators(whole, as_of=as_of, knowledge_base=kb)
        print(
            f"  caseload_indicators over those: {1e6 * (time.perf_counter() - t0) / len(sample):.1f} µs each"
        )
        later = diagnose.assess({"se_1": 3, "se_2": 3, "se_3": 3}, knowledge_base=kb, as_of=as_of)
        open_ = [t.client for t in whole if t.evaluated_on is None][:200]
        t0 = time.perf_counter()
        for c in open_:
            store.record_measurement(c, later, professional="km-1")
        print(f"  record_measurement: {1e3 * (time.perf_counter() - t0) / 200:.1f} ms each (200 clients)")
        seconds, report = timed(store.verify, runs=1)
        print(f"  verify(): {seconds:.1f} s for {report.events:,} events")


if __name__ == "__main__":
    main()
