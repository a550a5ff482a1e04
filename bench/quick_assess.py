"""Quick per-intake timing of `assess` on the default knowledge base (not a test; machines are noisy).

Measures, side by side in one run: the whole pipeline (`assess`: validation, scoring, durable-rules,
recommendations, trace) and the durable-rules step alone (`RuleEngine.fired` on prepared facts).

    python bench/quick_assess.py [N]
"""

from __future__ import annotations

import random
import statistics
import sys
import time

import diagnose
from diagnose.assessment.recommendation import build_fact
from diagnose.assessment.scoring import score, validate_intake
from diagnose.engine._cache import rule_engine


def main() -> None:
    """Time N random intakes through assess and through the engine alone; print p50/p99 in µs."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    kb = diagnose.load_knowledge_base()
    rnd = random.Random(7)
    intakes = [
        {item.id: rnd.choice([1, 2, 3, 4, 5, 1, 2, "declined"]) for item in kb.items if rnd.random() < 0.9}
        for _ in range(n)
    ]
    facts = [build_fact(score(kb, validate_intake(kb, a, {})[0]), {}) for a in intakes]
    engine = rule_engine(kb)
    for a in intakes[:200]:  # warm up
        diagnose.assess(a, knowledge_base=kb)

    whole: list[float] = []
    rules: list[float] = []
    for a, fact in zip(intakes, facts, strict=True):
        t0 = time.perf_counter()
        diagnose.assess(a, knowledge_base=kb)
        t1 = time.perf_counter()
        engine.fired(fact)
        t2 = time.perf_counter()
        whole.append(t1 - t0)
        rules.append(t2 - t1)
    for name, samples in (("assess (end to end)", whole), ("durable-rules step alone", rules)):
        q = statistics.quantiles(samples, n=100)
        mean = statistics.fmean(samples)
        print(f"{name:26s} p50 {q[49] * 1e6:7.1f} µs  p99 {q[98] * 1e6:7.1f} µs  mean {mean * 1e6:7.1f} µs")
    print(f"intakes: {n}; rules: {len(kb.rules)}; factors: {len(kb.factors)}")
    print(f"live durable-rules sessions afterwards: {engine.live_sessions}")


if __name__ == "__main__":
    main()
