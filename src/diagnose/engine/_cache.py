"""One engine per knowledge base, built on first use and dropped with it.

The knowledge base keeps what is derived from it (`diagnose.knowledge._base.derived`) without
knowing what that is; this module is what asks it for the two durable-rules rulesets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnose.engine._durable import RuleEngine
from diagnose.knowledge._base import derived

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["cycle_engine", "rule_engine"]


def _recommendation_engine(kb: KnowledgeBase) -> RuleEngine:
    return RuleEngine(kb)


def _cycle_engine(kb: KnowledgeBase) -> RuleEngine:
    return RuleEngine(kb, cycle=True)


def rule_engine(kb: KnowledgeBase) -> RuleEngine:
    """The recommendation rules of `kb` in durable-rules, built on first use.

    Examples:
        >>> import diagnose
        >>> from diagnose.knowledge.conditions import Facts
        >>> engine = rule_engine(diagnose.load_knowledge_base())
        >>> engine.fired_many([Facts(levels={"motivation": "low"}), Facts()])
        [('low_motivation',), ()]
    """
    return derived(kb, _recommendation_engine)


def cycle_engine(kb: KnowledgeBase) -> RuleEngine:
    """The monitoring rules of `kb` (`cycle/*.yaml`) in durable-rules, built on first use."""
    return derived(kb, _cycle_engine)
