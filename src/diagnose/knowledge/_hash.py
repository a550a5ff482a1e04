"""The content hash of a knowledge base: over its canonical content, not its bytes."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from diagnose.knowledge._models import CycleSettings, Instrument, InterventionsFile
    from diagnose.knowledge._yaml import YamlDocument
    from diagnose.knowledge.conditions import (
        Rule,
        RuleFile,
    )
    from diagnose.knowledge.cycle_rules import (
        CycleRuleFile,
    )


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
    for factor in dumped["factors"]:  # no screening: the hash it had before screening existed
        if not factor.get("screening"):
            factor.pop("screening", None)
    content = {
        "instrument": dumped,
        "interventions": interventions.model_dump(mode="json", by_alias=True),
        "rules": [r.model_dump(mode="json", by_alias=True, exclude={"examples"}) for r in rules],
        "rule_files": {
            d.file: f.description.model_dump(mode="json") if f.description else None
            for d, f in sorted(rule_files, key=lambda pair: pair[0].file)
        },
    }
    if cycle is not None:  # absent settings leave the hash of older knowledge bases unchanged
        content["cycle"] = cycle.model_dump(mode="json")
    cycle_rules = sorted((r for _d, f in cycle_files for r in f.rules), key=lambda r: r.id)
    if cycle_rules:
        content["cycle_rules"] = [
            r.model_dump(mode="json", by_alias=True, exclude={"examples"}) for r in cycle_rules
        ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
