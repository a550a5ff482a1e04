"""Benchmark of the whole pipeline against its two baselines, measured side by side in one run.

    python bench/run.py                    # full run: writes bench/results.json, prints a table
    python bench/run.py --quick            # a smaller run, for trying things out
    python bench/run.py --markdown docs/benchmarks.md

Per intake, in the same loop and in rotating order (so that machine noise falls on all three):
  * `assess`: the whole pipeline (validation, scoring, durable-rules, recommendations, trace);
  * floor: the same pipeline with only the rule step replaced by generated Python over the same
    compiled rules (`bench/_floor.py`, `PythonRules`);
  * raw durable-rules: only the engine step (`RuleEngine.fired_encoded` of `scored_engine`, the one
    `assess` uses) on the prepared fact.
Per chunk of 256 intakes, also side by side in rotating order: the rule step as one durable-rules
session per intake (`RuleEngine.fired`) against one session per chunk (`fired_many`), and the whole
pipeline as `assess` per intake against the compiled batch pipeline (`diagnose.batch._compiled`).

Also: throughput of `assess_many`, `assess_many_json`, `diagnose batch` (full diagnoses as JSON
Lines, and a CSV summary) and `assess_table` with 1 and 2 processes, start-up included (median of 3);
knowledge-base load time (fresh, not cached); resident memory growth over many intakes, through
`assess` and through the batch pipeline. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diagnose.batch._compiled import compiled_rules
from diagnose.engine._cache import scored_engine

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

import pyarrow as pa
from _floor import PythonRules
from _handwritten import HandWritten

import diagnose
from diagnose.assessment.recommendation import _assess, build_fact
from diagnose.assessment.scoring import score, validate_intake
from diagnose.batch.tabular import assess_table
from diagnose.engine._durable import encode
from diagnose.knowledge._load import _load, default_knowledge_base_path


def intakes(kb: diagnose.KnowledgeBase, n: int, seed: int) -> list[dict[str, object]]:
    """Random but realistic intakes: most items answered, a few declined or not asked."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        answers: dict[str, object] = {}
        for item in kb.items:
            roll = rnd.random()
            if roll < 0.05:
                continue
            answers[item.id] = "declined" if roll < 0.08 else rnd.randint(item.scale.min, item.scale.max)
        out.append(answers)
    return out


def quantiles(samples: list[float]) -> dict[str, float]:
    """p50, p99 and mean in microseconds."""
    q = statistics.quantiles(samples, n=100)
    return {"p50_us": q[49] * 1e6, "p99_us": q[98] * 1e6, "mean_us": statistics.fmean(samples) * 1e6}


