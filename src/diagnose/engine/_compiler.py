"""The compiler from a knowledge base's conditions to durable-rules' rule definitions (JSON).

Part of the engine's adapter (`diagnose.engine._durable`, which re-exports what is public here and
alone imports durable-rules): the names of the fact fields and the shape of a rule as durable
takes it. Each rule is compiled to "definitely true" by pushing negation down to the atoms
(`not (level is low)` becomes `level is medium or high`), so that `not` over an unknown factor
stays unknown instead of becoming true.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnose._base import LEVELS
from diagnose.knowledge._tree import fold
from diagnose.knowledge.conditions import (
    OPPOSITE_BOUND,
    ContextCondition,
    LevelCondition,
    ScoreCondition,
)
from diagnose.knowledge.cycle_rules import CYCLE_FACTS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Thresholds
    from diagnose.knowledge.conditions import Condition
    from diagnose.knowledge.cycle_rules import CycleCondition, CycleFact

__all__ = [
    "CAP",
    "CATCH_ALL",
    "CATCH_ALL_PRIORITY",
    "FACT_KIND",
    "compile_cycle_ruleset",
    "compile_ruleset",
    "context_key",
    "level_key",
    "score_key",
]

#: Every fact we assert has `kind: intake`; each rule matches on it first.
FACT_KIND = "intake"
#: Frames one action may carry (durable's `cap`); a larger batch just takes more actions.
CAP = 4096
#: A rule that matches every fact, so that no fact goes unhandled. durable-rules leaves the
#: session state of an unhandled fact partly uninitialised, and `delete_state` then frees an
#: invalid pointer (`free(): invalid pointer`, found with valgrind: deleteStateNode); whether it
#: crashes depends on what the heap held before. Its id cannot clash: knowledge-base ids start
#: with a letter.
CATCH_ALL = "_handled"
CATCH_ALL_PRIORITY = 1_000

# A constant in a compiled expression: True (always holds) or False (never holds).
Expr = dict[str, Any] | bool


def level_key(factor: str) -> str:
    """Name of the fact field holding a factor's level (absent when not assessed)."""
    return f"l__{factor}"


def score_key(factor: str) -> str:
    """Name of the fact field holding a factor's score (absent when not assessed)."""
    return f"s__{factor}"


def context_key(field: str) -> str:
    """Name of the fact field holding a context value or a cycle fact (absent when not given)."""
    return f"c__{field}"


def _and(parts: Sequence[Expr]) -> Expr:
    kept = [p for p in parts if p is not True]
    if any(p is False for p in kept):
        return False
    if not kept:
        return True
    return kept[0] if len(kept) == 1 else {"$and": kept}


def _or(parts: Sequence[Expr]) -> Expr:
    kept = [p for p in parts if p is not False]
    if any(p is True for p in kept):
        return True
    if not kept:
        return False
    return kept[0] if len(kept) == 1 else {"$or": kept}


def _bound(op: str, field: str, value: float) -> Expr:
    return {f"${op}": {field: value}}


def _bounds(field: str, bounds: Mapping[str, float], *, holds: bool) -> Expr:
    if holds:
        return _and([_bound(op, field, v) for op, v in bounds.items()])
    return _or([_bound(OPPOSITE_BOUND[op], field, v) for op, v in bounds.items()])


def _values_expr(field: str, values: Sequence[object]) -> Expr:
    return _or([{field: v} for v in values])


#: A condition compiled both ways: (definitely true, definitely false).
Rail = tuple[Expr, Expr]


def _all_rail(parts: list[Rail]) -> Rail:
    return _and([t for t, _ in parts]), _or([f for _, f in parts])


def _any_rail(parts: list[Rail]) -> Rail:
    return _or([t for t, _ in parts]), _and([f for _, f in parts])


def _not_rail(part: Rail) -> Rail:
    return part[1], part[0]


def _level_rail(atom: LevelCondition, _kb: KnowledgeBase) -> Rail:
    key, wanted = level_key(atom.factor), atom.levels()
    return _values_expr(key, wanted), _values_expr(key, [lv for lv in LEVELS if lv not in wanted])


def _score_ranges(key: str, levels: Sequence[str], thresholds: Thresholds) -> Expr:
    """The scores whose level (`Thresholds.level`) is one of `levels`, as bounds on the score field."""
    low, medium, high = (level in levels for level in LEVELS)
    below_medium, from_medium = _bound("lt", key, thresholds.medium), _bound("gte", key, thresholds.medium)
    if low and high:  # all three: any score, the factor assessed; or low and high, not between
        return _or([below_medium, from_medium if medium else _bound("gte", key, thresholds.high)])
    if not (low or medium or high):
        return False
    bounds = []
    if not low:  # from medium's cut-off, or from high's
        bounds.append(from_medium if medium else _bound("gte", key, thresholds.high))
    if not high:  # below high's cut-off, or below medium's
        bounds.append(_bound("lt", key, thresholds.high) if medium else below_medium)
    return _and(bounds)


