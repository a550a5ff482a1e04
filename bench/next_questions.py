"""How many items an interview asks with `next_questions`, against the full intake, for the same advice.

`python bench/next_questions.py`: each example intake, and 100 generated intakes (every item
answered uniformly at random, seed 18), is "interviewed": ask the first of `next_questions`,
take the answer from the full intake, until nothing is left; then assess what was asked and
compare the advice (interventions, priorities, rules) with that of everything the screening
protocol asks (a screened factor's other items only when its screen is low or has no answer):
it must be the same. It is also compared with the advice of the full intake (which a screen
that is not low may miss), and the intakes where that differs are counted. Prints the items
asked and the median reduction.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
from pathlib import Path

import diagnose

ROOT = Path(__file__).resolve().parents[1]


def advice(d: diagnose.Diagnosis) -> list[tuple[str, int, tuple[str, ...]]]:
    """What counts as the advice: interventions in order, with priority and rules."""
    return [(r.intervention, r.priority, r.rules) for r in d.recommendations]


def interview(kb: diagnose.KnowledgeBase, full: dict[str, object]) -> tuple[dict[str, object], int]:
    """The answers an interview collects, and how many items it asked."""
    asked: dict[str, object] = {}
    skipped: set[str] = set()
    while True:
        nq = diagnose.next_questions(asked, knowledge_base=kb)
        question = next((q for q in nq.questions if q.item not in skipped), None)
        if question is None:
            return asked, len(asked) + len(skipped)
        value = full.get(question.item, "not_asked")
        if value == "not_asked":
            skipped.add(question.item)
        else:
            asked[question.item] = value


def protocol(kb: diagnose.KnowledgeBase, full: dict[str, object]) -> dict[str, object]:
    """The full intake as the screening protocol asks it: after a screen that is not low, nothing more."""
    out = dict(full)
    for factor in kb.factors.values():
        screen = [kb.item(i).scored(v) for i in factor.screening if isinstance(v := full.get(i), int)]
        if screen and factor.thresholds.level(sum(screen) / len(screen)) != "low":
            for item in kb.items_by_factor[factor.id]:
                if item.id not in factor.screening:
                    out.pop(item.id, None)
    return out


def main() -> None:
    """Interview every intake and print the figures."""
    kb = diagnose.load_knowledge_base()
    rng = random.Random(18)
    runs: dict[str, list[int]] = {"examples": [], "generated": []}
    other: dict[str, int] = {"examples": 0, "generated": 0}
    intakes = [
        ("examples", p.stem, json.loads(p.read_text(encoding="utf-8"))["answers"])
        for p in sorted((ROOT / "examples").glob("intake-*.json"))
    ]
    intakes += [("generated", str(n), {i.id: rng.randint(1, 5) for i in kb.items}) for n in range(100)]
    for kind, name, full in intakes:
        asked, count = interview(kb, full)
        got = advice(diagnose.assess(asked, knowledge_base=kb))
        if got != advice(diagnose.assess(protocol(kb, full), knowledge_base=kb)):
            sys.exit(f"{name}: other advice than the whole protocol's")
        other[kind] += got != advice(diagnose.assess(full, knowledge_base=kb))
        runs[kind].append(count)
        if kind == "examples":
            print(f"{name}: {count} of {len(kb.items)} items")
    for kind, counts in runs.items():
        median = statistics.median(counts)
        print(
            f"{kind}: {len(counts)} intakes, median {median} of {len(kb.items)} items asked, "
            f"median reduction {1 - median / len(kb.items):.1%}, the protocol's advice in all, "
            f"other advice than the full intake's in {other[kind]}"
        )


if __name__ == "__main__":
    main()
