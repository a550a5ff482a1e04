"""Deprecated: `diagnose.checks` moved to `diagnose.authoring.checks` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.authoring.checks import CaseResult, ExampleResult, run_cases, run_examples
from diagnose.knowledge.cases import Case, CaseFile, Expectation

__all__ = ["Case", "CaseFile", "CaseResult", "ExampleResult", "Expectation", "run_cases", "run_examples"]

warn_moved(__name__)
