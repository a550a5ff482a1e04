"""What `assess_dask` costs: per partition, and in throughput against the local batch.

    python bench/dask_bench.py                          # 200,000 rows, 3 runs, prints a table
    python bench/dask_bench.py --rows 20000 --runs 1    # a quick try
    python bench/dask_bench.py --markdown bench/results.md   # also (re)writes its section there

On a `distributed.LocalCluster` of two worker processes with one thread each (the machine's two
cores), against `assess_frame` (the local batch over a pandas DataFrame) in one process. Each
run starts a new cluster and a new process for the local batch, so every figure includes no
state left by another; the measurements of a run are taken in rotating order, and the table
gives the median over the runs. It measures:

  * throughput, rows/s: `assess_frame` in one fresh process (after a warm-up of 1,000 rows);
    `assess_dask` over `dd.from_pandas(frame)` (the rows go from this process to the workers)
    and over `dd.read_parquet` (each worker reads its own partitions), both in 8 partitions;
  * per partition: the same 6,400 rows in 4 and in 64 partitions; the difference in wall time
    over the 60 extra partitions is what one more partition costs (two run at a time), beside
    the same for a partition function that does nothing (dask's own cost per task);
  * the first call: a tiny frame on a new cluster, where each worker loads the knowledge base
    from the files sent to it, against the same call again.

The machine's load average is noted before and after. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import logging
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dask
import dask.dataframe
import distributed as _distributed
import pandas as pd

import diagnose
from diagnose.batch import assess_dask
from diagnose.batch.tabular import assess_frame

if TYPE_CHECKING:
    from collections.abc import Callable

#: dask and distributed are not annotated: used through these names, untyped.
dd: Any = dask.dataframe
distributed: Any = _distributed
VERSIONS = ("dask", "distributed", "pandas")
PARTITIONS = 8
SMALL_ROWS = 6_400
FEW, MANY = 4, 64
START = "<!-- --8<-- [start:dask] -->"
END = "<!-- --8<-- [end:dask] -->"


def caseload(kb: diagnose.KnowledgeBase, n: int, seed: int = 1) -> pd.DataFrame:
    """Rows as a table holds them: an id, most items answered (whole numbers), 1 row in 100 bad."""
    rnd = random.Random(seed)
    rows: list[dict[str, object]] = []
    for i in range(n):
        row: dict[str, object] = {"id": f"c{i}"}
        for item in kb.items:
            if rnd.random() >= 0.05:
                row[item.id] = rnd.randint(item.scale.min, item.scale.max)
        if rnd.random() < 0.01:
            row[kb.items[0].id] = kb.items[0].scale.max + 4
        rows.append(row)
    return pd.DataFrame(rows)


def local_throughput(n: int) -> float:
    """Rows/s of `assess_frame` in this process (run in a fresh one)."""
    kb = diagnose.load_knowledge_base()
    frame = caseload(kb, n)
    assess_frame(frame.iloc[:1_000], knowledge_base=kb)  # warm-up: the compiled pipeline is built
    start = time.perf_counter()
    assess_frame(frame, knowledge_base=kb)
    return n / (time.perf_counter() - start)


def fresh_local(n: int) -> float:
    """`local_throughput` in a new Python process."""
    command = [sys.executable, __file__, "--local", str(n)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 - this script, fixed arguments
    return float(done.stdout)


def _nothing(partition: pd.DataFrame) -> pd.DataFrame:
    """A partition function that does no work: dask's own cost per partition."""
    return pd.DataFrame(index=partition.index)


