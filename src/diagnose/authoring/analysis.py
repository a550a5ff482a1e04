"""Static analysis of a knowledge base's rules: what can never fire, what adds nothing, what is missing.

Every question asks for a *witness*: an assignment of factor levels and scores (or "not
assessed") and context values. Each score or number only matters up to the bounds the rules and
thresholds mention, so each variable gets a finite domain: the bounds themselves and a point
between each two. Conditions keep their three-valued logic (a factor that is not assessed makes
what reads it unknown, and a rule fires only when its condition is definitely true). Over those
finite domains every question is exactly a propositional one, and a SAT solver answers it
(`diagnose.knowledge._solver`): the cost follows what the rules say, not the product of all domains, so a
rule that reads every factor costs no more than one that reads two.

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
| `no-explanation` | warning | other rules have a text for the client (`explanation`), this one has none |
| `undecided` | error | a question ran out of the solver's budget, so a finding may be missing |
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from diagnose.knowledge._solver import Encoding, variable_of
from diagnose.knowledge._tree import iter_atoms
from diagnose.knowledge.conditions import (
    Facts,
    truth,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from diagnose.knowledge._base import KnowledgeBase, Origin
    from diagnose.knowledge.conditions import Condition, Rule

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
    "no-explanation": "warning",
    "undecided": "error",
}
#: Solver conflicts one question may take. The questions of a generated 1,000-rule knowledge base
#: took 17 at most; one that runs out is reported as an `undecided` finding, never guessed.
BUDGET = 100_000

Fact = Facts
# A variable's value: what it makes known (a factor's level and score, or a context field).
Value = Facts


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
                bounds.setdefault(variable_of(atom), set()).update(atom.points())
        self.domains: dict[str, list[Value]] = {}
        for factor in kb.factors.values():
            self.domains[factor.id] = self._factor_domain(factor.id, bounds.get(factor.id, set()))
        for field in kb.context_fields.values():
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
            self.domains[f"context:{field.id}"] = [Facts(context={field.id: o}) for o in options]

    def _factor_domain(self, factor: str, extra: set[float]) -> list[Value]:
        items = self.kb.items_by_factor[factor]
        low, high = items[0].scale.min, items[0].scale.max
        t = self.kb.factors[factor].thresholds
        cuts = sorted(
            {float(low), float(high), float(t.medium), float(t.high), *(e for e in extra if low <= e <= high)}
        )
        points = sorted({*cuts, *((a + b) / 2 for a, b in itertools.pairwise(cuts))})
        return [Facts(levels={factor: self.level(factor, p)}, scores={factor: p}) for p in points]

    def level(self, factor: str, score: float) -> str:
        return self.kb.factors[factor].thresholds.level(score)

    def variables(self, conditions: Iterable[Condition]) -> list[str]:
        names: dict[str, None] = {}
        for condition in conditions:
            for atom in iter_atoms(condition):
                names[variable_of(atom)] = None
        return list(names)


def satisfiable(kb: KnowledgeBase, condition: Condition) -> Fact | None:
    """A fact under which `condition` is definitely true, or None when no profile makes it true.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> satisfiable(kb, kb.rules[0].when) is not None
        True
    """
    questions = _Questions(_Space(kb), budget=None)
    try:
        return questions.witness(condition)
    finally:
        questions.close()


class _Undecided(Exception):  # noqa: N818 - a signal inside this module, not an error
    """A question ran out of its conflict budget."""


class _Group:
    """One solver, holding the conditions of the rules that one kind of question compares."""

    def __init__(
        self, space: _Space, budget: int | None, outcomes: dict[int, tuple[list[int], list[int]]]
    ) -> None:
        self.space = space
        self.encoding = Encoding(space.domains, budget, outcomes)
        self._lows: dict[str, int] = {}
        self._guarded: set[str] = set()

    def exists(self, assumptions: Sequence[int]) -> bool:
        answer = self.encoding.solve(assumptions)
        if answer is None:
            raise _Undecided
        return answer

    def true(self, condition: Condition, copies: Mapping[str, str] | None = None) -> int:
        return self.encoding.rail(condition, copies)[0]

    def low(self, factor: str) -> int:
        """The literal "the factor is assessed and its level is low"."""
        if factor not in self._lows:
            domain = self.space.domains[factor]
            lits = self.encoding.values(factor)
            self._lows[factor] = self.encoding.either(
                [lit for lit, v in zip(lits, domain, strict=False) if v.levels[factor] == "low"]
            )
        return self._lows[factor]

    def worse(self, barrier: str, scores: Sequence[float]) -> tuple[int, list[int], list[int]]:
        """A guard and two copies of the barrier: under the guard both assessed, "worse" scoring lower."""
        better, worse = self.encoding.values(barrier, "better"), self.encoding.values(barrier, "worse")
        guard = self.encoding.guard(f"worse:{barrier}")
        if barrier not in self._guarded:
            self._guarded.add(barrier)
            self.encoding.add_clause([-guard, -better[-1]])
            for i, lit in enumerate(better[:-1]):
                lower = [w for j, w in enumerate(worse[:-1]) if scores[j] < scores[i]]
                self.encoding.add_clause([-guard, -lit, *lower])
        return guard, better[:-1], worse[:-1]


class _Questions:
    """The analysis's questions about one knowledge base, each one satisfiability question.

    Rules are only compared with rules that recommend the same intervention, so each intervention
    gets a solver of its own (a satisfiable answer costs time in the size of the whole solver), and
    the coverage questions share one.
    """

    def __init__(self, space: _Space, budget: int | None) -> None:
        self.space = space
        self.budget = budget
        self._groups: dict[str, _Group] = {}
        self._outcomes: dict[int, tuple[list[int], list[int]]] = {}  # shared by the groups
        self._witnesses: dict[int, Fact | None] = {}  # id(condition) -> a fact that makes it true

    def group(self, name: str) -> _Group:
        if name not in self._groups:
            self._groups[name] = _Group(self.space, self.budget, self._outcomes)
        return self._groups[name]

    def close(self) -> None:
        for group in self._groups.values():
            group.encoding.close()

    def witness(self, condition: Condition, group: str = "") -> Fact | None:
        """A fact (of the variables the condition reads) that makes it true; None if none does."""
        if id(condition) not in self._witnesses:
            solver = self.group(group)
            fact: Fact | None = None
            if solver.exists([solver.true(condition)]):
                fact = Facts()
                for variable, index in solver.encoding.model_values(
                    self.space.variables([condition])
                ).items():
                    if index is not None:
                        fact |= self.space.domains[variable][index]
            self._witnesses[id(condition)] = fact
        return self._witnesses[id(condition)]

    def implies(self, a: Condition, b: Condition, group: str) -> bool:
        """Whether every profile that makes `a` true also makes `b` true."""
        known = self.witness(a, group)
        if known is not None and truth(b, known) is not True:
            return False  # the witness of `a` is already a counterexample
        solver = self.group(group)
        return not solver.exists([solver.true(a), -solver.true(b)])

    def barrier_witness(self, rule: Rule, barrier: str) -> tuple[float, float] | None:
        """Scores (better, worse) of a barrier factor such that worsening it stops the rule firing.

        The first such pair in domain order (better, then worse, each from low to high scores).
        """
        solver = self.group(rule.recommend)
        scores = [s for v in self.space.domains[barrier] if isinstance(s := v.scores[barrier], float)]
        guard, better, worse = solver.worse(barrier, scores)
        fires = solver.true(rule.when, {barrier: "better"})
        stops = -solver.true(rule.when, {barrier: "worse"})
        if not solver.exists([guard, fires, stops]):
            return None
        for i, b_lit in enumerate(better):
            if not solver.exists([guard, fires, stops, b_lit]):
                continue
            for j, w_lit in enumerate(worse):
                if scores[j] < scores[i] and solver.exists([guard, fires, stops, b_lit, w_lit]):
                    return scores[i], scores[j]
        return None  # pragma: no cover - the question above found a pair

    def fires_while_low(self, rule: Rule, factor: str) -> bool:
        solver = self.group(rule.recommend)
        return solver.exists([solver.true(rule.when), solver.low(factor)])

    def covered(self, factor: str, aimed: Sequence[Rule]) -> bool:
        """Whether some profile with a low `factor` makes one of the `aimed` rules fire."""
        solver = self.group("coverage")
        any_fires = solver.encoding.either([solver.true(r.when) for r in aimed])
        return solver.exists([solver.low(factor), any_fires])


def analyse(kb: KnowledgeBase, *, budget: int | None = BUDGET) -> tuple[Finding, ...]:
    """Analyse the rules of a knowledge base; findings in order of file, line and column.

    Args:
        kb: The knowledge base.
        budget: Solver conflicts one question may take (None: no limit). A question that runs
            out is reported as an `undecided` finding, never answered by a guess.

    Examples:
        >>> import diagnose
        >>> [f.code for f in analyse(diagnose.load_knowledge_base()) if f.severity == "error"]
        []
    """
    space = _Space(kb)
    questions = _Questions(space, budget)
    findings: list[Finding] = []

    def add(code: str, key: str, message: str) -> None:
        findings.append(Finding(code, CODES[code], kb.origins[key], message))

    try:
        live = []
        for rule in kb.rules:
            try:
                fires = questions.witness(rule.when, rule.recommend) is not None
            except _Undecided:
                add("undecided", f"rule:{rule.id}", _undecided(f"whether rule {rule.id!r} can fire", budget))
                fires = True  # the questions about what it adds are still asked
            if fires:
                live.append(rule)
            else:
                message = f"rule {rule.id!r} can never fire: no profile makes its condition true"
                add("never-fires", f"rule:{rule.id}", message)
        for code, key, message in (
            *_duplicates(kb.rules),
            *_redundant(questions, live),
            *_barriers(kb, questions, live),
            *_no_barrier_rules(kb, questions, live),
            *_coverage(kb, questions, live),
            *_unused(kb, space, live),
            *_unexplained(kb.rules),
        ):
            add(code, key, message)
    finally:
        questions.close()
    return tuple(sorted(findings, key=lambda f: (f.origin.file, f.origin.line, f.origin.column, f.code)))


def _undecided(question: str, budget: int | None) -> str:
    return (
        f"the analysis could not decide {question} within its budget of {budget:,} solver conflicts, "
        "so a finding may be missing here"
    )


Raw = tuple[str, str, str]  # code, origin key, message


def _same_when(rules: Sequence[Rule]) -> Callable[[Rule, Rule], bool]:
    """`a.when == b.when`, compared as plain data made once per rule (pydantic's `==` is slow)."""
    dumps = {id(r): r.when.model_dump() for r in rules}
    return lambda a, b: dumps[id(a)] == dumps[id(b)]


def _duplicates(rules: Sequence[Rule]) -> Iterator[Raw]:
    same = _same_when(rules)
    before: dict[str, list[Rule]] = {}  # intervention -> the rules recommending it so far
    for rule in rules:
        earlier_ones = before.setdefault(rule.recommend, [])
        for earlier in earlier_ones:
            if same(earlier, rule):
                message = f"rule {rule.id!r} has the same condition and intervention as rule {earlier.id!r}"
                yield "same-condition", f"rule:{rule.id}", message
        earlier_ones.append(rule)


def _redundant(questions: _Questions, live: Sequence[Rule]) -> Iterator[Raw]:
    same = _same_when(live)
    by_intervention: dict[str, list[Rule]] = {}
    for rule in live:
        by_intervention.setdefault(rule.recommend, []).append(rule)
    for rule in live:
        for other in by_intervention[rule.recommend]:
            if other.id == rule.id or other.priority > rule.priority or same(other, rule):
                continue
            try:
                redundant = questions.implies(rule.when, other.when, rule.recommend)
            except _Undecided:
                question = f"whether rule {rule.id!r} adds anything to rule {other.id!r}"
                yield "undecided", f"rule:{rule.id}", _undecided(question, questions.budget)
                continue
            if redundant:
                message = (
                    f"rule {rule.id!r} adds nothing: whenever it fires, rule {other.id!r} "
                    f"(priority {other.priority}) already recommends {rule.recommend!r}"
                )
                yield "redundant", f"rule:{rule.id}", message
                break


def _barriers(kb: KnowledgeBase, questions: _Questions, live: Sequence[Rule]) -> Iterator[Raw]:
    barriers = [f.id for f in kb.factors.values() if f.barrier]
    for rule in live:
        read = questions.space.variables([rule.when])
        for barrier in barriers:
            if rule.no_barrier or barrier not in read:
                continue
            try:
                witness = questions.barrier_witness(rule, barrier)
            except _Undecided:
                question = f"whether rule {rule.id!r} stops firing when barrier factor {barrier!r} gets worse"
                yield "undecided", f"rule:{rule.id}", _undecided(question, questions.budget)
                continue
            if witness is not None:
                message = (
                    f"rule {rule.id!r} stops firing when barrier factor {barrier!r} gets worse "
                    f"(score {witness[0]:g} to {witness[1]:g}); support may not be taken away because of "
                    "a barrier (mark advice meant for when no barrier is present with 'no_barrier: true')"
                )
                yield "barrier-removes-support", f"rule:{rule.id}", message


def _no_barrier_rules(kb: KnowledgeBase, questions: _Questions, live: Sequence[Rule]) -> Iterator[Raw]:
    """A rule marked `no_barrier` must be false whenever any factor is low (needs attention)."""
    for rule in (r for r in live if r.no_barrier):
        for factor in kb.factors.values():
            try:
                misused = questions.fires_while_low(rule, factor.id)
            except _Undecided:
                question = f"whether rule {rule.id!r} can fire while {factor.id!r} is low"
                yield "undecided", f"rule:{rule.id}", _undecided(question, questions.budget)
                continue
            if misused:
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


def _unexplained(rules: Sequence[Rule]) -> Iterator[Raw]:
    """Rules without a text for the client, once some rule has one (none at all is left alone)."""
    explained = sum(r.explanation is not None for r in rules)
    if explained:
        for rule in rules:
            if rule.explanation is None:
                message = (
                    f"rule {rule.id!r} has no explanation for the client, while {explained} other rule(s) "
                    "have one; explain shows its rationale instead, which is written for professionals"
                )
                yield "no-explanation", f"rule:{rule.id}", message


def _coverage(kb: KnowledgeBase, questions: _Questions, live: Sequence[Rule]) -> Iterator[Raw]:
    for factor in kb.factors.values():
        if not factor.influenceable:
            continue
        aimed = tuple(r for r in live if factor.id in kb.interventions[r.recommend].targets)
        try:
            covered = questions.covered(factor.id, aimed)
        except _Undecided:
            question = f"whether a low {factor.id!r} leads to a recommendation aimed at it"
            yield "undecided", f"factor:{factor.id}", _undecided(question, questions.budget)
            continue
        if not covered:
            message = f"a low {factor.id!r} leads to no recommendation aimed at it"
            yield "coverage-gap", f"factor:{factor.id}", message


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
