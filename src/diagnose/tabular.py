"""Deprecated: `diagnose.tabular` moved to `diagnose.batch.tabular` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.batch.tabular import assess_frame, assess_table

__all__ = ["assess_frame", "assess_table"]

warn_moved(__name__)
