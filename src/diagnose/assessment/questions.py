"""The next question worth asking: the unanswered items that could still change the advice.

An item is *unanswered* when it has no entry in the answers (or `not_asked`); `declined` and
`unknown` are answers (the client was asked), so they are not asked again.

From the answers so far, each factor can still end up in a set of states: not assessed (when
fewer than `min_answered` of its items get an answer), or a level and score. That set is exact:
every way of answering or skipping each remaining item is counted (the scores are means of whole
numbers, so there are few), and the current answers, as they are, are one of those ways. A
factor is *open* when two of its reachable states give different fired rules for some reachable
states of the other factors (the context stays as given); each such question is a small
satisfiability question over the rules in the engine's three-valued logic, answered exactly by
the SAT solver behind the static analysis (`diagnose.knowledge._solver`). The items of the open factors are
the next questions, those that more rules depend on first, then those of factors not assessed yet.

When no factor is open, no answer to the remaining items (nor leaving them out) can change which
rules fire, so stopping gives the same advice as answering everything. A factor that no rule
reads is never open: its items are never asked for the advice's sake.

The items of one factor share one scale range (the loader requires it), so they are
interchangeable here (the score depends only on how many were answered and their sum): a factor's
open items are listed together, in the questionnaire's order.

A factor may declare a *screening set* (`Factor.screening`, one or two of its items, enough to
score it alone): its items are asked first, and the factor's other items only when the screen is
low or has no answer. The reachable states follow that protocol, so "answering everything" then
means everything the protocol asks.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from diagnose._base import Record
from diagnose.assessment._changes import score_points
from diagnose.assessment.scoring import Intake, validate_intake
from diagnose.engine._durable import context_key, decode, fact_fields, level_key, score_key
from diagnose.errors import AnswerError, AnswerProblem
from diagnose.knowledge._base import KnowledgeBase
from diagnose.knowledge._solver import Encoding, variable_of
from diagnose.knowledge.conditions import iter_atoms

if TYPE_CHECKING:
    from diagnose.knowledge._models import Thresholds

__all__ = ["NextQuestions", "Question", "next_questions"]

Value = dict[str, object]


class Question(Record):
    """An unanswered item whose answer could still change the advice.

    Attributes:
        item: The item id.
        factor: Its factor.
        rules: The rules whose outcome can still depend on this factor, in the knowledge base's order.
        not_assessed: Whether the factor is not assessed with the answers so far.
        needed: How many more of the factor's items must be answered before it is scored.

    Examples:
        >>> import diagnose
        >>> q = diagnose.next_questions({"mo_1": 2}).questions[0]
        >>> q.item, q.factor, q.needed
        ('mo_2', 'motivation', 1)
    """

    item: str
    factor: str
    rules: tuple[str, ...]
    not_assessed: bool
    needed: int


class NextQuestions(Record):
    """The questions still worth asking, most decisive first, and which factors are settled.

    Attributes:
        questions: The unanswered items that could still change the advice, in the order to ask them.
        open: Factors whose remaining items can still change the advice.
        decided: Factors whose remaining items (if any) can no longer change it.

    Examples:
        >>> import diagnose
        >>> nq = diagnose.next_questions({"mo_1": 5, "mo_2": 5, "mo_3": 1})
        >>> nq.done, "motivation" in nq.decided, nq.questions[0].factor != "motivation"
        (False, True, True)
    """

    questions: tuple[Question, ...]
    open: tuple[str, ...]
    decided: tuple[str, ...]

    @property
    def done(self) -> bool:
        """Whether nothing left to ask could change the advice."""
        return not self.questions


class _Domain:
    """A factor's values for the solver: one per score range, or one per level if no rule reads the score."""

    def __init__(self, kb: KnowledgeBase, factor: str, points: list[float], cuts: frozenset[float]) -> None:
        self.factor = factor
        self.thresholds = kb.factors[factor].thresholds
        self.by_level = score_key(factor) not in fact_fields(kb.rules)
        if self.by_level:
            points = list({self.thresholds.level(p): p for p in points}.values())
        self.points = points
        self.cuts = cuts
        self.values: list[Value] = [
            {level_key(factor): self.thresholds.level(p), score_key(factor): p} for p in points
        ]

    def index(self, score: float) -> int:
        """The value that stands for a score: same level; or the same cut, or the midpoint around it."""
        if self.by_level:
            level = self.thresholds.level(score)
            return next(i for i, p in enumerate(self.points) if self.thresholds.level(p) == level)
        for i, p in enumerate(self.points):
            if score == p:
                return i
        j = next(i for i, p in enumerate(self.points) if p > score)  # the points span the scale
        return j if self.points[j] not in self.cuts else j - 1


