"""Benchmark of the static rule analysis (`diagnose check`): the SAT-based analysis against the old search.

Workloads, each a knowledge-base folder written to a temporary directory:

* `one extra rule`: the packaged knowledge base (`rules/`) plus one plausible rule,
  `motivation` in `[medium, high]` → `job_matching`, priority 3 (issue #17: the old search
  needs about 97 million nodes for it, because `no_barrier_job_matching` reads all 11 factors);
* `generated N`: the packaged instrument and interventions, four context fields (boolean, enum,
  integer, number) added, and N random rules (seeded) over factor levels, score bounds and
  context values, combined with `all`, `any` and `not`.

Each workload is analysed by `diagnose.authoring.analysis.analyse` in this process, and by the old search
(`tests/reference_analysis.py`) in a child process that is stopped after `--old-limit` seconds.
When both finish, their findings must be the same. Usage:

    python bench/analysis.py [--old-limit SECONDS] [--sizes 100,300,1000] [--output bench/analysis.md]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

import diagnose
from diagnose.authoring.analysis import analyse
from diagnose.knowledge._load import default_knowledge_base_path

ROOT = Path(__file__).resolve().parent.parent
EXTRA_RULE = """rules:
  - id: motivated_job_matching
    title: {nl: Gemotiveerd, en: Motivated}
    when: {factor: motivation, level: [medium, high]}
    recommend: job_matching
    priority: 3
    rationale: {nl: Gemotiveerd., en: Motivated.}
"""
CONTEXT = """
context:
  - id: in_treatment
    description: {nl: In behandeling, en: In treatment}
    type: boolean
  - id: housing
    description: {nl: Woonsituatie, en: Housing}
    type: enum
    values: [own, rented, shelter]
  - id: months_out_of_work
    description: {nl: Maanden zonder werk, en: Months out of work}
    type: integer
  - id: travel_hours
    description: {nl: Reistijd in uren, en: Travel time in hours}
    type: number

items:
"""
LEVELS = ("low", "medium", "high")
SCORE_BOUNDS = (2.0, 3.0, 4.0)


def extra_rule_kb(root: Path) -> Path:
    """The packaged knowledge base plus the one extra rule of issue #17."""
    shutil.copytree(default_knowledge_base_path(), root)
    (root / "recommend" / "extra.yaml").write_text(EXTRA_RULE, encoding="utf-8")
    return root


def _atom(rng: random.Random, factors: list[str]) -> dict[str, Any]:
    kind = rng.random()
    if kind < 0.55:
        levels = rng.sample(LEVELS, rng.choice((1, 1, 2)))
        return {"factor": rng.choice(factors), "level": levels[0] if len(levels) == 1 else levels}
    if kind < 0.75:
        op = rng.choice(("lt", "lte", "gt", "gte"))
        return {"factor": rng.choice(factors), "score": {op: rng.choice(SCORE_BOUNDS)}}
    field = rng.choice(("in_treatment", "housing", "months_out_of_work", "travel_hours"))
    if field == "in_treatment":
        return {"context": field, "is": rng.random() < 0.5}
    if field == "housing":
        return {"context": field, "in": rng.sample(["own", "rented", "shelter"], rng.choice((1, 2)))}
    if field == "months_out_of_work":
        return {"context": field, rng.choice(("lt", "gte")): rng.choice((6, 12, 24))}
    return {"context": field, rng.choice(("lte", "gt")): rng.choice((0.5, 1.5))}


def _condition(rng: random.Random, factors: list[str]) -> dict[str, Any]:
    shape = rng.random()
    if shape < 0.35:
        return _atom(rng, factors)
    if shape < 0.75:
        parts = [_atom(rng, factors) for _ in range(rng.choice((2, 2, 3)))]
        if rng.random() < 0.3:
            parts[-1] = {"not": parts[-1]}
        return {"all": parts}
    if shape < 0.95:
        return {"any": [_atom(rng, factors) for _ in range(2)]}
    return {"not": {"any": [_atom(rng, factors) for _ in range(2)]}}


