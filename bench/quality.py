"""Benchmark of the instrument quality report and the fairness audit (issue #19).

Workload: simulated intakes for the packaged knowledge base (`diagnose.quality._simulate`, seeded),
each item answered on its scale with 2% declined, and one outcome per client. Timed, best of
`--repeat` runs in this process after one warm-up (which loads numpy, scipy and statsmodels):

* `instrument_quality` over `--clients` intakes given as answer mappings, as a pandas DataFrame
  and as an Arrow table, without and with the outcome (AUC, rates per level, suggested thresholds);
* `fairness_audit` over `--audit-clients` diagnoses with two groups and decisions (the diagnoses
  are made first with `assess_many` and not timed).

Usage: `python bench/quality.py [--clients 100000] [--audit-clients 10000] [--repeat 3]`
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

import diagnose
from diagnose.quality import fairness_audit, instrument_quality
from diagnose.quality._simulate import simulate_caseload, simulate_decisions

if TYPE_CHECKING:
    from collections.abc import Callable


def best(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    """Run the workloads and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--audit-clients", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kb = diagnose.load_knowledge_base()
    caseload = simulate_caseload(kb, args.clients, seed=1)
    frame = pd.DataFrame(caseload.rows)
    numeric = frame.apply(
        pd.to_numeric, errors="coerce"
    )  # an Arrow table holds numbers; declined is a gap there
    table = pa.Table.from_pandas(numeric)
    instrument_quality(
        caseload.rows[:1000], knowledge_base=kb, outcomes={"w": caseload.outcomes["work_6m"][:1000]}
    )
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"{python}, {len(kb.items)} items, {len(kb.factors)} factors")
    for form, rows in (("answer mappings", caseload.rows), ("DataFrame rows", frame), ("Arrow rows", table)):
        took = best(args.repeat, lambda rows=rows: instrument_quality(rows, knowledge_base=kb))  # type: ignore[misc]
        print(f"instrument_quality, {args.clients:,} {form}: {took:.2f} s")
    outcomes = caseload.outcomes
    took = best(args.repeat, lambda: instrument_quality(frame, knowledge_base=kb, outcomes=outcomes))
    print(f"instrument_quality with an outcome, {args.clients:,} DataFrame rows: {took:.2f} s")
    audited = simulate_caseload(kb, args.audit_clients, seed=2)
    diagnoses = list(diagnose.assess_many(audited.rows, knowledge_base=kb))
    decisions = simulate_decisions(diagnoses, audited.groups)
    took = best(args.repeat, lambda: fairness_audit(diagnoses, audited.groups, decisions, knowledge_base=kb))
    print(f"fairness_audit with decisions, {args.audit_clients:,} diagnoses: {took:.2f} s")


if __name__ == "__main__":
    main()
