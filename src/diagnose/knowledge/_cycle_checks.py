"""Checks of the cycle's files: monitoring rules, their facts and examples, and the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnose._base import suggest
from diagnose.knowledge._references import duplicate_rule_ids
from diagnose.knowledge._tree import atoms_at
from diagnose.knowledge.cycle_rules import CYCLE_FACTS, CycleRule

if TYPE_CHECKING:
    from collections.abc import Sequence

    from diagnose.knowledge._messages import Loc
    from diagnose.knowledge._models import CycleSettings, InterventionsFile
    from diagnose.knowledge._read import Reader
    from diagnose.knowledge._yaml import YamlDocument


def _fact_value_problem(name: str, value: object) -> str | None:
    values = CYCLE_FACTS[name][1]
    if value in values and isinstance(value, bool) == isinstance(values[0], bool):
        return None
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v).lower() for v in values)
    return f"fact {name!r} is one of {shown}, got {value!r}"


def check_cycle_rules(
    reader: Reader, entries: Sequence[tuple[YamlDocument, Sequence[tuple[int, CycleRule]]]]
) -> None:
    """Cycle rules: unique ids, facts of the right scope, values each fact can take."""
    ids = [(doc, [(n, r.id) for n, r in rules]) for doc, rules in entries]
    duplicate_rule_ids(reader, ids, "cycle rule")
    for doc, rules in entries:
        for index, rule in rules:
            _check_cycle_rule(reader, doc, ("rules", index), rule)


def _check_cycle_rule(reader: Reader, doc: YamlDocument, where: Loc, rule: CycleRule) -> None:
    for loc, test in atoms_at(rule.when, (*where, "when")):
        if CYCLE_FACTS[test.fact][0] == "goal" and rule.scope == "trajectory":
            reader.add(
                doc, (*loc, "fact"), f"{test.fact!r} is a fact about a goal; a trajectory rule cannot read it"
            )
        for n, value in enumerate(test.accepted()):
            if problem := _fact_value_problem(test.fact, value):
                reader.add(doc, (*loc, "is") if test.is_ is not None else (*loc, "in", n), problem)
    for n, example in enumerate(rule.examples):
        for name, value in example.facts.items():
            if problem := _fact_value_problem(name, value):
                reader.add(doc, (*where, "examples", n, "facts", name), problem)


def check_cycle(
    reader: Reader,
    doc: YamlDocument,
    cycle: CycleSettings,
    factors: list[str],
    interventions: InterventionsFile | None,
) -> None:
    for name, value in cycle.minimal_change.items():
        if name not in factors:
            reader.add(
                doc, ("minimal_change", name), f"unknown factor {name!r}{suggest(name, factors)}", key=True
            )
        elif value <= 0:
            reader.add(doc, ("minimal_change", name), f"expected a number above 0, got {value}")
    known = [i.id for i in interventions.interventions] if interventions is not None else None
    for name, weeks in cycle.review_weeks.items():
        if known is not None and name not in known:
            reader.add(
                doc, ("review_weeks", name), f"unknown intervention {name!r}{suggest(name, known)}", key=True
            )
        elif not 1 <= weeks <= 104:  # noqa: PLR2004 - a review within two years
            reader.add(
                doc, ("review_weeks", name), f"expected a whole number of weeks from 1 to 104, got {weeks}"
            )
    for index, name in enumerate(cycle.phases.stabilise_first):
        if known is not None and name not in known:
            reader.add(
                doc,
                ("phases", "stabilise_first", index),
                f"unknown intervention {name!r}{suggest(name, known)}",
            )
