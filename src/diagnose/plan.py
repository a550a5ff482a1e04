"""Deprecated: `diagnose.plan` moved to `diagnose.cycle.plan` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.assessment.preferences import PreferenceItem, Preferences
from diagnose.cycle.plan import REASON_CODES, Decision, Goal, Plan, build_plan
from diagnose.errors import CycleError

__all__ = [
    "REASON_CODES",
    "CycleError",
    "Decision",
    "Goal",
    "Plan",
    "PreferenceItem",
    "Preferences",
    "build_plan",
]

warn_moved(__name__)