def generated_kb(root: Path, rules: int, seed: int) -> Path:
    """The packaged instrument and interventions, four context fields, and `rules` random rules."""
    shutil.copytree(default_knowledge_base_path(), root)
    shutil.rmtree(root / "recommend")
    (root / "recommend").mkdir()
    shutil.rmtree(root / "cycle", ignore_errors=True)
    instrument = (root / "instrument.yaml").read_text(encoding="utf-8")
    (root / "instrument.yaml").write_text(instrument.replace("\nitems:\n", CONTEXT, 1), encoding="utf-8")
    kb = diagnose.load_knowledge_base(default_knowledge_base_path())
    factors, interventions = list(kb.factors), list(kb.interventions)
    rng = random.Random(seed)
    generated = [
        {
            "id": f"rule_{n:04d}",
            "title": {"nl": f"Regel {n}", "en": f"Rule {n}"},
            "when": _condition(rng, factors),
            "recommend": rng.choice(interventions),
            "priority": rng.randint(1, 5),
            "rationale": {"nl": "Gegenereerd.", "en": "Generated."},
            **({"no_barrier": True} if rng.random() < 0.01 else {}),
        }
        for n in range(rules)
    ]
    text = yaml.safe_dump({"rules": generated}, sort_keys=False, allow_unicode=True)
    (root / "recommend" / "generated.yaml").write_text(text, encoding="utf-8")
    return root


def run_new(path: Path) -> tuple[float, list[str]]:
    """Seconds and findings of the library's analysis (the knowledge base loaded beforehand)."""
    kb = diagnose.load_knowledge_base(path)
    start = time.perf_counter()
    findings = analyse(kb)
    return time.perf_counter() - start, [str(f) for f in findings]


def run_old(path: Path, limit: float) -> tuple[float, list[str]] | None:
    """Seconds and findings of the old search in a child process; None when stopped at `limit`."""
    try:
        done = subprocess.run(  # noqa: S603 - runs this very script with a path we wrote
            [sys.executable, __file__, "--old-only", str(path)],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    result = json.loads(done.stdout)
    return float(result["seconds"]), list(result["findings"])


def _old_only(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.reference_analysis import analyse_by_search  # noqa: PLC0415 - only in the child

    kb = diagnose.load_knowledge_base(path)
    start = time.perf_counter()
    findings = analyse_by_search(kb)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "findings": [str(f) for f in findings]}))


def main() -> None:
    """Run every workload with both analyses and print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-limit", type=float, default=1800.0, help="stop the old search after this")
    parser.add_argument("--sizes", default="100,300,1000", help="generated knowledge-base sizes")
    parser.add_argument("--output", type=Path, default=None, help="also write the table here")
    parser.add_argument("--old-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.old_only is not None:
        _old_only(args.old_only)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [int(s) for s in args.sizes.split(",")]
        workloads = [(f"generated, {n} rules", generated_kb(Path(tmp) / f"g{n}", n, seed=n)) for n in sizes]
        workloads.append(("packaged KB + one extra rule", extra_rule_kb(Path(tmp) / "extra")))
        for name, path in workloads:
            new_seconds, new_findings = run_new(path)
            old = run_old(path, args.old_limit)
            if old is None:
                old_text, same = f"> {args.old_limit:.0f} (stopped)", "n/a"
            else:
                old_text, same = f"{old[0]:.2f}", "yes" if old[1] == new_findings else "NO"
            rows.append((name, old_text, f"{new_seconds:.3f}", str(len(new_findings)), same))
            print(*rows[-1], sep=" | ", flush=True)
    table = [
        "| workload | old search (s) | SAT analysis (s) | findings | same findings |",
        "| --- | ---: | ---: | ---: | --- |",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]
    print("\n".join(table))
    if args.output is not None:
        args.output.write_text("\n".join(table) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
