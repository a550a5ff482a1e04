"""The module paths of 0.1 that moved into subpackages in 0.2, and the warning they give."""

from __future__ import annotations

import warnings
from types import MappingProxyType

__all__ = ["MOVED", "warn_moved"]

#: Old module path → new module path. The old paths still work, with a DeprecationWarning, until 0.3.
MOVED = MappingProxyType(
    {
        "diagnose.analysis": "diagnose.authoring.analysis",
        "diagnose.catalog": "diagnose.authoring.catalog",
        "diagnose.checks": "diagnose.authoring.checks",
        "diagnose.conditions": "diagnose.knowledge.conditions",
        "diagnose.evaluation": "diagnose.cycle.evaluation",
        "diagnose.fairness": "diagnose.knowledge.fairness",
        "diagnose.monitoring": "diagnose.cycle.monitoring",
        "diagnose.plan": "diagnose.cycle.plan",
        "diagnose.recommendation": "diagnose.assessment.recommendation",
        "diagnose.scoring": "diagnose.assessment.scoring",
        "diagnose.tabular": "diagnose.batch.tabular",
        "diagnose.whatif": "diagnose.authoring.whatif",
    }
)


def warn_moved(old: str) -> None:
    """Warn (DeprecationWarning) that module `old` moved; its new path is `MOVED[old]`."""
    warnings.warn(
        f"{old} moved to {MOVED[old]} in diagnose 0.2; import it from there (the old path goes in 0.3)",
        DeprecationWarning,
        stacklevel=3,
    )