def _scored_level_rail(atom: LevelCondition, kb: KnowledgeBase) -> Rail:
    """A level condition as bounds on the factor's score, which the level is a function of."""
    key, wanted, thresholds = score_key(atom.factor), atom.levels(), kb.factors[atom.factor].thresholds
    others = [lv for lv in LEVELS if lv not in wanted]
    return _score_ranges(key, wanted, thresholds), _score_ranges(key, others, thresholds)


def _score_rail(atom: ScoreCondition, _kb: KnowledgeBase) -> Rail:
    key, bounds = score_key(atom.factor), atom.score.bounds()
    return _bounds(key, bounds, holds=True), _bounds(key, bounds, holds=False)


def _context_rail(atom: ContextCondition, kb: KnowledgeBase) -> Rail:
    key, spec = context_key(atom.context), kb.context_fields[atom.context]
    accepted = atom.accepted()
    if accepted is None:
        return _bounds(key, atom.bounds(), holds=True), _bounds(key, atom.bounds(), holds=False)
    if spec.type == "enum":
        others: Expr = _values_expr(key, [v for v in spec.values if v not in accepted])
    elif spec.type == "boolean":
        others = _values_expr(key, [v for v in (True, False) if v not in accepted])
    else:  # a number is definitely not in the set when it differs from each value
        others = _and([_or([_bound("lt", key, float(v)), _bound("gt", key, float(v))]) for v in accepted])
    return _values_expr(key, accepted), others


#: How each kind of atom is compiled (a new kind of atom adds its compiler here).
_ATOM_RAILS: dict[type, Callable[[Any, KnowledgeBase], Rail]] = {
    LevelCondition: _level_rail,
    ScoreCondition: _score_rail,
    ContextCondition: _context_rail,
}
#: The same, for facts that hold every assessed factor's score (`compile_ruleset(scored=True)`).
_SCORED_RAILS: dict[type, Callable[[Any, KnowledgeBase], Rail]] = {
    **_ATOM_RAILS,
    LevelCondition: _scored_level_rail,
}


def _expr(condition: Condition, kb: KnowledgeBase, *, scored: bool = False) -> Expr:
    """The durable condition under which `condition` is definitely true.

    Negation is pushed down to the atoms: each part is compiled both ways (definitely true,
    definitely false), and `not` swaps the two.
    """
    rails = _SCORED_RAILS if scored else _ATOM_RAILS
    rail = fold(
        condition,
        atom=lambda atom: rails[type(atom)](atom, kb),
        all_=_all_rail,
        any_=_any_rail,
        not_=_not_rail,
    )
    return rail[0]


def _fact_rail(atom: CycleFact) -> Rail:
    accepted, domain = atom.accepted(), CYCLE_FACTS[atom.fact][1]
    key = context_key(atom.fact)
    return _values_expr(key, accepted), _values_expr(key, [v for v in domain if v not in accepted])


def _cycle_expr(condition: CycleCondition) -> Expr:
    """Like `_expr`, for cycle rules: facts are always present, so only negation needs care."""
    return fold(condition, atom=_fact_rail, all_=_all_rail, any_=_any_rail, not_=_not_rail)[0]


def compile_cycle_ruleset(kb: KnowledgeBase) -> dict[str, Any]:
    """The durable-rules definition of a knowledge base's cycle rules (facts of kind goal/trajectory)."""
    definition: dict[str, Any] = {}
    for rule in kb.cycle_rules:
        expr = _cycle_expr(rule.when)
        if expr is False:
            continue
        match = {"kind": rule.scope} if expr is True else {"$and": [{"kind": rule.scope}, expr]}
        definition[rule.id] = {"all": [{"m": match}], "pri": rule.priority, "cap": CAP}
    if definition:
        for scope in ("goal", "trajectory"):
            catch_all = {"all": [{"m": {"kind": scope}}], "pri": CATCH_ALL_PRIORITY, "cap": CAP}
            definition[f"{CATCH_ALL}_{scope}"] = catch_all
    return definition


def compile_ruleset(kb: KnowledgeBase, *, scored: bool = False) -> dict[str, Any]:
    """The durable-rules definition of a knowledge base's recommendation rules.

    A rule whose condition can never be true is left out (the checker reports such rules). With
    `scored`, for facts that hold the score of every factor whose level they hold (as the scorer
    makes them): a level condition is compiled to bounds on the score (`Thresholds.level` makes
    the level of a score so), and the fact need not carry levels: half the fields per fact,
    for less of durable's work on them (docs/benchmarks.md).
    """
    definition: dict[str, Any] = {}
    for rule in kb.rules:
        expr = _expr(rule.when, kb, scored=scored)
        if expr is False:
            continue
        match = {"kind": FACT_KIND} if expr is True else {"$and": [{"kind": FACT_KIND}, expr]}
        definition[rule.id] = {"all": [{"m": match}], "pri": rule.priority, "cap": CAP}
    if definition:
        definition[CATCH_ALL] = {"all": [{"m": {"kind": FACT_KIND}}], "pri": CATCH_ALL_PRIORITY, "cap": CAP}
    return definition
