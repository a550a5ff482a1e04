"""Deprecated: `diagnose.evaluation` moved to `diagnose.cycle.evaluation` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.cycle.evaluation import (
    STEPS,
    CaseloadIndicators,
    EvaluationReport,
    GoalOutcome,
    InterventionRates,
    caseload_indicators,
    evaluate,
    indicators_from_counts,
)
from diagnose.cycle.trajectory import Trajectory

__all__ = [
    "STEPS",
    "CaseloadIndicators",
    "EvaluationReport",
    "GoalOutcome",
    "InterventionRates",
    "Trajectory",
    "caseload_indicators",
    "evaluate",
    "indicators_from_counts",
]

warn_moved(__name__)
