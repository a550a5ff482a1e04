"""One engine per knowledge base, built on first use and dropped with it.

The knowledge base keeps what is derived from it (`diagnose.knowledge._base.derived`) without
knowing what that is; this module is what asks it for the two durable-rules rulesets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnose.engine._durable import RuleEngine, compile_ruleset, fact_fields
from diagnose.engine._limits import limit_problems
from diagnose.knowledge._base import derived

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["cycle_engine", "rule_engine", "scored_engine", "scored_fields"]


def _recommendation_engine(kb: KnowledgeBase) -> RuleEngine:
    return RuleEngine(kb)


def _fits_scored(kb: KnowledgeBase) -> bool:
    """Whether the scored ruleset is within the engine's limits (the loader checked the other)."""
    try:
        return not limit_problems(compile_ruleset(kb, scored=True))
    except OverflowError:  # pragma: no cover - thresholds are numbers of the scale
        return False


def _scored_engine(kb: KnowledgeBase) -> RuleEngine:
    return RuleEngine(kb, scored=True) if derived(kb, _fits_scored) else rule_engine(kb)


def _scored_fields(kb: KnowledgeBase) -> frozenset[str]:
    return fact_fields(kb.rules, scored=derived(kb, _fits_scored))


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


def scored_engine(kb: KnowledgeBase) -> RuleEngine:
    """The recommendation rules of `kb` for the scorer's facts, built on first use.

    Those facts hold the score of every factor whose level they hold, so a level condition is
    read from the score (`compile_ruleset(kb, scored=True)`) and the facts carry no levels: half
    the fields, for less of durable's work. `engine.fields` says what a fact must carry. Where
    that ruleset would go beyond a limit of the engine, this is `rule_engine(kb)`.

    Examples:
        >>> import diagnose
        >>> from diagnose.knowledge.conditions import Facts
        >>> engine = scored_engine(diagnose.load_knowledge_base())
        >>> engine.fired(Facts(levels={"motivation": "low"}, scores={"motivation": 1.5}))
        ('low_motivation',)
        >>> sorted(engine.fields)[:2]
        ['c__started_work', 's__basic_skills']
    """
    return derived(kb, _scored_engine)


def scored_fields(kb: KnowledgeBase) -> frozenset[str]:
    """The fields of a fact for `scored_engine(kb)` (known without building it, or durable)."""
    return derived(kb, _scored_fields)


def cycle_engine(kb: KnowledgeBase) -> RuleEngine:
    """The monitoring rules of `kb` (`cycle/*.yaml`) in durable-rules, built on first use."""
    return derived(kb, _cycle_engine)
