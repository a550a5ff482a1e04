"""Measure what durable-rules 2.0.28 survives: each trial runs in a subprocess of its own.

A trial builds a knowledge base's rules (stand-ins for `KnowledgeBase`, holding real condition
models, compiled by the real `RuleEngine`) and asserts facts; it reports `ok`, or dies (a crash,
an error code, or more than TIMEOUT seconds: durable spins). For each kind, the largest size
that passes is found by doubling, then bisecting. The loader's limits (`diagnose.engine._limits`) are
these figures with a margin.

    python bench/engine_limits.py            # every kind
    python bench/engine_limits.py matching   # one kind
    python bench/engine_limits.py trial KIND N   # one trial (used by the driver)

Kinds:
    matching      N rules that are all true for one fact (`score >= 0` on one factor)
    alternatives  one rule whose `any` has N score bounds, all true for the fact
    fields        one rule; a fact with N fields
    rules         N rules with distinct score bounds over 12 factors; facts true for all, for none
    tests         N rules with distinct two-factor tests (`all` of two bounds), all true at first
    build         N rules, each a level test on a factor of its own; a fact true for none
    bounds        N rules, each a distinct bound on one factor; a fact true for none
    many          N rules `all: [level low, score >= x]` over 50 factors (at most N/50 tests under one)
    branches      one rule: `all` of N `level: [medium, high]` tests, 2**N branches after compilation
"""

from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase

TIMEOUT = 20.0
KINDS = ("matching", "alternatives", "fields", "rules", "tests", "build", "bounds", "many", "branches")


def _kb(whens: list[object]) -> object:
    rules = [SimpleNamespace(id=f"r{n}", when=when, priority=1) for n, when in enumerate(whens)]
    return SimpleNamespace(rules=rules, context_fields={}, content_hash="sha256:" + "0" * 64)


def trial(kind: str, n: int) -> None:  # noqa: C901 - one branch per kind
    """Build and evaluate one case of `kind` at size `n`; print the fired counts."""
    from diagnose.engine._durable import RuleEngine, level_key, score_key  # noqa: PLC0415 - only in the trial's process
    from diagnose.knowledge.conditions import (  # noqa: PLC0415
        AllOf,
        AnyOf,
        LevelCondition,
        ScoreCondition,
    )

    def score(factor: str, **bounds: float) -> ScoreCondition:
        return ScoreCondition.model_validate({"factor": factor, "score": bounds})

    facts: list[dict[str, object]]
    if kind == "matching":
        whens: list[object] = [score("f", gte=0.0) for _ in range(n)]
        facts = [{score_key("f"): 1.0}]
    elif kind == "alternatives":
        whens = [AnyOf.model_validate({"any": tuple(score("f", gte=k / 1000) for k in range(n))})]
        facts = [{score_key("f"): 1000.0}]
    elif kind == "fields":
        whens = [score("f0", gte=0.0)]
        facts = [{score_key(f"f{k}"): 1.0 for k in range(n)}]
    elif kind == "rules":
        whens = [score(f"f{k % 12}", gte=k / 1000) for k in range(n)]
        facts = [{score_key(f"f{k}"): 1e9 for k in range(12)}, {score_key(f"f{k}"): -1.0 for k in range(12)}]
    elif kind == "tests":
        whens = [
            AllOf.model_validate(
                {"all": (score(f"f{k % 12}", gte=k / 1000), score(f"f{(k + 5) % 12}", lt=k / 1000))}
            )
            for k in range(n)
        ]
        facts = [{score_key(f"f{k}"): 0.5 for k in range(12)}]
    elif kind == "build":
        whens = [LevelCondition(factor=f"f{k}", level="low") for k in range(n)]
        facts = [{level_key(f"f{k}"): "medium" for k in range(0, n, max(1, n // 10))}]
    elif kind == "many":
        whens = [
            AllOf.model_validate(
                {"all": (LevelCondition(factor=f"f{k % 50}", level="low"), score(f"f{k % 50}", gte=k / 1000))}
            )
            for k in range(n)
        ]
        facts = [
            {level_key(f"f{k}"): "low" for k in range(50)} | {score_key(f"f{k}"): -1.0 for k in range(50)}
        ]
    elif kind == "bounds":
        whens = [score("f", gte=k / 1000) for k in range(n)]
        facts = [{score_key("f"): -1.0}]
    elif kind == "branches":
        whens = [
            AllOf.model_validate(
                {"all": tuple(LevelCondition(factor=f"f{k}", level=("medium", "high")) for k in range(n))}
            )
        ]
        facts = [{level_key(f"f{k}"): "high" for k in range(n)}]
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    engine = RuleEngine(cast("KnowledgeBase", _kb(whens)))
    print("ok", [len(fired) for fired in engine.fired_encoded(facts)])


def _passes(kind: str, n: int) -> tuple[bool, str]:
    start = time.perf_counter()
    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, "trial", kind, str(n)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"no answer within {TIMEOUT:.0f} s"
    took = time.perf_counter() - start
    if result.returncode == 0 and result.stdout.startswith("ok"):
        return True, f"ok in {took:.1f} s"
    said = (result.stderr.strip().splitlines() or [""])[-1][:120]
    return False, f"exit {result.returncode}: {said}"


def measure(kind: str, limit: int = 8192) -> int:
    """The largest size of `kind` that passes (doubling, then bisecting); prints each trial."""
    good, bad = 0, 0
    n = 4 if kind == "branches" else 16
    while n <= limit:
        ok, said = _passes(kind, n)
        print(f"  {kind} {n}: {said}", flush=True)
        if not ok:
            bad = n
            break
        good, n = n, n * 2
    if not bad:
        return good
    while bad - good > 1:
        mid = (good + bad) // 2
        ok, said = _passes(kind, mid)
        print(f"  {kind} {mid}: {said}", flush=True)
        good, bad = (mid, bad) if ok else (good, mid)
    return good


def main() -> None:
    """Run a trial, or measure the kinds asked for and print the largest passing size of each."""
    if sys.argv[1:2] == ["trial"]:
        trial(sys.argv[2], int(sys.argv[3]))
        return
    for kind in sys.argv[1:] or KINDS:
        print(f"{kind}: largest passing size {measure(kind)}", flush=True)


if __name__ == "__main__":
    main()
