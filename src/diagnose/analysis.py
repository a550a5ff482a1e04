"""Deprecated: `diagnose.analysis` moved to `diagnose.authoring.analysis` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.authoring.analysis import CODES, Finding, analyse, satisfiable

__all__ = ["CODES", "Finding", "analyse", "satisfiable"]

warn_moved(__name__)
