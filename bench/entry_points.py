"""How many generated inputs each public entry point was given, and its slowest rejection (not a test).

Runs the checks of `tests/property/entry_points.py` (the invariant: accepted, and a returned
model round-trips, or a `DiagnoseError`; never another exception) under hypothesis, N inputs
per entry point, and prints per entry point: inputs tried, accepted, rejected, and the slowest
rejection in milliseconds. Run from the repository root, with the worktree's `src` first:

    PYTHONPATH=src python bench/entry_points.py [N]
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` as a package

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.property import entry_points as ep

if TYPE_CHECKING:
    from collections.abc import Callable

    import diagnose

#: entry point → (outcome, seconds) of every input it was given
SEEN: dict[str, list[tuple[str, float]]] = defaultdict(list)


def timed(name: str, check: Callable[[], ep.Outcome]) -> None:
    """Run one check and note its outcome and time under the entry point's name."""
    start = time.perf_counter()
    result = check()
    SEEN[name].append((result, time.perf_counter() - start))


def run_all(n: int) -> None:  # noqa: C901 - one block per entry point, as in the tests
    """Give every entry point n generated inputs."""
    many = settings(max_examples=n, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    fewer = settings(
        max_examples=max(1, n // 3), database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )

    @many
    @given(ep.answer_maps() | ep.JUNK, ep.CONTEXTS, ep.AS_OF)
    def assess(answers: object, context: object, as_of: object) -> None:
        timed("assess", lambda: ep.check_assess(answers, context, as_of))

    @many
    @given(ep.INTAKES, ep.BATCH_ARGS)
    def assess_many(intakes: object, arguments: dict[str, Any]) -> None:
        timed("assess_many", lambda: ep.check_assess_many(intakes, arguments, as_json=False))

    @many
    @given(ep.INTAKES, ep.BATCH_ARGS)
    def assess_many_json(intakes: object, arguments: dict[str, Any]) -> None:
        timed("assess_many_json", lambda: ep.check_assess_many(intakes, arguments, as_json=True))

    @many
    @given(ep.frames(), st.sampled_from([1, 3, 0, 2.0, "3"]))
    def frame(given_frame: tuple[list[str], list[list[object]]], top: object) -> None:
        timed("assess_frame", lambda: ep.check_frame(*given_frame, top))

    @many
    @given(ep.frames(), st.sampled_from([1, 3, 0, 2.0, "3"]))
    def table(given_frame: tuple[list[str], list[list[object]]], top: object) -> None:
        timed("assess_table", lambda: ep.check_table(*given_frame, top))

    @many
    @given(ep.CSV_TEXT)
    def csv_rows(text: str) -> None:
        timed("read_rows (CSV of diagnose batch)", lambda: ep.check_csv(text))

    @fewer
    @given(st.lists(st.tuples(ep.PLACES, ep.ENTRY), min_size=1, max_size=3))
    def load(entries: list[tuple[str, tuple[str, str]]]) -> None:
        timed("load_knowledge_base", lambda: ep.check_load(entries))

    @many
    @given(st.data())
    def build_plan(data: st.DataObject) -> None:
        diagnosis = data.draw(ep.ANY_DIAGNOSIS)
        chosen = data.draw(ep.decisions(diagnosis))
        as_of, kb = data.draw(ep.AS_OF), data.draw(ep.KNOWLEDGE_BASES | st.none())
        timed("build_plan", lambda: ep.check_build_plan(diagnosis, chosen, as_of, kb))

    @many
    @given(ep.ANY_DIAGNOSIS, ep.ANY_DIAGNOSIS, ep.KNOWLEDGE_BASES, st.sampled_from([False, True]))
    def compare(before: diagnose.Diagnosis, after: diagnose.Diagnosis, kb: object, allow: object) -> None:
        timed("compare", lambda: ep.check_compare(before, after, kb, allow))

    def cycle(function: Any) -> Callable[[], None]:  # noqa: ANN401 - one of three literal names
        @many
        @given(st.lists(ep.trajectories(), min_size=1, max_size=2), ep.AS_OF, ep.KNOWLEDGE_BASES)
        def run(given: list[diagnose.Trajectory], as_of: object, kb: diagnose.KnowledgeBase) -> None:
            timed(function, lambda: ep.check_cycle(function, given, as_of, kb))

        return run

    @many
    @given(ep.ANY_DIAGNOSIS, st.none() | ep.ANY_DIAGNOSIS, ep.CHART_ARGS, ep.KNOWLEDGE_BASES)
    def chart(
        d: diagnose.Diagnosis, before: diagnose.Diagnosis | None, arguments: dict[str, Any], kb: object
    ) -> None:
        profile = before.profile if before is not None else None
        timed("profile_chart", lambda: ep.check_chart(d.profile, profile, arguments, kb))

    for test in (
        assess, assess_many, assess_many_json, frame, table, csv_rows, load, build_plan, compare,
        cycle("review"), cycle("evaluate"), cycle("caseload_indicators"), chart,
    ):  # fmt: skip
        test()


def main() -> None:
    """Print one line per entry point: inputs, accepted, rejected, slowest rejection."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    start = time.perf_counter()
    run_all(n)
    took = time.perf_counter() - start
    print(f"{n} inputs per entry point (a third for load_knowledge_base), {took:.0f} s in all")
    print("| entry point | inputs | accepted | rejected | slowest rejection (ms) |")
    print("|---|---:|---:|---:|---:|")
    for name, seen in SEEN.items():
        rejected = [seconds for result, seconds in seen if result == "rejected"]
        slowest = f"{max(rejected) * 1000:.1f}" if rejected else "-"
        print(f"| {name} | {len(seen)} | {len(seen) - len(rejected)} | {len(rejected)} | {slowest} |")


if __name__ == "__main__":
    main()