def timed(work: Callable[[], object]) -> float:
    """Seconds `work` took."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def dask_rows(frame: Any) -> int:  # noqa: ANN401 - a dask DataFrame
    """Assess a dask frame on the cluster; the number of rows that came back."""
    result: Any = assess_dask(frame)  # dask's compute is not annotated
    return len(result.compute())


def one_run(frame: pd.DataFrame, parquet: Path, turn: int) -> dict[str, float]:
    """One run on a new cluster: every measurement once, in an order rotated by `turn`."""
    small = frame.iloc[:SMALL_ROWS]
    out: dict[str, float] = {}
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=":0",  # any free port: never a warning that 8787 is taken
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster),
    ):
        tiny = dd.from_pandas(frame.iloc[:20], npartitions=2)
        out["first_s"] = timed(lambda: dask_rows(tiny))
        out["second_call_s"] = timed(lambda: dask_rows(tiny))
        few, many = dd.from_pandas(small, npartitions=FEW), dd.from_pandas(small, npartitions=MANY)
        # The smaller frames are persisted on the workers first, so that their times hold no transfer.
        few, many = few.persist(), many.persist()
        distributed.wait([few, many])
        measures: list[tuple[str, Callable[[], float]]] = [
            ("local_rows_per_s", lambda: fresh_local(len(frame))),
            (
                "from_pandas_s",
                lambda: timed(lambda: dask_rows(dd.from_pandas(frame, npartitions=PARTITIONS))),
            ),
            ("parquet_s", lambda: timed(lambda: dask_rows(dd.read_parquet(parquet)))),
            ("few_s", lambda: timed(lambda: dask_rows(few))),
            ("many_s", lambda: timed(lambda: dask_rows(many))),
            ("nothing_few_s", lambda: timed(few.map_partitions(_nothing, meta=pd.DataFrame()).compute)),
            ("nothing_many_s", lambda: timed(many.map_partitions(_nothing, meta=pd.DataFrame()).compute)),
        ]
        shift = turn % len(measures)
        for name, measure in measures[shift:] + measures[:shift]:
            out[name] = measure()
    rows = len(frame)
    out["from_pandas_rows_per_s"] = rows / out.pop("from_pandas_s")
    out["parquet_rows_per_s"] = rows / out.pop("parquet_s")
    extra = MANY - FEW
    out["per_partition_ms"] = (out["many_s"] - out["few_s"]) / extra * 1e3
    out["nothing_per_partition_ms"] = (out["nothing_many_s"] - out["nothing_few_s"]) / extra * 1e3
    return out


def main() -> None:
    """Run the measurements, print them as JSON and Markdown, optionally write the section."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", type=Path, help="Write the table as the dask section of this file.")
    parser.add_argument("--local", type=int, help=argparse.SUPPRESS)  # one local run, in a fresh process
    args = parser.parse_args()
    if args.local:
        sys.stdout.write(f"{local_throughput(args.local)}\n")
        return
    kb = diagnose.load_knowledge_base()
    frame = caseload(kb, args.rows)
    load_before = os.getloadavg()
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        parquet = Path(folder) / "caseload"
        with dask.config.set(scheduler="synchronous"):
            dd.from_pandas(frame, npartitions=PARTITIONS).to_parquet(parquet)
        for turn in range(args.runs):
            runs.append(one_run(frame, parquet, turn))
            sys.stderr.write(f"run {turn + 1}: {json.dumps(runs[-1])}\n")
    result = {
        "date": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "versions": ", ".join(
            f"{n} {importlib.metadata.version(n)}" for n in ("dask", "distributed", "pandas")
        ),
        "knowledge_base": f"{kb.id} {kb.version}: {len(kb.items)} items, {len(kb.rules)} rules",
        "rows": args.rows,
        "runs": args.runs,
        "load_average": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "median": {key: statistics.median(run[key] for run in runs) for key in runs[0]},
        "range": {key: [min(run[key] for run in runs), max(run[key] for run in runs)] for key in runs[0]},
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    table = render(result)
    sys.stdout.write(table)
    if args.markdown:
        write_section(args.markdown, table)


def render(r: dict[str, Any]) -> str:
    """The results as Markdown, between the markers of the dask section."""
    m, span = r["median"], r["range"]

    def rate(key: str) -> str:
        low, high = span[key]
        return f"{m[key]:,.0f} ({low:,.0f} to {high:,.0f})"

    def ms(key: str, scale: float = 1.0) -> str:
        low, high = span[key]
        return f"{m[key] * scale:.1f} ({low * scale:.1f} to {high * scale:.1f})"

    head = (
        f"`assess_dask`, measured {r['date']} on {r['machine']}; {r['versions']}; {r['knowledge_base']}. "
        f"A `LocalCluster` of two worker processes, one thread each; medians of {r['runs']} runs, each "
        f"on a new cluster (range in brackets); load average {r['load_average'][0]} before, "
        f"{r['load_average'][1]} after (other work shared the machine)."
    )
    throughput = [
        ("`assess_frame`, one process (the local batch)", rate("local_rows_per_s")),
        (f"`assess_dask`, `dd.from_pandas`, {PARTITIONS} partitions", rate("from_pandas_rows_per_s")),
        (f"`assess_dask`, `dd.read_parquet`, {PARTITIONS} partitions", rate("parquet_rows_per_s")),
    ]
    costs = [
        (
            f"one partition more (wall time, two at a time; {SMALL_ROWS:,} rows in {FEW} and in {MANY})",
            ms("per_partition_ms"),
        ),
        ("the same for a partition function that does nothing (dask's own)", ms("nothing_per_partition_ms")),
        (
            "first call on a new cluster (each worker loads the knowledge base), 20 rows",
            ms("first_s", 1e3),
        ),
        ("the same call again", ms("second_call_s", 1e3)),
    ]
    lines = [START, head, "", f"| {r['rows']:,} rows, levels and advice | rows/s |", "| --- | ---: |"]
    lines += [f"| {what} | {value} |" for what, value in throughput]
    lines += ["", "| cost | ms |", "| --- | ---: |"]
    lines += [f"| {what} | {value} |" for what, value in costs]
    return "\n".join([*lines, END, ""])


def write_section(path: Path, table: str) -> None:
    """Replace the dask section of a Markdown file (or add it at the end)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        text = head + table.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + table
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
