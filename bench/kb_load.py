"""Knowledge-base load time, and what each rule adds to it (not a test: numbers depend on the machine).

    python bench/kb_load.py [REPEATS]

Loads the packaged knowledge base afresh (not the cached one) REPEATS times, then copies of it
with 0, 31, 93 and 217 extra rules (each like `low_motivation`, on the factors in turn, under a new
id, with a rationale, a source and two worked examples), in rotating order; prints the median per size
and the per-rule cost as the least-squares slope over the sizes. Also how the packaged load
divides between reading the YAML and the rest (validation, cross-checks, hash, engine limits).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from diagnose.knowledge import _read
from diagnose.knowledge._load import _load, default_knowledge_base_path, load_knowledge_base

EXTRA = (0, 31, 93, 217)
RULE = """  - id: extra_{n}
    title: {{nl: Extra regel {n}, en: Extra rule {n}}}
    when: {{factor: {factor}, level: low}}
    recommend: motivational_interviewing
    priority: 2
    rationale:
      nl: >-
        Een regel om de laadtijd te meten: hij zegt wat low_motivation zegt, met een eigen id, en
        heeft even lange teksten als een echte regel.
      en: >-
        A rule to measure load time: it says what low_motivation says, under an id of its own, and
        has texts as long as a real rule's.
    sources:
      - "Miller, W. R., & Rollnick, S. (2013). Motivational interviewing. Guilford Press."
    examples:
      - levels: {{motivation: low}}
        fires: true
      - levels: {{motivation: high}}
        fires: false
"""


def folder(root: Path, extra: int) -> Path:
    """A copy of the packaged knowledge base with `extra` rules more."""
    target = root / f"kb_{extra}"
    shutil.copytree(default_knowledge_base_path(), target)
    if extra:
        factors = [f.id for f in load_knowledge_base().factors.values()]
        text = "rules:\n" + "".join(RULE.format(n=n, factor=factors[n % len(factors)]) for n in range(extra))
        (target / "recommend" / "zz_extra.yaml").write_text(text, encoding="utf-8")
    return target


def main() -> None:
    """Time the loads, print medians, the slope and the split."""
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        folders = {n: folder(Path(tmp), n) for n in EXTRA}
        samples: dict[int, list[float]] = {n: [] for n in EXTRA}
        for n in EXTRA:  # warm up (imports, first compilation)
            _load(folders[n])
        for r in range(repeats):
            order = list(EXTRA[r % len(EXTRA) :] + EXTRA[: r % len(EXTRA)])
            for n in order:
                start = time.perf_counter()
                _load(folders[n])
                samples[n].append(time.perf_counter() - start)
        medians = {n: statistics.median(s) * 1e3 for n, s in samples.items()}
        packaged = medians[0]
        rules = [31 + n for n in EXTRA]
        slope = statistics.linear_regression(rules, [medians[n] for n in EXTRA]).slope
        # The split: time spent inside the YAML reader, measured by wrapping it.
        reading: list[float] = []
        original = _read.read_yaml  # type: ignore[attr-defined]  # the reader's own import, timed here

        def timed(text: str, file: str) -> object:
            start = time.perf_counter()
            try:
                return original(text, file)
            finally:
                reading.append(time.perf_counter() - start)

        _read.read_yaml = timed  # type: ignore[attr-defined, assignment]  # the same function, timed
        split = []
        for _ in range(repeats):
            reading.clear()
            start = time.perf_counter()
            _load(folders[0])
            split.append((time.perf_counter() - start, sum(reading)))
        _read.read_yaml = original  # type: ignore[attr-defined]  # put back
    total, yaml = (statistics.median(x) * 1e3 for x in zip(*split, strict=True))
    for n, rules_n in zip(EXTRA, rules, strict=True):
        sys.stdout.write(f"{rules_n:4d} rules: {medians[n]:7.1f} ms (median of {repeats})\n")
    sys.stdout.write(f"per rule: {slope:.2f} ms; packaged knowledge base: {packaged:.1f} ms\n")
    sys.stdout.write(f"packaged split: {yaml:.1f} ms reading YAML of {total:.1f} ms\n")


if __name__ == "__main__":
    main()
