"""Per-intake time of the engine step, before and after a change, side by side in one run.

Loads the previous `_engine.py` (a file given on the command line, e.g. from
`git show <commit>:src/diagnose/_engine.py > /tmp/old_engine.py`) next to the current one, and
times `assess` (the whole pipeline, through each engine), `fired` (one fact: the engine step of
`assess`) and `fired_many` (chunks of 256: the batch path) for
the packaged knowledge base, alternating old and new in rounds so that machine noise hits both.

    python bench/engine_compare.py /tmp/old_engine.py [ROUNDS]
"""

from __future__ import annotations

import importlib.util
import random
import statistics
import sys
import time
from typing import Any

import diagnose
from diagnose.assessment.recommendation import _assess, build_fact
from diagnose.assessment.scoring import score, validate_intake
from diagnose.engine._cache import rule_engine


def _old_engine_class(path: str) -> Any:  # noqa: ANN401 - a module loaded from a file has no static type
    spec = importlib.util.spec_from_file_location("diagnose._engine_before", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RuleEngine


def main() -> None:
    """Print µs per intake for each engine and path: the median over rounds."""
    old_path = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    kb = diagnose.load_knowledge_base()
    rnd = random.Random(7)
    intakes = [
        {item.id: rnd.choice([1, 2, 3, 4, 5, 1, 2, "declined"]) for item in kb.items if rnd.random() < 0.9}
        for _ in range(2_560)
    ]
    facts = [build_fact(score(kb, validate_intake(kb, a, {})[0]), {}) for a in intakes]
    engines = {"before": _old_engine_class(old_path)(kb), "after": rule_engine(kb)}
    assert engines["before"].fired_many(facts) == engines["after"].fired_many(facts)  # noqa: S101 - a bench sanity check
    timings: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for name, engine in engines.items():
            ta = time.perf_counter()
            for answers in intakes[:1_000]:
                _assess(kb, answers, {}, engine.fired, None, None)  # the pipeline, through this engine
            took = (time.perf_counter() - ta) / 1_000
            timings.setdefault((name, "assess (whole pipeline)"), []).append(took)
            t0 = time.perf_counter()
            for fact in facts[:1_000]:
                engine.fired(fact)
            t1 = time.perf_counter()
            for start in range(0, len(facts), 256):
                engine.fired_many(facts[start : start + 256])
            t2 = time.perf_counter()
            timings.setdefault((name, "fired (assess path)"), []).append((t1 - t0) / 1_000)
            timings.setdefault((name, "fired_many, chunks of 256"), []).append((t2 - t1) / len(facts))
    for (name, path), samples in sorted(timings.items(), key=lambda kv: (kv[0][1], kv[0][0] != "before")):
        median = statistics.median(samples) * 1e6
        print(f"{path:28s} {name:7s} {median:6.1f} µs per intake (min {min(samples) * 1e6:5.1f})")


if __name__ == "__main__":
    main()
