"""`diagnose batch` throughput, CPU per intake, the ceiling it gives, and peak memory.

    python bench/batch.py [ROWS] [RUNS]           # default 200,000 rows, 3 runs of each output
    python bench/batch.py 10000000 1 --csv-only --distinct 200000   # memory over ten million rows
    python bench/batch.py 200000 3 --null     # and JSON Lines into /dev/null: what the file costs
    python bench/batch.py 200000 3 --against ../before/src   # and each with an earlier checkout

Writes a JSON Lines caseload of ROWS fresh random intakes (as `bench/run.py` makes them; ids
`c0`, `c1`, ...) into a temporary folder, then runs `python -m diagnose batch SOURCE TARGET
--workers 2` in a fresh process per run: to a CSV summary and to JSON Lines (whole diagnoses),
in rotating order, RUNS times each (with `--null`, also JSON Lines into /dev/null: the same
diagnoses made and passed to the main process, nothing stored, so the difference is what
writing the file costs). Per run: the wall time, the CPU time of the command and its
worker processes (user + system, from `getrusage` of the waited-for children), and the peak
resident memory of the largest process and of all of them together (sampled from /proc every
0.2 s). A run of 10 rows gives the start-up (imports, knowledge-base load, worker start).

Reported per output: the median rate with the range (start-up included), the median CPU per
intake (and with the start-up's CPU taken off), the ceiling on 2 cores that the latter gives
(2 / CPU per intake: what the command would reach with both cores to itself and no start-up),
the start-up, and the peak memory; the machine's load average before and after. Not a test:
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import fresh_intakes

import diagnose

PAGE = os.sysconf("SC_PAGE_SIZE")
#: The target of `--null`: the diagnoses are made and sent to the main process, not stored.
NULL = Path(os.devnull)


def write_caseload(path: Path, rows: int, seed: int = 2, distinct: int | None = None) -> None:
    """Fresh random intakes, from `bench/run.py`'s `fresh_intakes`, one JSON line each.

    With `distinct`, the answers go round that many distinct intakes (each row keeps an id of its
    own): ten million rows are written in a minute instead of a quarter of an hour.
    """
    kb = diagnose.load_knowledge_base()
    fresh = rows if distinct is None else min(rows, distinct)
    made: list[str] = []  # kept only to go round them
    with path.open("w", encoding="utf-8") as stream:
        for n, answers in enumerate(fresh_intakes(kb, fresh, seed)):
            text = json.dumps(answers)
            if distinct is not None:
                made.append(text)
            stream.write(f'{{"id": "c{n}", "answers": {text}}}\n')
        for n in range(fresh, rows):
            stream.write(f'{{"id": "c{n}", "answers": {made[n % fresh]}}}\n')


def _tree(root: int) -> list[int]:
    """The process and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(children.get(pid, []))
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class Sampler(threading.Thread):
    """Peak RSS of the largest process and of the whole tree, and the tree's RSS over time."""

    def __init__(self, pid: int) -> None:
        """Watch the process `pid` and its descendants."""
        super().__init__(daemon=True)
        self.pid, self.largest, self.total = pid, 0, 0
        self.timeline: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        """Sample every 0.2 s until `done` is set."""
        start = time.perf_counter()
        while not self.done.is_set():
            sizes = [_rss(pid) for pid in _tree(self.pid)]
            if sizes:
                self.largest = max(self.largest, *sizes)
                self.total = max(self.total, sum(sizes))
                self.timeline.append((time.perf_counter() - start, sum(sizes)))
            self.done.wait(0.2)


