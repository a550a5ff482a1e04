"""Deprecated: `diagnose.scoring` moved to `diagnose.assessment.scoring` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.assessment.scoring import (
    MISSING_REASONS,
    AnswerValue,
    ContextValue,
    FactorScore,
    Intake,
    ItemScore,
    MissingReason,
    Profile,
    intake_schema,
    score,
    validate_intake,
)

__all__ = [
    "MISSING_REASONS",
    "AnswerValue",
    "ContextValue",
    "FactorScore",
    "Intake",
    "ItemScore",
    "MissingReason",
    "Profile",
    "intake_schema",
    "score",
    "validate_intake",
]

warn_moved(__name__)
