"""Deprecated: `diagnose.conditions` moved to `diagnose.knowledge.conditions` (0.2)."""

from collections.abc import Mapping

from diagnose._moved import warn_moved
from diagnose.engine._durable import context_key, decode, level_key, score_key
from diagnose.knowledge.conditions import (
    AllOf,
    AnyOf,
    Condition,
    ContextCondition,
    Facts,
    LevelCondition,
    NotOf,
    Rule,
    RuleExample,
    RuleFile,
    ScoreCondition,
)
from diagnose.knowledge.conditions import truth as _truth

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


def truth(condition: Condition, fact: Facts | Mapping[str, object]) -> bool | None:
    """0.1's `truth`, which also takes a fact keyed by `level_key`, `score_key` and `context_key`."""
    return _truth(condition, fact if isinstance(fact, Facts) else decode(fact))


warn_moved(__name__)
