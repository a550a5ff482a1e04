"""Static analysis of a knowledge base's rules: what can never fire, what adds nothing, what is missing.

Every question is answered by searching for a *witness*: an assignment of factor levels and scores
(or "not assessed") and context values. Conditions use three-valued logic, which is monotone:
filling in an unknown factor can turn "unknown" into true or false, but never a decided value
into the other. So a partial assignment under which a condition is already false can be pruned,
and the search stays small even for rules that read every factor.

| code | severity | finding |
| --- | --- | --- |
| `never-fires` | error | no profile makes the rule's condition true |
| `barrier-removes-support` | error | a worse barrier (health, language, care, debts) stops the rule |
| `no-barrier-misused` | error | a rule marked `no_barrier` can fire while a factor is low |
| `same-condition` | warning | two rules have the same condition and intervention |
| `redundant` | warning | whenever the rule fires, another rule already recommends the same, as urgently |
| `coverage-gap` | warning | an influenceable factor's low level leads to no support aimed at it |
| `unreachable-intervention` | warning | no rule recommends the intervention |
| `unread-factor` | warning | no rule reads the factor, so its answers change no advice |
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from diagnose.conditions import (
    ContextCondition,
    ScoreCondition,
    context_key,
    iter_atoms,
    level_key,
    score_key,
    truth,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from diagnose.conditions import Condition, Rule
    from diagnose.knowledge import KnowledgeBase, Origin

__all__ = ["CODES", "Finding", "analyse", "satisfiable"]

Severity = Literal["error", "warning"]
#: Every finding code with its default severity.
CODES: Mapping[str, Severity] = {
    "never-fires": "error",
    "barrier-removes-support": "error",
    "no-barrier-misused": "error",
    "same-condition": "warning",
    "redundant": "warning",
    "coverage-gap": "warning",
    "unreachable-intervention": "warning",
    "unread-factor": "warning",
}

Fact = dict[str, object]
# A variable's value: the fact fields it sets (an empty dict leaves it unknown).
Value = dict[str, object]


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding of the analysis, located where the rule, factor or intervention is defined.

    Examples:
        >>> import diagnose
        >>> from diagnose.knowledge import Origin
        >>> where = Origin("instrument.yaml", 3, 5, "factors[0]")
        >>> f = Finding("unread-factor", "warning", where, "no rule reads it")
        >>> str(f)
        'instrument.yaml:3:5: factors[0]: warning[unread-factor]: no rule reads it'
    """

    code: str
    severity: Severity
    origin: Origin
    message: str

    def __str__(self) -> str:
        """Render as `file:line:col: path: severity[code]: message`."""
        return f"{self.origin}: {self.severity}[{self.code}]: {self.message}"