def one_run(source: Path, target: Path, package: Path | None = None) -> dict[str, float]:
    """One `diagnose batch` in a fresh process: wall, CPU of it and its workers, peak memory.

    With `package`, a source folder (`src` of another checkout) the command imports `diagnose`
    from instead of the installed one.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "diagnose", "batch", str(source), str(target), "--workers", "2"]
    env = os.environ | ({"PYTHONPATH": str(package)} if package is not None else {})
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)  # noqa: S603 - our own CLI, fixed arguments
    sampler = Sampler(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"diagnose batch failed: {stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if target != NULL:
        target.unlink()  # deleted at once: its pages are never written back to disk
        Path(f"{target}.errors.jsonl").unlink(missing_ok=True)
    third = len(sampler.timeline) // 3
    middle = [rss for _, rss in sampler.timeline[third : 2 * third]] or [0]
    last = [rss for _, rss in sampler.timeline[2 * third :]] or [0]
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "largest_mb": sampler.largest / 1e6,
        "total_mb": sampler.total / 1e6,
        "middle_third_peak_mb": max(middle) / 1e6,
        "last_third_peak_mb": max(last) / 1e6,
    }


def main() -> None:
    """Make the caseload, run every output in turn, print the table as Markdown."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("rows", type=int, nargs="?", default=200_000)
    parser.add_argument("runs", type=int, nargs="?", default=3)
    parser.add_argument("--csv-only", action="store_true", help="Only the CSV summary output.")
    parser.add_argument("--distinct", type=int, help="Go round this many distinct intakes (ids stay unique).")
    parser.add_argument(
        "--null",
        action="store_true",
        help="Also JSON Lines into /dev/null: the same work without the file (what writing costs).",
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="Also each output with the package from this source folder (the src of a checkout of "
        "an earlier commit), interleaved with the installed one: a before and after in one run.",
    )
    parser.add_argument(
        "--folder", type=Path, help="Where to write the caseload (default: a temporary folder)."
    )
    args = parser.parse_args()
    outputs: dict[str, str | Path] = (
        {"CSV summary": "out.csv"} if args.csv_only else {"CSV summary": "out.csv", "JSON Lines": "out.jsonl"}
    )
    if args.null:
        outputs["JSON Lines into /dev/null"] = NULL
    packages: dict[str, Path | None] = dict.fromkeys(outputs)
    if args.against is not None:  # each output with the other package right after it
        both: dict[str, str | Path] = {}
        for label, target in outputs.items():
            both[label] = both[f"{label} ({args.against})"] = target
            packages[f"{label} ({args.against})"] = args.against.resolve()
        outputs = both
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(dir=args.folder) as name:
        folder = Path(name)
        source, small = folder / "caseload.jsonl", folder / "small.jsonl"
        write_caseload(source, args.rows, distinct=args.distinct)
        write_caseload(small, 10, seed=3)
        results: dict[str, list[dict[str, float]]] = {label: [] for label in outputs}
        startups: dict[str, list[dict[str, float]]] = {label: [] for label in outputs}
        order = list(outputs)
        for run in range(args.runs):
            for label in order[run % len(order) :] + order[: run % len(order)]:
                target = folder / outputs[label]  # /dev/null stays itself (an absolute path)
                startups[label].append(one_run(small, target, packages[label]))
                results[label].append(one_run(source, target, packages[label]))
    load_after = os.getloadavg()
    lines = [
        (
            f"{args.rows:,} rows"
            + (f" going round {args.distinct:,} distinct intakes" if args.distinct else " of fresh intakes")
            + f", {args.runs} runs each, `--workers 2`, {os.cpu_count()} cores; "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after."
        ),
        "",
        (
            "| output | intakes/s (median, range) | CPU per intake (start-up taken off) | ceiling on 2 cores "
            "| start-up (10 rows) "
            "| peak RSS, largest process | peak RSS, all processes | middle / last third of the run |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, runs in results.items():
        rates = [args.rows / r["wall_s"] for r in runs]
        start_cpu = statistics.median(r["cpu_s"] for r in startups[label])
        cpu_us = statistics.median(r["cpu_s"] for r in runs) / args.rows * 1e6
        steady_us = (statistics.median(r["cpu_s"] for r in runs) - start_cpu) / args.rows * 1e6
        startup = statistics.median(r["wall_s"] for r in startups[label])
        lines.append(
            f"| {label} | {statistics.median(rates):,.0f} ({min(rates):,.0f} to {max(rates):,.0f}) "
            f"| {cpu_us:.1f} µs ({steady_us:.1f} µs) | {2 / steady_us * 1e6:,.0f}/s "
            f"| {startup:.2f} s, {start_cpu:.2f} s CPU "
            f"| {max(r['largest_mb'] for r in runs):.1f} MB | {max(r['total_mb'] for r in runs):.1f} MB "
            f"| {max(r['middle_third_peak_mb'] for r in runs):.1f} / "
            f"{max(r['last_third_peak_mb'] for r in runs):.1f} MB |"
        )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
