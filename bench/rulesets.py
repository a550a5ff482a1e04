"""The rule step with the ruleset that reads levels against the one `assess` uses (not a test).

    python bench/rulesets.py [INTAKES] [ROUNDS]     # default 5,120 intakes, 15 rounds

The same fresh random intakes (`bench/run.py`'s `fresh_intakes`), scored once; each one's fact
is written for both engines: `rule_engine` (levels and scores, as rule examples and the what-if
search send them) and `scored_engine` (scores only, its level conditions compiled to bounds on
the score). Both fire the same rules (checked on every fact first). Then each engine evaluates
all of them in chunks of 256, as the batch does, ROUNDS times, the two in alternating order;
reported: the fields per fact and the median and least time per intake. Memory is kept as in
the batch's worker processes (`_keep_freed_memory`: glibc keeps what durable frees, instead of
faulting it in again for every chunk). The numbers depend on the machine; only the two side by
side say something.
"""

from __future__ import annotations

import statistics
import sys
import time

from run import fresh_intakes

import diagnose
from diagnose.assessment.recommendation import build_fact
from diagnose.assessment.scoring import score, validate_intake
from diagnose.batch._many import _keep_freed_memory
from diagnose.engine._cache import rule_engine, scored_engine
from diagnose.engine._durable import encode

CHUNK = 256


def main() -> None:
    """Run the comparison and print one line per engine."""
    intakes = int(sys.argv[1]) if len(sys.argv) > 1 else 20 * CHUNK
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    _keep_freed_memory()  # as in a batch worker (this script's own process)
    kb = diagnose.load_knowledge_base()
    facts = [build_fact(score(kb, validate_intake(kb, a, {})[0]), {}) for a in fresh_intakes(kb, intakes, 3)]
    engines = {"levels (rule_engine)": rule_engine(kb), "scores (scored_engine)": scored_engine(kb)}
    encoded = {name: [encode(f, engine.fields) for f in facts] for name, engine in engines.items()}
    fired = [engine.fired_encoded(encoded[name]) for name, engine in engines.items()]
    assert fired[0] == fired[1], "the two rulesets fire differently"  # noqa: S101 - a bench's sanity check
    times: dict[str, list[float]] = {name: [] for name in engines}
    names = list(engines)
    for n in range(rounds):
        for name in names if n % 2 else names[::-1]:
            engine, chunk_facts = engines[name], encoded[name]
            start = time.perf_counter()
            for at in range(0, len(chunk_facts), CHUNK):
                engine.fired_encoded(chunk_facts[at : at + CHUNK])
            times[name].append((time.perf_counter() - start) / len(chunk_facts) * 1e6)
    for name, spent in times.items():
        fields = sum(map(len, encoded[name])) / len(encoded[name])
        print(
            f"{name}: {fields:.1f} fields per fact; median {statistics.median(spent):.1f} µs, "
            f"least {min(spent):.1f} µs per intake (chunks of {CHUNK}, {rounds} rounds)"
        )


if __name__ == "__main__":
    main()
