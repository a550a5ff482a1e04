"""A simulated caseload of 10,000 clients with two planted problems, and what the reports find.

Planted: item `se_2` is written by the clients as if it were reverse-keyed (the knowledge base
scores it as a plain item: a wrong reverse key), and professionals decline the advice of group
`c` more than twice as often as that of the others, at the same factor levels. Group `b` needs
more support (lower latent factor means), a real difference the audit must not call unfair at
equal levels; group `d` has a handful of clients and is suppressed.

Run: `python examples/quality_audit.py OUT_FOLDER [--clients N]`. It writes the files the
commands read (intakes.jsonl, outcomes.csv, diagnoses.jsonl, groups.csv, decisions.jsonl) into
OUT_FOLDER and prints what the quality report and the audit found. Everything is simulated; the
reports validate the instrument and never rank or select people.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import diagnose
from diagnose.quality._simulate import simulate_caseload, simulate_decisions

KB = Path(__file__).resolve().parents[1] / "tests" / "data" / "kb"


def main() -> None:
    """Simulate, write the files, run both reports and print their findings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--clients", type=int, default=10_000)
    args = parser.parse_args()
    folder: Path = args.folder
    kb = diagnose.load_knowledge_base(KB)
    shares = {"a": 0.6, "b": 0.3, "c": 0.0995, "d": 0.0005}
    caseload = simulate_caseload(
        kb, args.clients, seed=19, wrong_key="se_2", group_shares=shares, group_shift={"b": -0.3}
    )
    ids = [f"c-{n:05d}" for n in range(1, args.clients + 1)]
    diagnoses = list(diagnose.assess_many(caseload.rows, knowledge_base=kb))
    decisions = simulate_decisions(diagnoses, caseload.groups, planted={"c": 0.35})
    with (folder / "intakes.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(
            json.dumps({"id": i, "answers": row}) + "\n" for i, row in zip(ids, caseload.rows, strict=True)
        )
    with (folder / "outcomes.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "work_6m"])
        writer.writerows([i, str(w).lower()] for i, w in zip(ids, caseload.outcomes["work_6m"], strict=True))
    with (folder / "diagnoses.jsonl").open("w", encoding="utf-8") as out:
        for n, (i, d) in enumerate(zip(ids, diagnoses, strict=True), start=1):
            out.write(f'{{"row": {n}, "id": {json.dumps(i)}, "diagnosis": {d.model_dump_json()}}}\n')
    with (folder / "groups.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "group"])
        writer.writerows(zip(ids, caseload.groups, strict=True))
    with (folder / "decisions.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(
            json.dumps({"id": i, "decisions": d}) + "\n" for i, d in zip(ids, decisions, strict=True)
        )

    started = time.perf_counter()
    report = diagnose.instrument_quality(caseload.rows, knowledge_base=kb, outcomes=caseload.outcomes)
    took = time.perf_counter() - started
    print(f"quality report over {report.rows} intakes in {took:.2f} s")
    for factor in report.factors.values():
        item_rest = {i: report.items[i].item_rest for i in factor.items}
        print(f"  {factor.factor}: n={factor.n} alpha={factor.alpha:.3f} omega={factor.omega:.3f}")
        print(f"    item-rest {', '.join(f'{i} {r:.2f}' for i, r in item_rest.items() if r is not None)}")
    for warning in report.warnings:
        print(f"  warning [{warning.code}] {warning.message}")
    for name, per_factor in report.validity.items():
        for factor_id, found in per_factor.items():
            low, high = found.auc_ci or (float("nan"), float("nan"))
            print(f"  {name} ~ {factor_id}: AUC {found.auc:.3f} (95% {low:.3f} - {high:.3f})")
    started = time.perf_counter()
    audit = diagnose.fairness_audit(diagnoses, caseload.groups, decisions, knowledge_base=kb)
    took = time.perf_counter() - started
    print(f"fairness audit over {audit.diagnoses} diagnoses in {took:.2f} s; groups {audit.groups}")
    for flag in audit.flags:
        print(f"  flag [{flag.kind}] {flag.message}")


if __name__ == "__main__":
    main()