def _grow(kb: KnowledgeBase, sums: set[tuple[int, int]], items: list[str]) -> set[tuple[int, int]]:
    """Every (count, sum) from `sums` after answering or skipping each of `items`."""
    for item_id in items:
        scale = kb.item(item_id).scale
        sums = sums | {(n + 1, s + v) for n, s in sums for v in range(scale.min, scale.max + 1)}
    return sums


class _States:
    """The reachable states of each factor, as domain indices (None for not assessed).

    A factor with a screening set follows its protocol: the screen's items first; the others only
    when the screen is low or has no answer. Until the screen is done only its items are asked;
    after a screen that is not low, nothing more of the factor is.
    """

    def __init__(
        self, kb: KnowledgeBase, domains: Mapping[str, _Domain], answers: Mapping[str, object]
    ) -> None:
        self.states: dict[str, set[int | None]] = {}
        self.remaining: dict[str, list[str]] = {}
        self.answered: dict[str, int] = {}
        for factor in kb.factors.values():
            items = kb.items_by_factor[factor.id]
            given = {i.id: kb.item(i.id).scored(v) for i in items if isinstance(v := answers.get(i.id), int)}
            left = [i.id for i in items if answers.get(i.id, "not_asked") == "not_asked"]
            self.answered[factor.id] = len(given)
            base = {(len(given), sum(given.values()))}
            screen = factor.screening
            if not screen:
                self.remaining[factor.id] = left
                sums = _grow(kb, base, left)
            else:
                screen_left = [i for i in left if i in screen]
                follow = [i for i in left if i not in screen]
                screened = [v for i, v in given.items() if i in screen]

                def follows(values: list[int], thresholds: Thresholds = factor.thresholds) -> bool:
                    """Whether the items after the screen are asked: the screen is low, or unanswered."""
                    return not values or thresholds.level(sum(values) / len(values)) == "low"

                if screen_left:
                    self.remaining[factor.id] = screen_left
                    sums = set()
                    ranges = [
                        [None, *range(kb.item(i).scale.min, kb.item(i).scale.max + 1)] for i in screen_left
                    ]
                    for combo in itertools.product(*ranges):
                        values = [v for v in combo if v is not None]
                        now = {(len(given) + len(values), sum(given.values()) + sum(values))}
                        sums |= _grow(kb, now, follow) if follows(screened + values) else now
                else:
                    self.remaining[factor.id] = follow if follows(screened) else []
                    sums = _grow(kb, base, self.remaining[factor.id])
            self.states[factor.id] = {
                None if n < factor.min_answered else domains[factor.id].index(s / n) for n, s in sums
            }


