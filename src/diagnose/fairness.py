"""Deprecated: `diagnose.fairness` moved to `diagnose.knowledge.fairness` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.knowledge.fairness import (
    PROTECTED_ATTRIBUTES,
    SANCTION_WORDS,
    protected_attribute,
    protected_question,
    sanction_word,
)

__all__ = [
    "PROTECTED_ATTRIBUTES",
    "SANCTION_WORDS",
    "protected_attribute",
    "protected_question",
    "sanction_word",
]

warn_moved(__name__)
