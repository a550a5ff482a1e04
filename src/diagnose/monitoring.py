"""Deprecated: `diagnose.monitoring` moved to `diagnose.cycle.monitoring` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.cycle.monitoring import (
    Comparison,
    FactorChange,
    Review,
    Suggestion,
    compare,
    review,
    review_facts,
)

__all__ = ["Comparison", "FactorChange", "Review", "Suggestion", "compare", "review", "review_facts"]

warn_moved(__name__)