def next_questions(
    answers: Mapping[str, object] | Intake,
    *,
    knowledge_base: KnowledgeBase | None = None,
    context: Mapping[str, object] | None = None,
) -> NextQuestions:
    """The unanswered items that could still change the advice, most decisive first.

    Args:
        answers: The answers so far (item id → answer, as for `assess`), or an `Intake`; an item
            left out (or `not_asked`) is unanswered, `declined` and `unknown` count as asked.
        knowledge_base: The knowledge base; the packaged default when None.
        context: Context values, as for `assess`; they stay as given.

    Returns:
        The questions in the order to ask them (empty when nothing left could change the advice),
        and which factors are still open or already decided.

    Raises:
        AnswerError: an unknown item, a value off its scale, or an unknown context field, as `assess`.

    Examples:
        >>> import diagnose
        >>> first = diagnose.next_questions({}).questions[0]
        >>> first.item, first.not_assessed, len(first.rules)
        ('mo_1', True, 10)
    """
    from diagnose.knowledge._load import load_knowledge_base  # noqa: PLC0415 - the default is loaded on use

    if knowledge_base is not None and not isinstance(knowledge_base, KnowledgeBase):
        got = type(knowledge_base).__name__
        message = f"expected a KnowledgeBase (from diagnose.load_knowledge_base), got {got}"
        raise AnswerError([AnswerProblem("argument", "knowledge_base", message)])
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    given: object = answers.answers if isinstance(answers, Intake) else answers
    given_context: object = {} if context is None else context
    if isinstance(answers, Intake) and isinstance(given_context, Mapping):
        given_context = {**answers.context, **given_context}
    # validate_intake says what is wrong with anything that is not answers (a list, text, None).
    checked, checked_context = validate_intake(kb, given, given_context)  # type: ignore[arg-type]  # checked there
    asked = {k: v for k, v in checked.items() if k in given}  # type: ignore[operator]  # a mapping by now
    domains = {f: _Domain(kb, f, points, cuts) for f, (points, cuts) in score_points(kb).items()}
    states = _States(kb, domains, asked)
    relevant = _open_rules(kb, domains, states, checked_context)
    questions = []
    for factor, rules in relevant.items():
        needed = max(0, kb.factors[factor].min_answered - states.answered[factor])
        questions += [
            Question(item=item_id, factor=factor, rules=rules, not_assessed=needed > 0, needed=needed)
            for item_id in states.remaining[factor]
        ]
    order = {item.id: n for n, item in enumerate(kb.items)}
    questions.sort(key=lambda q: (-len(q.rules), not q.not_assessed, order[q.item]))
    return NextQuestions(
        questions=tuple(questions),
        open=tuple(f for f in kb.factors if f in relevant),
        decided=tuple(f for f in kb.factors if f not in relevant),
    )


def _open_rules(
    kb: KnowledgeBase,
    domains: Mapping[str, _Domain],
    states: _States,
    context: Mapping[str, object],
) -> dict[str, tuple[str, ...]]:
    """Per open factor, the rules whose outcome can still change with its remaining items."""
    all_domains: dict[str, list[Value]] = {f: d.values for f, d in domains.items()}
    for field in kb.context_fields:
        all_domains[f"context:{field}"] = [{context_key(field): context[field]}] if field in context else []
    encoding = Encoding({v: [decode(x) for x in values] for v, values in all_domains.items()}, budget=None)
    try:

        def allowed(variable: str, copy: str = "") -> list[int]:
            """Assumptions that keep a variable to its reachable states."""
            lits = encoding.values(variable, copy)
            if variable.startswith("context:"):
                return [] if len(lits) == 1 else [-lits[-1]]
            reachable = states.states[variable]
            out = [-lit for i, lit in enumerate(lits[:-1]) if i not in reachable]
            return out if None in reachable else [*out, -lits[-1]]

        found: dict[str, list[str]] = {}
        for rule in kb.rules:
            variables = list(dict.fromkeys(variable_of(a) for a in iter_atoms(rule.when)))
            base = [lit for v in variables for lit in allowed(v)]
            true_here = encoding.rail(rule.when)[0]
            for factor in kb.rule_reads[rule.id][0]:
                if len(states.states[factor]) < 2 or not states.remaining[factor]:  # noqa: PLR2004 - two states to differ
                    continue
                true_there = encoding.rail(rule.when, {factor: "b"})[0]
                if encoding.solve([*base, *allowed(factor, "b"), true_here, -true_there]):
                    found.setdefault(factor, []).append(rule.id)
        return {f: tuple(found[f]) for f in kb.factors if f in found}
    finally:
        encoding.close()


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
