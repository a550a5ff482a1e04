"""The parts of diagnoses that depend only on which rules fired, shared between diagnoses.

`assess` and the batch path (`diagnose.batch._compiled`) take from here, per knowledge base
(`diagnose.assessment.recommendation.shared_advice`): each rule's `FiredRule`, the
recommendations per set of fired rules (as `recommend` ranks and phases them), and the
`UndecidedRule`s, found by looking only at the rules that read something unknown, each rule's
three-valued truth compiled once. Everything kept is immutable (frozen models of tuples and
text) and bounded (`Advice.LIMIT` per kind).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from diagnose._base import Record, construct
from diagnose.knowledge._models import EVIDENCE_LEVELS
from diagnose.knowledge._tree import fold, kleene_not
from diagnose.knowledge.conditions import Facts

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge.conditions import Condition

# The models of `diagnose.assessment.recommendation` (which uses this module, so they are not
# imported here): a recommendation, a fired rule, an undecided rule.
Recommendation: TypeAlias = Any
FiredRule: TypeAlias = Any
UndecidedRule: TypeAlias = Any

__all__ = ["Advice", "compiled_truth"]

Truth = Callable[[Facts], bool | None]


def _all_of(parts: list[Truth]) -> Truth:
    def holds(fact: Facts) -> bool | None:
        result: bool | None = True
        for part in parts:
            value = part(fact)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    return holds


def _any_of(parts: list[Truth]) -> Truth:
    def holds(fact: Facts) -> bool | None:
        result: bool | None = False
        for part in parts:
            value = part(fact)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    return holds


def _not_of(part: Truth) -> Truth:
    return lambda fact: kleene_not(part(fact))


def compiled_truth(condition: Condition) -> Truth:
    """`truth(condition, fact)` as one function over the fact, stopping as soon as it is decided."""
    return fold(condition, atom=lambda atom: atom.truth, all_=_all_of, any_=_any_of, not_=_not_of)


class Advice:
    """The parts of a diagnosis that depend only on which rules fired, shared between diagnoses.

    Each rule's `FiredRule`, the recommendations of a set of fired rules (without preferences)
    and each `UndecidedRule` are frozen models of tuples and text, so one object serves every
    diagnosis that has it; whole results are kept per set of fired rules, up to `LIMIT` of them.
    """

    LIMIT = 4096

    def __init__(
        self,
        kb: KnowledgeBase,
        recommend: Callable[[KnowledgeBase, tuple[str, ...]], tuple[Any, ...]],
        fired_rule: type[Record],
        undecided_rule: type[Record],
    ) -> None:
        """Keep what is built once per knowledge base: each rule's fired-rule model and truth.

        `recommend`, `fired_rule` and `undecided_rule` are those of
        `diagnose.assessment.recommendation` (passed in: that module uses this one).
        """
        rules = kb.rules
        self._recommend, self._undecided_rule = recommend, undecided_rule
        self._fired_rule = {
            r.id: construct(fired_rule, rule=r.id, intervention=r.recommend, priority=r.priority)
            for r in rules
        }
        #: Rule id → (priority, id): the order in which fired rules are listed and grouped.
        self.rank: dict[str, tuple[int, str]] = {r.id: (r.priority, r.id) for r in rules}
        #: Intervention id → its place in `EVIDENCE_LEVELS` (stronger evidence ranks first).
        self.evidence_rank: dict[str, int] = {
            i.id: EVIDENCE_LEVELS.index(i.evidence_level) for i in kb.interventions.values()
        }
        #: Intervention id → its place among the support that stabilises first (`kb.cycle`), the
        #: rest after all of them: the phases' order.
        first = {name: n for n, name in enumerate(kb.cycle.phases.stabilise_first)}
        self.stabilise_rank: dict[str, int] = {i: first.get(i, len(first)) for i in kb.interventions}
        #: Recommendations by what they are made of (see `recommend`), up to `LIMIT` of them.
        self.made: dict[tuple[object, ...], Recommendation] = {}
        self._known: dict[tuple[str, ...], tuple[tuple[Recommendation, ...], tuple[FiredRule, ...]]] = {}
        self._undecided: dict[tuple[str, tuple[str, ...], tuple[str, ...]], UndecidedRule] = {}
        #: Set of unknown names → the rules that read one of them, in the rules' order.
        self._candidates: dict[frozenset[str], tuple[int, ...]] = {}
        # Which rules read each factor and each context field, in the rules' order.
        self._truth = [compiled_truth(r.when) for r in rules]
        self._readers: dict[str, list[int]] = {}
        for n, rule in enumerate(rules):
            factors, fields = kb.rule_reads[rule.id]
            for name in {*factors, *(f"c:{c}" for c in fields)}:
                self._readers.setdefault(name, []).append(n)

    def of(
        self, kb: KnowledgeBase, fired: tuple[str, ...]
    ) -> tuple[tuple[Recommendation, ...], tuple[FiredRule, ...]]:
        """The recommendations (`recommend`'s, without preferences) and fired rules of a fired set.

        Kept per set of fired rules: `recommend` ranks and phases them, here they are only kept.
        """
        known = self._known.get(fired)
        if known is None:
            ordered = sorted(fired, key=self.rank.__getitem__)
            known = self._recommend(kb, fired), tuple(self._fired_rule[r] for r in ordered)
            if len(self._known) < self.LIMIT:
                self._known[fired] = known
        return known

    def keep(self, key: tuple[object, ...], recommendation: Recommendation) -> None:
        """Keep a recommendation `recommend` built, while fewer than `LIMIT` are kept."""
        if len(self.made) < self.LIMIT:
            self.made[key] = recommendation

    def unknown(self, kb: KnowledgeBase, fact: Facts) -> frozenset[str]:
        """What rules read that the fact does not know: factor ids, and `c:<field>` for context."""
        return frozenset(
            (
                *(factor for factor in kb.factors if factor not in fact.levels),
                *(f"c:{field}" for field in kb.context_fields if field not in fact.context),
            )
        ).intersection(self._readers)

    def undecided(
        self,
        kb: KnowledgeBase,
        fired: tuple[str, ...],
        fact: Facts,
        unknown: frozenset[str] | None = None,
    ) -> tuple[UndecidedRule, ...]:
        """`_undecided`, looking only at the rules that read something unknown.

        `unknown` is `self.unknown(kb, fact)` when the caller knows it already (the batch path
        finds it from the fact's missing fields); the rules that read it are kept per set.
        """
        if unknown is None:
            unknown = self.unknown(kb, fact)
        candidates = self.candidates(unknown)
        found = (self.undecided_rule(kb, n, fact) for n in candidates if kb.rules[n].id not in fired)
        return tuple(undecided for undecided in found if undecided is not None)

    def candidates(self, unknown: frozenset[str]) -> tuple[int, ...]:
        """The positions of the rules that read one of `unknown`'s names, in order (kept per set)."""
        candidates = self._candidates.get(unknown)
        if candidates is None:
            readers = self._readers
            candidates = tuple(sorted({n for name in unknown if name in readers for n in readers[name]}))
            if len(self._candidates) < self.LIMIT:
                self._candidates[unknown] = candidates
        return candidates

    def undecided_rule(self, kb: KnowledgeBase, n: int, fact: Facts) -> UndecidedRule | None:
        """The `UndecidedRule` of the knowledge base's `n`-th rule, or None when the fact decides it.

        What it depends on is the fact's values of what the rule reads (its truth) and which of
        them the fact holds; that it did not fire is for the caller to know.
        """
        rule = kb.rules[n]
        if self._truth[n](fact) is not None:
            return None
        factors, fields = kb.rule_reads[rule.id]
        key = (
            rule.id,
            tuple(f for f in factors if f not in fact.levels),
            tuple(c for c in fields if c not in fact.context),
        )
        undecided = self._undecided.get(key)
        if undecided is None:
            undecided = construct(
                self._undecided_rule,
                rule=rule.id,
                intervention=rule.recommend,
                not_assessed=key[1],
                context_missing=key[2],
            )
            if len(self._undecided) < self.LIMIT:
                self._undecided[key] = undecided
        return undecided
