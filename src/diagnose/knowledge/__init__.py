"""The knowledge base: factors, items, interventions and rules, loaded from YAML and validated.

A knowledge base is a folder:

```text
instrument.yaml      metadata, answer scales, factors, items, context fields
interventions.yaml   the intervention catalogue
recommend/*.yaml     recommendation rules, one file per theme
cycle/*.yaml         monitoring rules and the cycle's settings
cases/*.yaml         vignette cases (optional)
```

`load_knowledge_base()` reads and checks all of it and raises one `KnowledgeBaseError` listing
every problem; `iter_errors()` yields the problems without raising. The models live in
`diagnose.knowledge.conditions` (rules and their conditions), `diagnose.knowledge.cycle_rules`
(monitoring rules) and `diagnose.knowledge.cases` (vignettes); this module gathers the rest.
"""

from diagnose.knowledge._base import KnowledgeBase, Origin
from diagnose.knowledge._load import default_knowledge_base_path, iter_errors, load_knowledge_base
from diagnose.knowledge._models import (
    EVIDENCE_LEVELS,
    ContextField,
    CycleSettings,
    EvidenceLevel,
    Factor,
    Instrument,
    Intervention,
    InterventionsFile,
    Item,
    Scale,
    Thresholds,
)
from diagnose.knowledge.schema import knowledge_base_schema

__all__ = [
    "EVIDENCE_LEVELS",
    "ContextField",
    "CycleSettings",
    "EvidenceLevel",
    "Factor",
    "Instrument",
    "Intervention",
    "InterventionsFile",
    "Item",
    "KnowledgeBase",
    "Origin",
    "Scale",
    "Thresholds",
    "default_knowledge_base_path",
    "iter_errors",
    "knowledge_base_schema",
    "load_knowledge_base",
]


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
