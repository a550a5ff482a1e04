"""Deprecated: `diagnose.conditions` moved to `diagnose.knowledge.conditions` (0.2)."""

from diagnose._moved import warn_moved
from diagnose.knowledge.conditions import (
    AllOf,
    AnyOf,
    Condition,
    ContextCondition,
    LevelCondition,
    NotOf,
    Rule,
    RuleExample,
    RuleFile,
    ScoreCondition,
    context_key,
    level_key,
    score_key,
    truth,
)

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "ContextCondition",
    "LevelCondition",
    "NotOf",
    "Rule",
    "RuleExample",
    "RuleFile",
    "ScoreCondition",
    "context_key",
    "level_key",
    "score_key",
    "truth",
]

warn_moved(__name__)