class _Space:
    """The values each factor and context field can take, sampled finely enough for the rules."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        bounds: dict[str, set[float]] = {}
        for rule in kb.rules:
            for atom in iter_atoms(rule.when):
                if isinstance(atom, ScoreCondition):
                    bounds.setdefault(atom.factor, set()).update(atom.score.bounds().values())
                elif isinstance(atom, ContextCondition):
                    values = atom.accepted() or tuple(atom.bounds().values())
                    numbers = {
                        float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)
                    }
                    bounds.setdefault(f"context:{atom.context}", set()).update(numbers)
        self.domains: dict[str, list[Value]] = {}
        for factor in kb.factors.values():
            self.domains[factor.id] = self._factor_domain(factor.id, bounds.get(factor.id, set()))
        for field in kb.context_fields.values():
            key = context_key(field.id)
            options: Sequence[object]
            if field.type == "boolean":
                options = [True, False]
            elif field.type == "enum":
                options = list(field.values)
            else:
                points = sorted(bounds.get(f"context:{field.id}", set()) | {0.0})
                middles = [(a + b) / 2 for a, b in itertools.pairwise(points)]
                candidates = {*points, *middles, *(p - 1 for p in points), *(p + 1 for p in points)}
                options = sorted({round(c) for c in candidates} if field.type == "integer" else candidates)
            self.domains[f"context:{field.id}"] = [{key: o} for o in options]

    def _factor_domain(self, factor: str, extra: set[float]) -> list[Value]:
        items = self.kb.items_by_factor[factor]
        low, high = items[0].scale.min, items[0].scale.max
        t = self.kb.factors[factor].thresholds
        cuts = sorted(
            {float(low), float(high), float(t.medium), float(t.high), *(e for e in extra if low <= e <= high)}
        )
        points = sorted({*cuts, *((a + b) / 2 for a, b in itertools.pairwise(cuts))})
        return [{level_key(factor): self.level(factor, p), score_key(factor): p} for p in points]

    def level(self, factor: str, score: float) -> str:
        return self.kb.factors[factor].thresholds.level(score)

    def variables(self, conditions: Iterable[Condition]) -> list[str]:
        names: dict[str, None] = {}
        for condition in conditions:
            for atom in iter_atoms(condition):
                names[f"context:{atom.context}" if isinstance(atom, ContextCondition) else atom.factor] = None
        return list(names)


def _search(
    space: _Space,
    variables: Sequence[str],
    fact: Fact,
    prune: Callable[[Fact], bool],
    accept: Callable[[Fact], bool],
) -> Fact | None:
    """Depth-first search for a full assignment that `accept`s, skipping pruned partial ones."""
    if prune(fact):
        return None
    if not variables:
        return dict(fact) if accept(fact) else None
    first, rest = variables[0], variables[1:]
    for value in [*space.domains[first], {}]:  # {} leaves it unknown (not assessed / not given)
        found = _search(space, rest, {**fact, **value}, prune, accept)
        if found is not None:
            return found
    return None


def satisfiable(kb: KnowledgeBase, condition: Condition) -> Fact | None:
    """A fact under which `condition` is definitely true, or None when no profile makes it true.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> satisfiable(kb, kb.rules[0].when) is not None
        True
    """
    space = _Space(kb)
    return _search(
        space,
        space.variables([condition]),
        {},
        lambda f: truth(condition, f) is False,
        lambda f: truth(condition, f) is True,
    )


def _implies(space: _Space, a: Condition, b: Condition) -> bool:
    """Whether every profile that makes `a` true also makes `b` true."""
    witness = _search(
        space,
        space.variables([a, b]),
        {},
        lambda f: truth(a, f) is False or truth(b, f) is True,
        lambda f: truth(a, f) is True and truth(b, f) is not True,
    )
    return witness is None


def _barrier_witness(space: _Space, rule: Rule, barrier: str) -> tuple[float, float] | None:
    """Scores (better, worse) of a barrier factor such that worsening it stops the rule firing."""
    domain = space.domains[barrier]
    others = [v for v in space.variables([rule.when]) if v != barrier]
    for better in domain:
        for worse in domain:
            b_score, w_score = better[score_key(barrier)], worse[score_key(barrier)]
            if not (isinstance(b_score, float) and isinstance(w_score, float) and w_score < b_score):
                continue

            def impossible(f: Fact, b: Value = better, w: Value = worse) -> bool:
                return truth(rule.when, {**f, **b}) is False or truth(rule.when, {**f, **w}) is True

            def stops(f: Fact, b: Value = better, w: Value = worse) -> bool:
                return truth(rule.when, {**f, **b}) is True and truth(rule.when, {**f, **w}) is not True

            found = _search(space, others, {}, impossible, stops)
            if found is not None:
                return b_score, w_score
    return None


def analyse(kb: KnowledgeBase) -> tuple[Finding, ...]:
    """Analyse the rules of a knowledge base; findings in order of file, line and column.

    Examples:
        >>> import diagnose
        >>> [f.code for f in analyse(diagnose.load_knowledge_base()) if f.severity == "error"]
        []
    """
    space = _Space(kb)
    findings: list[Finding] = []

    def add(code: str, key: str, message: str) -> None:
        findings.append(Finding(code, CODES[code], kb.origins[key], message))

    live = []
    for rule in kb.rules:
        if satisfiable(kb, rule.when) is None:
            message = f"rule {rule.id!r} can never fire: no profile makes its condition true"
            add("never-fires", f"rule:{rule.id}", message)
        else:
            live.append(rule)
    for code, key, message in (
        *_duplicates(kb.rules),
        *_redundant(space, live),
        *_barriers(kb, space, live),
        *_no_barrier_rules(kb, space, live),
        *_coverage(kb, space, live),
        *_unused(kb, space, live),
    ):
        add(code, key, message)
    return tuple(sorted(findings, key=lambda f: (f.origin.file, f.origin.line, f.origin.column, f.code)))


Raw = tuple[str, str, str]  # code, origin key, message


def _duplicates(rules: Sequence[Rule]) -> Iterator[Raw]:
    for index, rule in enumerate(rules):
        for earlier in rules[:index]:
            if earlier.when == rule.when and earlier.recommend == rule.recommend:
                message = f"rule {rule.id!r} has the same condition and intervention as rule {earlier.id!r}"
                yield "same-condition", f"rule:{rule.id}", message


def _redundant(space: _Space, live: Sequence[Rule]) -> Iterator[Raw]:
    for rule in live:
        for other in live:
            if (
                other.id != rule.id
                and other.recommend == rule.recommend
                and other.priority <= rule.priority
                and other.when != rule.when
                and _implies(space, rule.when, other.when)
            ):
                message = (
                    f"rule {rule.id!r} adds nothing: whenever it fires, rule {other.id!r} "
                    f"(priority {other.priority}) already recommends {rule.recommend!r}"
                )
                yield "redundant", f"rule:{rule.id}", message
                break


def _barriers(kb: KnowledgeBase, space: _Space, live: Sequence[Rule]) -> Iterator[Raw]:
    barriers = [f.id for f in kb.factors.values() if f.barrier]
    for rule in live:
        read = space.variables([rule.when])
        for barrier in barriers:
            witness = (
                None if rule.no_barrier or barrier not in read else _barrier_witness(space, rule, barrier)
            )
            if witness is not None:
                message = (
                    f"rule {rule.id!r} stops firing when barrier factor {barrier!r} gets worse "
                    f"(score {witness[0]:g} to {witness[1]:g}); support may not be taken away because of "
                    "a barrier (mark advice meant for when no barrier is present with 'no_barrier: true')"
                )
                yield "barrier-removes-support", f"rule:{rule.id}", message


def _no_barrier_rules(kb: KnowledgeBase, space: _Space, live: Sequence[Rule]) -> Iterator[Raw]:
    """A rule marked `no_barrier` must be false whenever any factor is low (needs attention)."""
    for rule in (r for r in live if r.no_barrier):
        others = space.variables([rule.when])

        def impossible(f: Fact, rule: Rule = rule) -> bool:
            return truth(rule.when, f) is False

        def fires(f: Fact, rule: Rule = rule) -> bool:
            return truth(rule.when, f) is True

        for factor in kb.factors.values():
            lows = [v for v in space.domains[factor.id] if v[level_key(factor.id)] == "low"]
            rest = [v for v in others if v != factor.id]
            if any(_search(space, rest, dict(low), impossible, fires) is not None for low in lows):
                message = (
                    f"rule {rule.id!r} is marked no_barrier but can fire while {factor.id!r} is low; "
                    "advice for when no barrier is present must not fire when a factor needs attention"
                )
                yield "no-barrier-misused", f"rule:{rule.id}", message


def _unused(kb: KnowledgeBase, space: _Space, live: Sequence[Rule]) -> Iterator[Raw]:
    recommended = {r.recommend for r in live}
    for intervention in kb.interventions:
        if intervention not in recommended:
            yield (
                "unreachable-intervention",
                f"intervention:{intervention}",
                f"no rule recommends {intervention!r}",
            )
    read = {v for r in kb.rules for v in space.variables([r.when])}
    for factor in kb.factors:
        if factor not in read:
            message = f"no rule reads factor {factor!r}, so its answers change no advice"
            yield "unread-factor", f"factor:{factor}", message


def _coverage(kb: KnowledgeBase, space: _Space, live: Sequence[Rule]) -> Iterator[Raw]:
    for factor in kb.factors.values():
        if not factor.influenceable:
            continue
        aimed = tuple(r for r in live if factor.id in kb.interventions[r.recommend].targets)
        lows = [v for v in space.domains[factor.id] if v[level_key(factor.id)] == "low"]
        others = [v for v in space.variables(r.when for r in aimed) if v != factor.id]

        def none_can_fire(f: Fact, aimed: tuple[Rule, ...] = aimed) -> bool:
            return all(truth(r.when, f) is False for r in aimed)

        def one_fires(f: Fact, aimed: tuple[Rule, ...] = aimed) -> bool:
            return any(truth(r.when, f) is True for r in aimed)

        if not any(_search(space, others, dict(low), none_can_fire, one_fires) is not None for low in lows):
            message = f"a low {factor.id!r} leads to no recommendation aimed at it"
            yield "coverage-gap", f"factor:{factor.id}", message
