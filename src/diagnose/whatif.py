"""Deprecated: `diagnose.whatif` moved to `diagnose.authoring.whatif` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.authoring.whatif import (
    ChangedCase,
    InterventionShift,
    PriorityChange,
    WhatIfReport,
    compare_knowledge_bases,
    render_report,
)

__all__ = [
    "ChangedCase",
    "InterventionShift",
    "PriorityChange",
    "WhatIfReport",
    "compare_knowledge_bases",
    "render_report",
]

warn_moved(__name__)
