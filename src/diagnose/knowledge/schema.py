"""The JSON Schema of the knowledge-base files, for editors and for `rules/schema.json`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnose.knowledge._models import CycleSettings, Instrument, InterventionsFile
from diagnose.knowledge.cases import CaseFile
from diagnose.knowledge.conditions import RuleFile
from diagnose.knowledge.cycle_rules import CycleRuleFile

if TYPE_CHECKING:
    from pydantic import (
        BaseModel,
    )

__all__ = ["knowledge_base_schema"]


def knowledge_base_schema() -> dict[str, Any]:
    """The JSON Schema of the knowledge-base files (instrument, interventions, rule and case files).

    It is committed as `rules/schema.json` for editors (VS Code's YAML extension reads the
    `# yaml-language-server: $schema=...` line at the top of each file).

    Examples:
        >>> schema = knowledge_base_schema()
        >>> [entry["$ref"].removeprefix("#/$defs/") for entry in schema["anyOf"]]
        ['Instrument', 'InterventionsFile', 'RuleFile', 'CaseFile', 'CycleSettings', 'CycleRuleFile']
    """
    from pydantic.json_schema import models_json_schema  # noqa: PLC0415 - only for this export

    models: list[type[BaseModel]] = [
        Instrument,
        InterventionsFile,
        RuleFile,
        CaseFile,
        CycleSettings,
        CycleRuleFile,
    ]
    refs, schema = models_json_schema([(m, "validation") for m in models], by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "diagnose knowledge-base file",
        "anyOf": [refs[(m, "validation")] for m in models],
        **schema,
    }


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