def rss_mb() -> float:
    """Current resident set size in MB (from /proc, so it can also go down)."""
    with Path("/proc/self/statm").open() as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def side_by_side(kb: diagnose.KnowledgeBase, rows: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    """Per-intake timings of the three paths, interleaved in rotating order."""
    engine, floor, hand = scored_engine(kb), PythonRules(kb), HandWritten(kb)
    facts = [encode(build_fact(score(kb, validate_intake(kb, a, {})[0]), {}), engine.fields) for a in rows]
    no_context: dict[str, object] = {}
    steps: dict[str, Callable[[dict[str, object], dict[str, object]], object]] = {
        "handwritten": lambda a, _f: hand(a, no_context),
        "assess": lambda a, _f: diagnose.assess(a, knowledge_base=kb),
        "floor": lambda a, _f: _assess(kb, a, None, floor.fired),
        "raw_durable": lambda _a, f: engine.fired_encoded([f]),
    }
    for a, fact in zip(rows[:500], facts, strict=False):  # warm up every path
        for step in steps.values():
            step(a, fact)
    runs: dict[str, list[float]] = {name: [] for name in steps}
    order = list(steps)
    clock = time.perf_counter
    for n, (a, fact) in enumerate(zip(rows, facts, strict=True)):
        turn = n % len(order)
        for name in order[turn:] + order[:turn]:
            start = clock()
            steps[name](a, fact)
            runs[name].append(clock() - start)
    return {name: quantiles(samples) for name, samples in runs.items()}


def chunked(kb: diagnose.KnowledgeBase, rows: list[dict[str, object]], size: int = 256) -> dict[str, float]:
    """Mean µs per intake, chunk by chunk in rotating order: per-intake against per-chunk paths."""
    engine, compiled = scored_engine(kb), compiled_rules(kb)
    facts = [encode(build_fact(score(kb, validate_intake(kb, a, {})[0]), {}), engine.fields) for a in rows]
    steps: dict[str, Callable[[int], object]] = {
        "rules_per_intake": lambda i: [engine.fired_encoded([f]) for f in facts[i : i + size]],
        "rules_per_chunk": lambda i: engine.fired_encoded(facts[i : i + size]),
        "assess_per_intake": lambda i: assess_each(kb, rows[i : i + size]),
        "compiled_per_chunk": lambda i: compiled.assess(rows[i : i + size]),
    }
    for step in steps.values():  # warm up
        step(0)
    totals = dict.fromkeys(steps, 0.0)
    order = list(steps)
    for n, i in enumerate(range(0, len(rows) - size + 1, size)):
        for name in order[n % 4 :] + order[: n % 4]:
            start = time.perf_counter()
            steps[name](i)
            totals[name] += time.perf_counter() - start
    count = (len(rows) // size) * size
    return {name: total / count * 1e6 for name, total in totals.items()}


PATHS = ("assess_many", "assess_many_json", "assess_table")


def timed_path(path: str, workers: int, n: int) -> float:
    """Intakes per second through one API path, in this (fresh) process, start-up included.

    Run in a process of its own (see `throughput`), so that what the rest of the benchmark holds
    in memory does not slow down the garbage collector here.
    """
    kb = diagnose.load_knowledge_base()
    rows = intakes(kb, n, seed=2)
    if path == "assess_table":
        # An Arrow column has one type: whole numbers here, a declined answer as a missing cell.
        # Building the table is the caller's work, so it is not timed.
        numbers = [{k: v for k, v in a.items() if isinstance(v, int)} for a in rows]
        table = pa.Table.from_pylist(numbers, schema=pa.schema([(i.id, pa.int64()) for i in kb.items]))
        start = time.perf_counter()
        assess_table(table, knowledge_base=kb)
        return n / (time.perf_counter() - start)
    function = diagnose.assess_many if path == "assess_many" else diagnose.assess_many_json
    start = time.perf_counter()
    count = sum(1 for _ in function(rows, knowledge_base=kb, workers=workers, errors="return"))
    return count / (time.perf_counter() - start)


def assess_each(kb: diagnose.KnowledgeBase, rows: list[dict[str, object]]) -> None:
    """`assess` each intake, keeping no result (a list of results would slow the garbage collector)."""
    for a in rows:
        diagnose.assess(a, knowledge_base=kb)


def throughput(kb: diagnose.KnowledgeBase, n: int, workers: int, repeats: int = 3) -> dict[str, float]:
    """Intakes per second through each batch path with this many processes, start-up included.

    Each path runs in a fresh Python process: the API paths through `--path`, the command line
    as `diagnose batch` on a JSON Lines caseload (to JSON Lines with whole diagnoses, and to a
    CSV summary), each reading and writing real files. The median of `repeats` runs, taken in
    turn, so that a burst of load on the machine does not decide a figure.
    """
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "caseload.jsonl"
        with source.open("w", encoding="utf-8") as stream:
            rows = intakes(kb, n, seed=2)
            stream.writelines(json.dumps({"id": f"c{i}", "answers": a}) + "\n" for i, a in enumerate(rows))
        for _ in range(repeats):
            for path in PATHS if workers == 1 else PATHS[:2]:
                rate = in_fresh_process("--path", path, "--workers", str(workers), "--n", str(n))
                samples.setdefault(path, []).append(rate)
            for name, target in (("cli_jsonl", "out.jsonl"), ("cli_csv", "out.csv")):
                command = [sys.executable, "-m", "diagnose", "batch", str(source), str(Path(folder) / target)]
                start = time.perf_counter()
                subprocess.run([*command, "--workers", str(workers)], check=True, capture_output=True)  # noqa: S603 - our own CLI, fixed arguments
                samples.setdefault(name, []).append(n / (time.perf_counter() - start))
                # Deleted at once, its pages are never written back to disk: the kernel's late
                # writeback of 1.8 GB would otherwise take CPU from the runs that follow.
                (Path(folder) / target).unlink()
    return {name: statistics.median(rates) for name, rates in samples.items()}


def load_times(repeats: int) -> dict[str, float]:
    """Median and maximum time to load the packaged knowledge base afresh (not the cached one)."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        _load(default_knowledge_base_path())
        samples.append(time.perf_counter() - start)
    return {"median_ms": statistics.median(samples) * 1e3, "max_ms": max(samples) * 1e3}


def memory(path: str, total: int) -> dict[str, float]:
    """Resident memory of this (fresh) process before and after `total` intakes, after a warm-up.

    `assess` goes round 10,000 intakes after 2,000 to warm up. The batch path gets fresh
    intakes all the way (a generator), so that its bounded caches meet as many distinct results
    as a real caseload of that size could give them; its warm-up is the first tenth of the stream.
    Run in a process of its own (see `main`): in the benchmark's own process, which holds
    hundreds of MB, freed memory hides any growth.
    """
    kb = diagnose.load_knowledge_base()
    before = after = 0.0
    if path == "assess":
        rows = intakes(kb, 10_000, seed=99)
        for a in rows[:2_000]:
            diagnose.assess(a, knowledge_base=kb)
        before = rss_mb()
        for n in range(total):
            diagnose.assess(rows[n % len(rows)], knowledge_base=kb)
    else:
        warm_up = total // 10
        stream = fresh_intakes(kb, warm_up + total, seed=98)
        for n, _ in enumerate(diagnose.assess_many_json(stream, knowledge_base=kb)):
            if n == warm_up:
                before = rss_mb()
    after = rss_mb()
    return {"intakes": total, "rss_before_mb": before, "rss_after_mb": after, "growth_mb": after - before}


def in_fresh_process(*arguments: str) -> Any:  # noqa: ANN401 - JSON of any shape
    """Run this script with hidden arguments in a new process and read the JSON it prints."""
    command = [sys.executable, __file__, *arguments]
    done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 - this script, fixed arguments
    return json.loads(done.stdout)


def fresh_intakes(kb: diagnose.KnowledgeBase, n: int, seed: int) -> Iterator[dict[str, object]]:
    """Like `intakes`, generated one at a time."""
    while n > 0:
        chunk = min(n, 1_000)
        yield from intakes(kb, chunk, seed)
        n, seed = n - chunk, seed + 1


def main() -> None:
    """Run everything, write bench/results.json, print (and optionally write) a Markdown table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="Fewer intakes (for trying things out).")
    parser.add_argument("--markdown", type=Path, help="Also write the table to this Markdown file.")
    parser.add_argument(
        "--per-intake", type=int, metavar="N", help="Only the per-intake side-by-side table, over N intakes."
    )
    parser.add_argument("--path", choices=PATHS, help=argparse.SUPPRESS)  # one throughput run
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--memory", choices=("assess", "assess_many_json"), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.path:
        sys.stdout.write(f"{timed_path(args.path, args.workers, args.n)}\n")
        return
    if args.memory:
        sys.stdout.write(json.dumps(memory(args.memory, args.n)) + "\n")
        return
    if args.per_intake:
        kb = diagnose.load_knowledge_base()
        per = side_by_side(kb, intakes(kb, args.per_intake, seed=1))
        floor = per["handwritten"]["p50_us"]
        for name, q in per.items():
            line = (
                f"{name:12s} p50 {q['p50_us']:7.1f} µs  p99 {q['p99_us']:7.1f} µs  x{q['p50_us'] / floor:.2f}"
            )
            sys.stdout.write(line + "\n")
        return
    n, batch_n, mem_n = (3_000, 10_000, 50_000) if args.quick else (30_000, 200_000, 1_000_000)
    kb = diagnose.load_knowledge_base()
    rows = intakes(kb, n, seed=1)
    result: dict[str, Any] = {
        "date": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "knowledge_base": (
            f"{kb.id} {kb.version}: {len(kb.items)} items, {len(kb.factors)} factors, {len(kb.rules)} rules"
        ),
        "per_intake": side_by_side(kb, rows),
        "per_intake_in_chunks": chunked(kb, rows),
        "kb_load": load_times(20),
    }
    result["throughput_per_s"] = {
        "1_process": throughput(kb, batch_n, 1),
        "2_processes": throughput(kb, batch_n, 2),
    }
    result["throughput_intakes"] = batch_n
    result["memory"] = {
        path: in_fresh_process("--memory", path, "--n", str(mem_n)) for path in ("assess", "assess_many_json")
    }
    per = result["per_intake"]
    chunks = result["per_intake_in_chunks"]
    result["ratios"] = {
        "assess_over_handwritten_p50": per["assess"]["p50_us"] / per["handwritten"]["p50_us"],
        "assess_over_floor_p50": per["assess"]["p50_us"] / per["floor"]["p50_us"],
        "assess_over_raw_durable_p50": per["assess"]["p50_us"] / per["raw_durable"]["p50_us"],
        "rules_per_intake_over_per_chunk": chunks["rules_per_intake"] / chunks["rules_per_chunk"],
        "assess_over_compiled": chunks["assess_per_intake"] / chunks["compiled_per_chunk"],
    }
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = render(result)
    sys.stdout.write(table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")


def render(r: dict[str, Any]) -> str:
    """The results as Markdown."""
    per, chunks = r["per_intake"], r["per_intake_in_chunks"]
    lines = [
        f"Measured {r['date']} on {r['machine']}; {r['knowledge_base']}.",
        "",
        "| per intake, one at a time | p50 (µs) | p99 (µs) | mean (µs) |",
        "| --- | ---: | ---: | ---: |",
    ]
    names = {
        "handwritten": "hand-written pure Python (the floor, `bench/_handwritten.py`)",
        "assess": "`assess` (whole pipeline, durable-rules)",
        "floor": "same pipeline, generated Python rules",
        "raw_durable": "durable-rules step alone",
    }
    for key, label in names.items():
        q = per[key]
        lines.append(f"| {label} | {q['p50_us']:.1f} | {q['p99_us']:.1f} | {q['mean_us']:.1f} |")
    lines += [
        "",
        "| per intake, in chunks of 256 (mean) | µs |",
        "| --- | ---: |",
        f"| durable-rules step, one session per intake | {chunks['rules_per_intake']:.1f} |",
        f"| durable-rules step, one session per chunk (batch) | {chunks['rules_per_chunk']:.1f} |",
        f"| `assess`, one intake at a time | {chunks['assess_per_intake']:.1f} |",
        f"| compiled batch pipeline (same JSON as `assess`) | {chunks['compiled_per_chunk']:.1f} |",
    ]
    ratios, tp, load = r["ratios"], r["throughput_per_s"], r["kb_load"]
    one, two = tp["1_process"], tp["2_processes"]
    labels = {
        "assess_many": "`assess_many` (result objects)",
        "assess_many_json": "`assess_many_json` (JSON text)",
        "cli_jsonl": "`diagnose batch` JSON Lines to JSON Lines (whole diagnoses)",
        "cli_csv": "`diagnose batch` JSON Lines to CSV summary",
        "assess_table": "`assess_table` (Arrow, levels and advice)",
    }
    lines += [
        "",
        f"| intakes/s ({r['throughput_intakes']:,}, with start-up, median of 3) | 1 process | 2 processes |",
        "| --- | ---: | ---: |",
    ]
    for key, label in labels.items():
        second = f"{two[key]:,.0f}" if key in two else "-"
        lines.append(f"| {label} | {one[key]:,.0f} | {second} |")
    lines += [
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| `assess` / hand-written floor (p50) | {ratios['assess_over_handwritten_p50']:.2f}x |",
        f"| `assess` / generated Python rules (p50) | {ratios['assess_over_floor_p50']:.2f}x |",
        f"| `assess` / durable-rules step alone (p50) | {ratios['assess_over_raw_durable_p50']:.2f}x |",
        f"| rule step per intake / per chunk | {ratios['rules_per_intake_over_per_chunk']:.2f}x |",
        f"| `assess` / compiled batch pipeline | {ratios['assess_over_compiled']:.2f}x |",
        f"| knowledge-base load (median / max of 20) | {load['median_ms']:.1f} / {load['max_ms']:.1f} ms |",
    ]
    for path, mem in r["memory"].items():
        growth = f"{mem['rss_before_mb']:.1f} to {mem['rss_after_mb']:.1f} MB ({mem['growth_mb']:+.1f} MB)"
        lines.append(f"| resident memory over {mem['intakes']:,} intakes, `{path}` | {growth} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
