"""The analysis as it was before the SAT solver: a pruned depth-first search, kept as an oracle.

`analyse_by_search` is the old `diagnose.authoring.analysis.analyse`, verbatim but for names: it searches
the product of the variables' finite domains (`analysis._Space`, shared with the library), so
its cost grows with six to the power of the factors a question reads. The differential test
(tests/test_analysis.py) and bench/analysis.py compare the library against it; it is not part
of the library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnose.authoring.analysis import CODES, Finding, _Space
from diagnose.knowledge.conditions import Facts, truth

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge.conditions import Condition, Rule

__all__ = ["analyse_by_search", "satisfiable_by_search"]

Fact = Facts
Value = Facts


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
        return fact if accept(fact) else None
    first, rest = variables[0], variables[1:]
    for value in [*space.domains[first], Facts()]:  # Facts() leaves it unknown (not assessed / not given)
        found = _search(space, rest, fact | value, prune, accept)
        if found is not None:
            return found
    return None


def satisfiable_by_search(kb: KnowledgeBase, condition: Condition) -> Fact | None:
    """A fact under which `condition` is definitely true, or None when no profile makes it true."""
    space = _Space(kb)
    return _search(
        space,
        space.variables([condition]),
        Facts(),
        lambda f: truth(condition, f) is False,
        lambda f: truth(condition, f) is True,
    )


def _implies(space: _Space, a: Condition, b: Condition) -> bool:
    """Whether every profile that makes `a` true also makes `b` true."""
    witness = _search(
        space,
        space.variables([a, b]),
        Facts(),
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
            b_score, w_score = better.scores[barrier], worse.scores[barrier]
            if not (isinstance(b_score, float) and isinstance(w_score, float) and w_score < b_score):
                continue

            def impossible(f: Fact, b: Value = better, w: Value = worse) -> bool:
                return truth(rule.when, f | b) is False or truth(rule.when, f | w) is True

            def stops(f: Fact, b: Value = better, w: Value = worse) -> bool:
                return truth(rule.when, f | b) is True and truth(rule.when, f | w) is not True

            found = _search(space, others, Facts(), impossible, stops)
            if found is not None:
                return b_score, w_score
    return None


def analyse_by_search(kb: KnowledgeBase) -> tuple[Finding, ...]:
    """Analyse the rules of a knowledge base; findings in order of file, line and column."""
    space = _Space(kb)
    findings: list[Finding] = []

    def add(code: str, key: str, message: str) -> None:
        findings.append(Finding(code, CODES[code], kb.origins[key], message))

    live = []
    for rule in kb.rules:
        if satisfiable_by_search(kb, rule.when) is None:
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
            lows = [v for v in space.domains[factor.id] if v.levels[factor.id] == "low"]
            rest = [v for v in others if v != factor.id]
            if any(_search(space, rest, low, impossible, fires) is not None for low in lows):
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
        lows = [v for v in space.domains[factor.id] if v.levels[factor.id] == "low"]
        others = [v for v in space.variables(r.when for r in aimed) if v != factor.id]

        def none_can_fire(f: Fact, aimed: tuple[Rule, ...] = aimed) -> bool:
            return all(truth(r.when, f) is False for r in aimed)

        def one_fires(f: Fact, aimed: tuple[Rule, ...] = aimed) -> bool:
            return any(truth(r.when, f) is True for r in aimed)

        if not any(_search(space, others, low, none_can_fire, one_fires) is not None for low in lows):
            message = f"a low {factor.id!r} leads to no recommendation aimed at it"
            yield "coverage-gap", f"factor:{factor.id}", message
