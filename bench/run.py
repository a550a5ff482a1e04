"""Benchmark of the whole pipeline against its two baselines, measured side by side in one run.

    python bench/run.py                    # full run: writes bench/results.json, prints a table
    python bench/run.py --quick            # a smaller run, for trying things out
    python bench/run.py --markdown docs/benchmarks.md

Per intake, in the same loop and in rotating order (so that machine noise falls on all three):
  * `assess`: the whole pipeline (validation, scoring, durable-rules, recommendations, trace);
  * floor: the same pipeline with only the rule step replaced by generated Python over the same
    compiled rules (`diagnose._engine.PythonRules`);
  * raw durable-rules: only `RuleEngine.fired` on the prepared fact.
Also: throughput of `assess_many` with 1 and 2 processes, knowledge-base load time (fresh, not
cached), and resident memory growth over many intakes. Not a test: numbers depend on the machine.
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
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

import diagnose
from diagnose._engine import PythonRules
from diagnose.knowledge import _load, default_knowledge_base_path
from diagnose.recommendation import _assess, build_fact
from diagnose.scoring import score, validate_intake


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
    engine, floor = kb.engine(), PythonRules(kb)
    facts = [build_fact(score(kb, validate_intake(kb, a, {})[0]), {}) for a in rows]
    for a in rows[:500]:  # warm up every path
        diagnose.assess(a, knowledge_base=kb)
        _assess(kb, a, None, floor.fired)
    runs: dict[str, list[float]] = {"assess": [], "floor": [], "raw_durable": []}
    steps: dict[str, Callable[[dict[str, object], dict[str, object]], object]] = {
        "assess": lambda a, _f: diagnose.assess(a, knowledge_base=kb),
        "floor": lambda a, _f: _assess(kb, a, None, floor.fired),
        "raw_durable": lambda _a, f: engine.fired(f),
    }
    order = list(steps)
    clock = time.perf_counter
    for n, (a, fact) in enumerate(zip(rows, facts, strict=True)):
        for name in order[n % 3 :] + order[: n % 3]:
            start = clock()
            steps[name](a, fact)
            runs[name].append(clock() - start)
    return {name: quantiles(samples) for name, samples in runs.items()}


def throughput(kb: diagnose.KnowledgeBase, rows: list[dict[str, object]], workers: int) -> float:
    """Intakes per second through `assess_many` with this many processes."""
    start = time.perf_counter()
    count = sum(1 for _ in diagnose.assess_many(rows, knowledge_base=kb, workers=workers, chunk_size=500))
    return count / (time.perf_counter() - start)


def load_times(repeats: int) -> dict[str, float]:
    """Median and maximum time to load the packaged knowledge base afresh (not the cached one)."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        _load(default_knowledge_base_path())
        samples.append(time.perf_counter() - start)
    return {"median_ms": statistics.median(samples) * 1e3, "max_ms": max(samples) * 1e3}


def memory(kb: diagnose.KnowledgeBase, total: int) -> dict[str, float]:
    """Resident memory before and after `total` assessments (after a warm-up)."""
    rows = intakes(kb, 10_000, seed=99)
    for a in rows[:2_000]:
        diagnose.assess(a, knowledge_base=kb)
    before = rss_mb()
    for n in range(total):
        diagnose.assess(rows[n % len(rows)], knowledge_base=kb)
    after = rss_mb()
    return {"intakes": total, "rss_before_mb": before, "rss_after_mb": after, "growth_mb": after - before}


def main() -> None:
    """Run everything, write bench/results.json, print (and optionally write) a Markdown table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="Fewer intakes (for trying things out).")
    parser.add_argument("--markdown", type=Path, help="Also write the table to this Markdown file.")
    args = parser.parse_args()
    n, batch_n, mem_n = (3_000, 10_000, 50_000) if args.quick else (30_000, 100_000, 1_000_000)
    kb = diagnose.load_knowledge_base()
    rows = intakes(kb, n, seed=1)
    result: dict[str, Any] = {
        "date": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "knowledge_base": (
            f"{kb.id} {kb.version}: {len(kb.items)} items, {len(kb.factors)} factors, {len(kb.rules)} rules"
        ),
        "per_intake": side_by_side(kb, rows),
        "kb_load": load_times(20),
    }
    batch_rows = intakes(kb, batch_n, seed=2)
    result["throughput_per_s"] = {
        "1_process": throughput(kb, batch_rows, 1),
        "2_processes": throughput(kb, batch_rows, 2),
    }
    result["memory"] = memory(kb, mem_n)
    per = result["per_intake"]
    result["ratios"] = {
        "assess_over_floor_p50": per["assess"]["p50_us"] / per["floor"]["p50_us"],
        "assess_over_raw_durable_p50": per["assess"]["p50_us"] / per["raw_durable"]["p50_us"],
    }
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = render(result)
    sys.stdout.write(table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")


def render(r: dict[str, Any]) -> str:
    """The results as Markdown."""
    per = r["per_intake"]
    lines = [
        f"Measured {r['date']} on {r['machine']}; {r['knowledge_base']}.",
        "",
        "| per intake | p50 (µs) | p99 (µs) | mean (µs) |",
        "| --- | ---: | ---: | ---: |",
    ]
    names = {
        "assess": "`assess` (whole pipeline, durable-rules)",
        "floor": "same pipeline, generated Python rules (floor)",
        "raw_durable": "durable-rules step alone",
    }
    for key, label in names.items():
        q = per[key]
        lines.append(f"| {label} | {q['p50_us']:.1f} | {q['p99_us']:.1f} | {q['mean_us']:.1f} |")
    ratios, tp, load, mem = r["ratios"], r["throughput_per_s"], r["kb_load"], r["memory"]
    growth = f"{mem['rss_before_mb']:.1f} to {mem['rss_after_mb']:.1f} MB ({mem['growth_mb']:+.1f} MB)"
    lines += [
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| `assess` / floor (p50) | {ratios['assess_over_floor_p50']:.2f}x |",
        f"| `assess` / durable-rules step alone (p50) | {ratios['assess_over_raw_durable_p50']:.2f}x |",
        f"| `assess_many`, 1 process | {tp['1_process']:,.0f} intakes/s |",
        f"| `assess_many`, 2 processes | {tp['2_processes']:,.0f} intakes/s |",
        f"| knowledge-base load (median / max of 20) | {load['median_ms']:.1f} / {load['max_ms']:.1f} ms |",
        f"| resident memory over {mem['intakes']:,} intakes | {growth} |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
