"""The content hash of a knowledge base: over its canonical content, not its bytes."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from diagnose.knowledge._models import CycleSettings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from diagnose.knowledge._models import Instrument, InterventionsFile
    from diagnose.knowledge._yaml import YamlDocument
    from diagnose.knowledge.conditions import (
        Rule,
        RuleFile,
    )
    from diagnose.knowledge.cycle_rules import (
        CycleRuleFile,
    )


#: Fields added after 0.1, each with the value it has when a knowledge base does not use it: left
#: out of the hash then, so that a knowledge base written for 0.1 keeps the hash it had (and the
#: diagnoses made with it still match). A knowledge base that uses one gets a hash of its own.
_NEW_IN_INSTRUMENT: dict[str, object] = {"participation_ladder": None}
_NEW_IN_FACTOR: dict[str, object] = {"screening": []}
_NEW_IN_ITEM: dict[str, object] = {"special_category": None}
_NEW_IN_INTERVENTION: dict[str, object] = {"recognition": None, "evidence": None}
_NEW_IN_RULE: dict[str, object] = {"explanation": None}


def _drop_unused(dumped: dict[str, object], fields: dict[str, object]) -> None:
    for name, unused in fields.items():
        if name in dumped and dumped[name] == unused:
            del dumped[name]


def _rule(rule: Rule) -> dict[str, object]:
    dumped = rule.model_dump(mode="json", by_alias=True, exclude={"examples"})
    _drop_unused(dumped, _NEW_IN_RULE)
    return dumped


def content_hash(
    instrument: Instrument,
    interventions: InterventionsFile,
    rule_files: Sequence[tuple[YamlDocument, RuleFile]],
    cycle: CycleSettings | None = None,
    cycle_files: Sequence[tuple[YamlDocument, CycleRuleFile]] = (),
) -> str:
    """`sha256:` over a canonical JSON form: independent of key order, quoting and whitespace.

    It covers everything that decides or explains advice; worked examples and cases (tests of
    the knowledge, not knowledge) are left out, so adding a test does not change the hash.
    """
    rules: list[Rule] = sorted((r for _d, f in rule_files for r in f.rules), key=lambda r: r.id)
    dumped = instrument.model_dump(mode="json", by_alias=True)
    _drop_unused(dumped, _NEW_IN_INSTRUMENT)
    for factor in dumped["factors"]:
        _drop_unused(factor, _NEW_IN_FACTOR)
    for item in dumped["items"]:
        _drop_unused(item, _NEW_IN_ITEM)
    offered = interventions.model_dump(mode="json", by_alias=True)
    for intervention in offered["interventions"]:
        _drop_unused(intervention, _NEW_IN_INTERVENTION)
    content = {
        "instrument": dumped,
        "interventions": offered,
        "rules": [_rule(r) for r in rules],
        "rule_files": {
            d.file: f.description.model_dump(mode="json") if f.description else None
            for d, f in sorted(rule_files, key=lambda pair: pair[0].file)
        },
    }
    if cycle is not None:  # absent settings leave the hash of older knowledge bases unchanged
        settings = cycle.model_dump(mode="json")
        _drop_unused(settings, {"phases": CycleSettings().model_dump(mode="json")["phases"]})
        content["cycle"] = settings
    cycle_rules = sorted((r for _d, f in cycle_files for r in f.rules), key=lambda r: r.id)
    if cycle_rules:
        content["cycle_rules"] = [
            r.model_dump(mode="json", by_alias=True, exclude={"examples"}) for r in cycle_rules
        ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
