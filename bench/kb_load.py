"""Knowledge-base load time, with and without the snapshot, and what each rule adds (not a test).

    python bench/kb_load.py [REPEATS]

Side by side, in rotating order, REPEATS times each (medians; the numbers depend on the machine):

- the packaged knowledge base as `load_knowledge_base(path)` loads it afresh (not the cached
  one): from the shipped snapshot (`diagnose.knowledge._snapshot`), its files being the ones the
  snapshot was made from;
- the same folder loaded in full (the snapshot bypassed): YAML, validation, every check;
- a copy with one byte changed in a rule's title (the same sizes, so the snapshot's key is
  computed before it says no), through `load_knowledge_base`: the full load plus the look;
- full loads of copies with 0, 31, 93 and 217 extra rules (each like `low_motivation`, on the
  factors in turn, under a new id, with a rationale, a source and two worked examples): the
  per-rule cost is the least-squares slope over the sizes.

Then where each packaged load's time goes: reading the YAML against the rest of the full load,
and the key (listing, reading and hashing the files), the validation of the snapshot's JSON and
the assembly against the rest of the snapshot load.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from diagnose.knowledge import _read, _snapshot
from diagnose.knowledge._load import _load, default_knowledge_base_path
from diagnose.knowledge._loader import read_knowledge_base

if TYPE_CHECKING:
    from collections.abc import Callable

    from diagnose.knowledge._base import KnowledgeBase

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


def full(root: Path) -> KnowledgeBase:
    """A full load of `root`, the snapshot never looked at."""
    kb, problems = read_knowledge_base(root, snapshot=None)
    if kb is None:
        raise SystemExit(f"{root}: {problems}")
    return kb


def full_of(root: Path) -> Callable[[], object]:
    """A full load of `root`, to call."""
    return lambda: full(root)


def folder(root: Path, extra: int) -> Path:
    """A copy of the packaged knowledge base with `extra` rules more."""
    target = root / f"kb_{extra}"
    shutil.copytree(default_knowledge_base_path(), target)
    if extra:
        factors = list(full(target).factors)
        text = "rules:\n" + "".join(RULE.format(n=n, factor=factors[n % len(factors)]) for n in range(extra))
        (target / "recommend" / "zz_extra.yaml").write_text(text, encoding="utf-8")
    return target


def changed(root: Path) -> Path:
    """A copy of the packaged knowledge base with one byte changed in a rule's title."""
    target = root / "kb_changed"
    shutil.copytree(default_knowledge_base_path(), target)
    care = target / "recommend" / "care.yaml"
    care.write_text(care.read_text(encoding="utf-8").replace("not arranged\n", "not arrangeD\n", 1), "utf-8")
    return target


def timed_calls(owner: object, name: str, spent: list[float]) -> Callable[[], None]:
    """Wrap `owner.name` so that each call adds its time to `spent`; returns the undo."""
    original = getattr(owner, name)

    def timed(*args: object) -> object:
        start = time.perf_counter()
        try:
            return original(*args)
        finally:
            spent.append(time.perf_counter() - start)

    setattr(owner, name, timed)
    return lambda: setattr(owner, name, original)


def split(load: Callable[[], object], repeats: int, parts: dict[str, tuple[object, str]]) -> dict[str, float]:
    """Median ms of the whole `load`, of each wrapped part of it and of the rest, over `repeats` loads."""
    spent: dict[str, list[float]] = {name: [] for name in parts}
    undo = [timed_calls(owner, attr, spent[name]) for name, (owner, attr) in parts.items()]
    samples: dict[str, list[float]] = {"total": [], "rest": [], **{name: [] for name in parts}}
    try:
        for _ in range(repeats):
            for s in spent.values():
                s.clear()
            start = time.perf_counter()
            load()
            total = time.perf_counter() - start
            samples["total"].append(total)
            for name, s in spent.items():
                samples[name].append(sum(s))
            samples["rest"].append(total - sum(sum(s) for s in spent.values()))
    finally:
        for u in undo:
            u()
    return {name: statistics.median(s) * 1e3 for name, s in samples.items()}


def main() -> None:
    """Time the loads side by side, print medians, the slope and the splits."""
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    packaged = default_knowledge_base_path()
    with tempfile.TemporaryDirectory() as tmp:
        folders = {n: folder(Path(tmp), n) for n in EXTRA}
        one_byte = changed(Path(tmp))
        loads: dict[str, Callable[[], object]] = {
            "snapshot": lambda: _load(packaged),
            "full": lambda: full(packaged),
            "one byte": lambda: _load(one_byte),
            **{f"extra {n}": full_of(folders[n]) for n in EXTRA},
        }
        if _snapshot.load(packaged) is None:
            raise SystemExit(f"the snapshot does not apply to {packaged}: run {_snapshot.COMMAND}")
        for load in loads.values():  # warm up (imports, first compilation)
            load()
        samples: dict[str, list[float]] = {name: [] for name in loads}
        names = list(loads)
        for r in range(repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                start = time.perf_counter()
                loads[name]()
                samples[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(s) * 1e3 for name, s in samples.items()}
        rules = [31 + n for n in EXTRA]
        slope = statistics.linear_regression(rules, [medians[f"extra {n}"] for n in EXTRA]).slope
        full_split = split(loads["full"], repeats, {"yaml": (_read, "read_yaml")})
        snap_split = split(
            loads["snapshot"],
            repeats,
            {
                "key": (_snapshot, "folder_key"),
                "validate": (_snapshot.Parts, "model_validate_json"),
                "assemble": (_snapshot.Parts, "knowledge_base"),
            },
        )
    out = sys.stdout.write
    out(f"packaged, from the snapshot:            {medians['snapshot']:7.1f} ms (median of {repeats})\n")
    out(f"packaged, in full (no snapshot):        {medians['full']:7.1f} ms\n")
    out(f"one byte changed (full, after the look): {medians['one byte']:7.1f} ms\n")
    for n, rules_n in zip(EXTRA, rules, strict=True):
        out(f"{rules_n:4d} rules, in full:                {medians[f'extra {n}']:7.1f} ms\n")
    out(f"per rule (full load): {slope:.2f} ms\n")
    out(f"full split: {full_split['yaml']:.1f} ms reading YAML of {full_split['total']:.1f} ms\n")
    key, valid, assembly, rest = (snap_split[k] for k in ("key", "validate", "assemble", "rest"))
    out(
        f"snapshot split: key {key:.1f} ms, validation {valid:.1f} ms, assembly {assembly:.1f} ms, "
        f"the rest {rest:.1f} ms, of {snap_split['total']:.1f} ms\n"
    )


if __name__ == "__main__":
    main()
