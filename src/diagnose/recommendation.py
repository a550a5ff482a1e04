"""Deprecated: `diagnose.recommendation` moved to `diagnose.assessment.recommendation` (0.2)."""

from diagnose._moved import warn_moved
from diagnose.assessment.recommendation import (
    Diagnosis,
    FiredRule,
    Recommendation,
    Trace,
    UndecidedRule,
    assess,
)

__all__ = ["Diagnosis", "FiredRule", "Recommendation", "Trace", "UndecidedRule", "assess"]


def _diagnosis_from_json(text: str | bytes) -> Diagnosis:
    """Read a `Diagnosis` pickled by diagnose 0.1, which named this function to rebuild it."""
    return Diagnosis.model_validate_json(text)


warn_moved(__name__)
