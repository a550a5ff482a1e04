"""What would change the advice: the smallest changes in factor levels, and what undecided rules miss.

The rules are read with the same three-valued logic the engine uses (`conditions.truth`), over
every level a factor can take, so the answer is exact, not sampled. A factor's score matters only
where a rule compares it with a bound: for such a factor every score range between two bounds or
thresholds is tried (one point stands for a range, as nothing in it changes any condition), and a
change "to a level" counts only when it holds for every score within that level. For the other
factors one point per level stands for the whole level.

A change is *smallest* when it changes as few factors as possible: if changing one factor is
enough, no change of two is listed. Changes are searched up to `max_factors` factors at once.

Only assessed factors are changed: a factor that was not assessed cannot make a rule that fired
stop firing (a rule fires only when it is definitely true, and learning more never undoes that);
what the missing answers could decide is listed per undecided rule instead.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from diagnose._base import LEVELS, Level, Record
from diagnose._consistency import check_diagnosis
from diagnose.assessment.recommendation import Diagnosis, build_fact
from diagnose.assessment.scoring import MissingReason  # noqa: TC001 - pydantic needs it at run time
from diagnose.engine._durable import decode, encode, fact_fields, level_key, score_key
from diagnose.errors import CycleError, ExplainError
from diagnose.knowledge._base import KnowledgeBase
from diagnose.knowledge.conditions import ScoreCondition, iter_atoms, truth

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from diagnose.knowledge.conditions import Rule

__all__ = [
    "Alternative",
    "InterventionChange",
    "LevelChange",
    "MissingFactor",
    "UndecidedChange",
    "WhatWouldChange",
    "check_fits",
    "what_would_change",
]

#: How many factors one change may touch, by default.
MAX_FACTORS = 3


class LevelChange(Record):
    """One factor at another level: any of `levels` (in the order low, medium, high).

    Examples:
        >>> LevelChange(factor="self_efficacy", current="low", levels=("medium", "high")).levels
        ('medium', 'high')
    """

    factor: str
    current: Level
    levels: tuple[Level, ...]


class Alternative(Record):
    """One smallest change: every factor in `changes` at one of its levels, the rest as they are.

    Every combination of the listed levels has the effect; `also_added` and `also_removed` are
    the other interventions that would then come in or drop out (in every such combination).

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> d = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}, knowledge_base=kb)
        >>> alternative = diagnose.what_would_change(d, knowledge_base=kb).removals[0].alternatives[0]
        >>> [(c.factor, c.current, c.levels) for c in alternative.changes]
        [('self_efficacy', 'low', ('medium', 'high'))]
    """

    changes: tuple[LevelChange, ...]
    also_added: tuple[str, ...] = ()
    also_removed: tuple[str, ...] = ()


class InterventionChange(Record):
    """For one intervention: the smallest changes that would remove it (if advised) or bring it in.

    `alternatives` is empty when no change of at most `WhatWouldChange.max_factors` factors does it.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=kb)
        >>> change = diagnose.what_would_change(d, knowledge_base=kb).removals[0]
        >>> change.intervention, change.alternatives[0].changes[0].levels
        ('motivational_interviewing', ('medium', 'high'))
    """

    intervention: str
    alternatives: tuple[Alternative, ...]


class MissingFactor(Record):
    """A factor an undecided rule reads that was not assessed, and the answers it lacks.

    Attributes:
        factor: The factor id.
        needed: How many more of its items must be answered before it is scored.
        items: Its items without an answer, in questionnaire order.
        reasons: Why each of them has none (`not_asked`, `declined`, `unknown`).

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1, "he_1": "declined"}, knowledge_base=kb)
        >>> undecided = diagnose.what_would_change(d, knowledge_base=kb).undecided
        >>> health = next(u for u in undecided if u.rule == "low_health").factors[0]
        >>> health.factor, health.needed, health.reasons["he_1"]
        ('health', 3, 'declined')
    """

    factor: str
    needed: int
    items: tuple[str, ...]
    reasons: dict[str, MissingReason]


class UndecidedChange(Record):
    """An undecided rule and the missing answers that would decide it.

    Attributes:
        rule: The rule id.
        intervention: What it would suggest if it fired.
        factors: The factors it reads that were not assessed, with their missing items.
        context_missing: The context fields it reads that were not given.
        advised: Whether the intervention is advised anyway, by another rule.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=kb)
        >>> undecided = diagnose.what_would_change(d, knowledge_base=kb).undecided
        >>> u = next(u for u in undecided if u.rule == "low_health")
        >>> u.intervention, [f.factor for f in u.factors], u.advised
        ('health_assessment', ['health'], False)
    """

    rule: str
    intervention: str
    factors: tuple[MissingFactor, ...]
    context_missing: tuple[str, ...]
    advised: bool


class WhatWouldChange(Record):
    """What would change a diagnosis's advice, computed from the rules.

    Attributes:
        removals: Per recommendation (in the diagnosis's order): the smallest changes that remove it.
        additions: Per intervention not advised that a change can bring in: the smallest changes
            that do, in the knowledge base's order.
        undecided: Per undecided rule: the missing answers that would decide it.
        max_factors: The most factors one change was allowed to touch.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=kb)
        >>> changes = diagnose.what_would_change(d, knowledge_base=kb)
        >>> diagnose.WhatWouldChange.model_validate_json(changes.model_dump_json()) == changes
        True
    """

    removals: tuple[InterventionChange, ...]
    additions: tuple[InterventionChange, ...]
    undecided: tuple[UndecidedChange, ...]
    max_factors: int


def check_fits(diagnosis: object, kb: KnowledgeBase) -> Diagnosis:
    """The diagnosis, if it is one and was made with this knowledge base; else an `ExplainError`."""
    if not isinstance(kb, KnowledgeBase):
        got = type(kb).__name__
        raise ExplainError(
            f"knowledge_base: expected a KnowledgeBase (from diagnose.load_knowledge_base), got {got}"
        )
    if not isinstance(diagnosis, Diagnosis):
        raise ExplainError(
            f"diagnosis: expected a Diagnosis (from diagnose.assess), got {type(diagnosis).__name__}"
        )
    if diagnosis.knowledge_base_hash != kb.content_hash:
        raise ExplainError(
            f"diagnosis: made with knowledge base {diagnosis.knowledge_base_id} "
            f"{diagnosis.knowledge_base_version} {diagnosis.knowledge_base_hash[:19]}, "
            f"not with {kb.id} {kb.version} {kb.content_hash[:19]}; "
            "explain it with the knowledge base that made it"
        )
    try:  # the same hash, but a stored diagnosis may have been edited: every id must still be known
        check_diagnosis(diagnosis, kb, "diagnosis")
    except CycleError as exc:
        raise ExplainError(str(exc)) from None
    prefs = diagnosis.preferences
    wished = [*prefs.wanted, *prefs.unwanted] if prefs is not None else []
    for where, ident, known in (
        *(
            (f"preferences: intervention {p.intervention!r}", p.intervention, kb.interventions)
            for p in wished
        ),
        *(
            (f"trace.undecided_rules: rule {u.rule!r}", u.rule, kb.rules_by_id)
            for u in diagnosis.trace.undecided_rules
        ),
        *(
            (f"trace.undecided_rules: factor {f!r}", f, kb.factors)
            for u in diagnosis.trace.undecided_rules
            for f in u.not_assessed
        ),
    ):
        if ident not in known:
            raise ExplainError(f"diagnosis: {where} is not in the knowledge base")
    return diagnosis


def score_points(kb: KnowledgeBase) -> dict[str, tuple[list[float], frozenset[float]]]:
    """Per factor: the scores that stand for every score range, and which of them are cut points.

    The cut points are the scale's ends, the thresholds and every bound a rule compares the
    factor's score with; the others are the midpoints between two cuts. No condition changes
    its truth between two cuts, so these points stand for every score.
    """
    bounds: dict[str, set[float]] = {}
    for rule in kb.rules:
        for atom in iter_atoms(rule.when):
            if isinstance(atom, ScoreCondition):
                bounds.setdefault(atom.factor, set()).update(atom.score.bounds().values())
    out: dict[str, tuple[list[float], frozenset[float]]] = {}
    for factor in kb.factors.values():
        scale = kb.items_by_factor[factor.id][0].scale
        lo, hi = float(scale.min), float(scale.max)
        t = factor.thresholds
        cuts = sorted({lo, hi, *(c for c in (t.medium, t.high, *bounds.get(factor.id, ())) if lo <= c <= hi)})
        points = sorted({*cuts, *((a + b) / 2 for a, b in itertools.pairwise(cuts))})
        out[factor.id] = (points, frozenset(cuts))
    return out


def _score_points(kb: KnowledgeBase) -> dict[str, dict[Level, list[float]]]:
    """Per factor and level, the scores that stand for every score range of that level."""
    out: dict[str, dict[Level, list[float]]] = {}
    for factor_id, (points, _cuts) in score_points(kb).items():
        thresholds = kb.factors[factor_id].thresholds
        by_level: dict[Level, list[float]] = {}
        for p in points:
            by_level.setdefault(thresholds.level(p), []).append(p)
        if score_key(factor_id) not in fact_fields(kb.rules):  # no rule reads the score: one point per level
            by_level = {level: ps[len(ps) // 2 : len(ps) // 2 + 1] for level, ps in by_level.items()}
        out[factor_id] = {level: by_level[level] for level in LEVELS if level in by_level}
    return out


class _Search:
    """The smallest changes of factor levels that make a test on the fired rules hold."""

    def __init__(self, kb: KnowledgeBase, fact: Mapping[str, object], max_factors: int) -> None:
        self.kb = kb
        self.fact = dict(fact)
        self.max_factors = max_factors
        self.points = _score_points(kb)
        self.advised = self.interventions(self.fact)

    def interventions(self, fact: Mapping[str, object]) -> frozenset[str]:
        return frozenset(r.recommend for r in self.kb.rules if truth(r.when, decode(fact)) is True)

    def current(self, factor: str) -> Level | None:
        level = self.fact.get(level_key(factor))
        return level if isinstance(level, str) and level in LEVELS else None

    def smallest(
        self, factors: Iterable[str], holds: Callable[[frozenset[str]], bool], target: str
    ) -> tuple[Alternative, ...]:
        """Every smallest change of the (assessed) `factors` after which `holds(advised)` is true.

        `target` is the intervention asked about; it is not repeated among the others that change.
        """
        options: dict[str, list[Level]] = {}
        for factor in dict.fromkeys(factors):
            now = self.current(factor)
            if now is not None:
                options[factor] = [lv for lv in self.points[factor] if lv != now]
        names = [f for f in self.kb.factors if options.get(f)]
        for size in range(1, min(self.max_factors, len(names)) + 1):
            found: list[Alternative] = []
            for subset in itertools.combinations(names, size):
                working: list[tuple[tuple[Level, ...], frozenset[str], frozenset[str]]] = []
                for combo in itertools.product(*(options[f] for f in subset)):
                    effect = self._effect(subset, combo, holds)
                    if effect is not None:
                        working.append((combo, *effect))
                if working:
                    found += self._group(subset, working, target)
            if found:
                return tuple(found)
        return ()

    def _effect(
        self, subset: Sequence[str], combo: Sequence[Level], holds: Callable[[frozenset[str]], bool]
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        """(added, removed) common to every score of the levels, or None unless `holds` for all."""
        added: frozenset[str] | None = None
        removed: frozenset[str] | None = None
        for scores in itertools.product(*(self.points[f][lv] for f, lv in zip(subset, combo, strict=True))):
            fact = dict(self.fact)
            for factor, level, value in zip(subset, combo, scores, strict=True):
                fact[level_key(factor)] = level
                fact[score_key(factor)] = value
            advised = self.interventions(fact)
            if not holds(advised):
                return None
            now_added, now_removed = advised - self.advised, self.advised - advised
            added = now_added if added is None else added & now_added
            removed = now_removed if removed is None else removed & now_removed
        return added or frozenset(), removed or frozenset()

    def _group(
        self,
        subset: Sequence[str],
        working: list[tuple[tuple[Level, ...], frozenset[str], frozenset[str]]],
        target: str,
    ) -> list[Alternative]:
        """One alternative when the working level combinations form a product; else one each."""
        combos = {combo for combo, _a, _r in working}
        levels = [tuple(lv for lv in LEVELS if any(c[i] == lv for c in combos)) for i in range(len(subset))]
        if len(combos) == len(list(itertools.product(*levels))):
            groups = [(levels, working)]
        else:
            groups = [([(lv,) for lv in combo], [(combo, a, r)]) for combo, a, r in working]
        out = []
        for group_levels, members in groups:
            added = frozenset.intersection(*(a for _c, a, _r in members)) - {target}
            removed = frozenset.intersection(*(r for _c, _a, r in members)) - {target}
            now = [self.current(f) for f in subset]
            out.append(
                Alternative(
                    changes=tuple(
                        LevelChange(factor=f, current=c, levels=lv)
                        for f, c, lv in zip(subset, now, group_levels, strict=True)
                        if c is not None
                    ),
                    also_added=tuple(i for i in self.kb.interventions if i in added),
                    also_removed=tuple(i for i in self.kb.interventions if i in removed),
                )
            )
        return out


def _gone(intervention: str) -> Callable[[frozenset[str]], bool]:
    return lambda advised: intervention not in advised


def _comes(intervention: str) -> Callable[[frozenset[str]], bool]:
    return lambda advised: intervention in advised


def _reads(rules: Iterable[Rule], kb: KnowledgeBase) -> list[str]:
    return [f for rule in rules for f in kb.rule_reads[rule.id][0]]


def what_would_change(
    diagnosis: Diagnosis, *, knowledge_base: KnowledgeBase, max_factors: int = MAX_FACTORS
) -> WhatWouldChange:
    """The smallest changes in factor levels that would change the advice, and what would decide the rest.

    For each recommendation, the smallest changes that would remove it; for each intervention not
    advised, the smallest changes that would bring it in; for each undecided rule, the factors and
    context fields it lacks, with the missing items. Computed from the rules with the engine's
    three-valued logic: exact, not sampled.

    Args:
        diagnosis: What `assess` returned.
        knowledge_base: The knowledge base that made it.
        max_factors: The most factors one change may touch (at least 1).

    Raises:
        ExplainError: the diagnosis was made with another knowledge base, or `max_factors` is not
            a whole number of at least 1.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> d = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}, knowledge_base=kb)
        >>> change = what_would_change(d, knowledge_base=kb).removals[0]
        >>> change.intervention, change.alternatives[0].changes[0].levels
        ('success_experiences', ('medium', 'high'))
    """
    kb = knowledge_base
    check_fits(diagnosis, kb)
    if isinstance(max_factors, bool) or not isinstance(max_factors, int) or max_factors < 1:
        raise ExplainError(f"max_factors: expected a whole number of at least 1, got {max_factors!r}")
    search = _Search(kb, encode(build_fact(diagnosis.profile, diagnosis.trace.context)), max_factors)
    by_intervention: dict[str, list[Rule]] = {}
    for rule in kb.rules:
        by_intervention.setdefault(rule.recommend, []).append(rule)
    removals = tuple(
        InterventionChange(
            intervention=r.intervention,
            alternatives=search.smallest(
                _reads(by_intervention[r.intervention], kb),
                _gone(r.intervention),
                r.intervention,
            ),
        )
        for r in diagnosis.recommendations
    )
    advised = {r.intervention for r in diagnosis.recommendations}
    additions = []
    for intervention, rules in by_intervention.items():
        if intervention in advised:
            continue
        found = search.smallest(_reads(rules, kb), _comes(intervention), intervention)
        if found:
            additions.append(InterventionChange(intervention=intervention, alternatives=found))
    return WhatWouldChange(
        removals=removals,
        additions=tuple(sorted(additions, key=lambda c: list(kb.interventions).index(c.intervention))),
        undecided=tuple(_undecided(kb, diagnosis, advised)),
        max_factors=max_factors,
    )


def _undecided(kb: KnowledgeBase, diagnosis: Diagnosis, advised: set[str]) -> Iterable[UndecidedChange]:
    for undecided in diagnosis.trace.undecided_rules:
        factors = []
        for factor in undecided.not_assessed:
            result = diagnosis.profile.scores[factor]
            factors.append(
                MissingFactor(
                    factor=factor,
                    needed=max(0, kb.factors[factor].min_answered - len(result.answered)),
                    items=result.missing,
                    reasons=dict(result.missing_reasons),
                )
            )
        yield UndecidedChange(
            rule=undecided.rule,
            intervention=undecided.intervention,
            factors=tuple(factors),
            context_missing=undecided.context_missing,
            advised=undecided.intervention in advised,
        )
