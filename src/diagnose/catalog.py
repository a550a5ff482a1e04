"""Deprecated: `diagnose.catalog` moved to `diagnose.authoring.catalog` in 0.2 (this path goes in 0.3)."""

from diagnose._moved import warn_moved
from diagnose.authoring.catalog import EVIDENCE_LABELS, describe_condition, render_markdown

__all__ = ["EVIDENCE_LABELS", "describe_condition", "render_markdown"]

warn_moved(__name__)
