"""The intake half of `assess` in one generated pass: check, score, profile and fact together.

`validate_intake`, `score` and `build_fact` each go over the answers; for a well-formed intake
(every key an item, every value an answer from its table) this does all three at once. Each
answer is checked by looking it up in its item's table of accepted answers (`Scorer.tables`:
the answers on the scale and the missing reasons), whose entry already carries the shared,
immutable `ItemScore`; one generated function then scores every factor, builds its
`FactorScore`, the trace's answers and the fact as durable-rules sees it, and tells whether any
factor or context field a rule reads is unknown (only then can a rule be undecided). Anything
else (junk, a wrong type, an unknown item) goes the plain way, which raises the located error.
The results are equal to the plain path's (`tests/test_fast.py` compares them on
generated intakes, against `_assess(..., reference=True)`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from diagnose._base import construct, run_generated
from diagnose.assessment.scoring import (
    _INLINE_ITEMS,
    Answer,
    ContextValue,
    FactorScore,
    MissingReason,
    Profile,
    _factor_lines,
    _partial,
    score,
    scorer,
    validate_intake,
)
from diagnose.assessment.warnings import UNIFORM_MINIMUM
from diagnose.engine._cache import scored_fields
from diagnose.engine._durable import context_key, encode, level_key, score_key
from diagnose.knowledge._base import derived
from diagnose.knowledge.conditions import Facts

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor, Item

__all__ = ["Prepared", "prepare"]


class Prepared(NamedTuple):
    """A checked and scored intake: what the rest of `assess` needs."""

    answers: dict[str, int | MissingReason]
    context: dict[str, ContextValue]
    profile: Profile
    fact: dict[str, object]  # as `scored_engine` sees it (`encode`, the fields it reads)
    unknown: bool  # whether a factor or context field some rule reads is unknown
    built: Facts | None = None  # the Facts, when the fast path built them on the way
    warn: bool = True  # whether `answer_warnings` may give a warning (False: it gives none)

    def facts(self) -> Facts:
        """The `Facts` of this intake (as `build_fact` gives them)."""
        if self.built is not None:
            return self.built
        levels: dict[str, str] = {}
        scores: dict[str, float] = {}
        for factor, result in self.profile.scores.items():
            if result.score is not None:
                levels[factor] = result.level
                scores[factor] = result.score
        return Facts(levels, scores, dict(self.context))


#: One set of field names for every FactorScore built here: pydantic only reads it (a copy,
#: `model_copy`, copies it first), and a set per object was a tenth of the time of building one.
_FIELDS = set(FactorScore.model_fields)
_set = object.__setattr__
_new = object.__new__


def _factor_score(  # noqa: PLR0913, PLR0917 - one per field, called from generated code
    factor: str,
    level: str,
    value: float | None,
    answered: tuple[str, ...],
    missing: tuple[str, ...],
    reasons: dict[str, MissingReason],
    items: tuple[Any, ...],
) -> FactorScore:
    """`construct(FactorScore, ...)` without keywords: the values are checked already."""
    obj: FactorScore = _new(FactorScore)
    _set(
        obj,
        "__dict__",
        {
            "factor": factor,
            "level": level,
            "score": value,
            "answered": answered,
            "missing": missing,
            "missing_reasons": reasons,
            "items": items,
        },
    )
    _set(obj, "__pydantic_fields_set__", _FIELDS)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_PLAIN = frozenset({int, str})
#: A factor's result for one combination of answers: its score, level and value, and how many
#: of its items were answered with which lowest and highest answer (for `answer_warnings`).
_Entry = tuple[FactorScore, str, float | None, int, float, float]
_NONE_LOW, _NONE_HIGH = float("inf"), float("-inf")


def _partial_entry(factor: str, level: str, value: float | None, given: tuple[Answer, ...]) -> _Entry:
    """A factor's kept result, its `FactorScore` as `score` builds it (when an answer is missing)."""
    answered = []
    models = []
    reasons: dict[str, MissingReason] = {}
    low, high = _NONE_LOW, _NONE_HIGH
    for answer in given:  # one pass: this is the common miss of an intake with a missing answer
        if answer.counted:
            answered.append(answer.item)
            models.append(answer.model)
            raw = answer.value
            low = min(low, raw)  # type: ignore[assignment]  # counted: a whole number
            high = max(high, raw)  # type: ignore[assignment]  # likewise
        else:
            reasons[answer.item] = answer.value  # type: ignore[assignment]  # uncounted: a missing reason
    result = _factor_score(factor, level, value, tuple(answered), tuple(reasons), reasons, tuple(models))
    return (result, level, value, len(answered), low, high)


def _miss(
    factor: Factor,
    tables: tuple[Mapping[object, Answer], ...],
    cache: dict[tuple[object, ...], _Entry],
    limit: int,
    key: tuple[object, ...],
) -> _Entry:
    """A factor's result for answers not met before, for a factor too large to score inline.

    Raises KeyError for an answer that is not in its item's table (nothing is kept then).
    """
    given = tuple(table[raw] for table, raw in zip(tables, key, strict=True))
    level, value, _complete = _partial(factor, given)
    entry = _partial_entry(factor.id, level, value, given)
    if len(cache) < limit:
        cache[key] = entry
    return entry


class FastIntake:
    """A knowledge base's one-pass intake function (see the module)."""

    #: Results kept per factor, each for a distinct combination of answers to its items (what
    #: that costs in memory is on the performance page, docs/benchmarks.md).
    LIMIT = 2048

    def __init__(self, kb: KnowledgeBase) -> None:
        """Generate the function over the scorer's tables."""
        tables = scorer(kb).tables
        #: Item id → accepted answer → its `Answer` (the scorer's tables).
        self.tables = tables
        #: The fields of the fact for the scored engine (no levels where it reads scores).
        self.fields = scored_fields(kb)
        read_factors = {f for factors, _ in kb.rule_reads.values() for f in factors}
        #: Context fields some rule reads.
        self.read_context = tuple(
            sorted({c for _, fields in kb.rule_reads.values() for c in fields} & set(kb.context_fields))
        )
        self.context_keys = {c: context_key(c) for c in kb.context_fields if context_key(c) in self.fields}
        namespace: dict[str, Any] = {
            "D": dict.fromkeys((item.id for item in kb.items), "not_asked"),
            "_fs": _factor_score,
            "_pe": _partial_entry,
        }
        lines = ["def run(a):", "    g = a.get", "    e = {}", "    es = {}", "    lv = {}", "    sv = {}"]
        results = []
        unknown = []
        for f, factor in enumerate(kb.factors.values()):
            items = kb.items_by_factor[factor.id]
            cache: dict[tuple[object, ...], _Entry] = {}
            namespace[f"C{f}"] = cache
            namespace[f"A{f}"] = tuple(item.id for item in items)
            namespace[f"M{f}"] = functools.partial(
                _miss, factor, tuple(tables[item.id] for item in items), cache, self.LIMIT
            )
            key = "".join(f"g({item.id!r}, 'not_asked'), " for item in items)
            fact = [f"lv[{factor.id!r}] = l{f}", f"sv[{factor.id!r}] = v{f}"]
            if level_key(factor.id) in self.fields:
                fact.append(f"e[{level_key(factor.id)!r}] = l{f}")
            if score_key(factor.id) in self.fields:
                fact.append(f"es[{score_key(factor.id)!r}] = v{f}")
            lines += [
                f"    k{f} = ({key})",
                f"    r{f} = C{f}.get(k{f})",
                f"    if r{f} is None:",
                *self._miss_lines(f, factor, items, tables, namespace),
                f"    s{f}, l{f}, v{f}, n{f}, lo{f}, hi{f} = r{f}",
                f"    if v{f} is not None:",
                *(f"        {line}" for line in fact),
            ]
            results.append(f"{factor.id!r}: s{f}")
            if factor.id in read_factors:
                unknown.append(f"v{f} is None")
        # Levels first, then scores, as `encode` orders them: the same text reaches durable-rules.
        lines.append("    e.update(es)")
        unknown_text = " or ".join(unknown) or "False"
        count = len(kb.factors)
        # Whether `answer_warnings` may have something to say (it is asked only then).
        given = " + ".join(f"n{f}" for f in range(count)) or "0"
        low = ", ".join(f"lo{f}" for f in range(count))
        high = ", ".join(f"hi{f}" for f in range(count))
        missing = " + ".join(f"(v{f} is None)" for f in range(count)) or "0"
        uniform = f"({given}) >= {UNIFORM_MINIMUM} and min({low}, {_NONE_LOW}) == max({high}, {_NONE_HIGH})"
        warn = f"{uniform} or 2 * ({missing}) > {count}"
        namespace["inf"] = _NONE_LOW
        lines.append(f"    return {{**D, **a}}, {{{', '.join(results)}}}, e, lv, sv, {unknown_text}, {warn}")
        self.source = "\n".join(lines) + "\n"
        run_generated(self.source, f"intake of {kb.id}", namespace, self)
        #: The generated function: answers → trace answers, factor scores, fact, levels, scores,
        #: and whether something a rule reads is not assessed. A value that is not in its item's
        #: table raises KeyError.
        self.run: Callable[
            [Mapping[Any, object]],
            tuple[
                dict[str, int | MissingReason],
                dict[str, Any],
                dict[str, object],
                dict[str, str],
                dict[str, float],
                bool,
                bool,
            ],
        ] = namespace["run"]

    def _miss_lines(
        self,
        f: int,
        factor: Factor,
        items: Sequence[Item],
        tables: Mapping[str, Mapping[object, Answer]],
        namespace: dict[str, Any],
    ) -> list[str]:
        """Lines that score a factor met with new answers (the scorer's lines) and keep its result."""
        names = [f"x{f}_{i}" for i in range(len(items))]
        if not 0 < len(items) <= _INLINE_ITEMS:
            return [f"        r{f} = M{f}(k{f})"]
        for i, item in enumerate(items):
            namespace[f"T{f}_{i}"] = tables[item.id]
        namespace["LIMIT"] = self.LIMIT
        models = "".join(f"{x}[4], " for x in names)
        return [
            *(f"        {name} = T{f}_{i}[k{f}[{i}]]" for i, name in enumerate(names)),
            *_factor_lines(f, factor, items, names, namespace, indent=8),
            f"        if c{f}:",
            f"            s{f} = _fs({factor.id!r}, l{f}, v{f}, A{f}, (), {{}}, ({models}))",
            f"            r{f} = (s{f}, l{f}, v{f}, {len(items)}, min(k{f}), max(k{f}))",
            "        else:",
            f"            r{f} = _pe({factor.id!r}, l{f}, v{f}, g{f})",
            f"        if len(C{f}) < LIMIT:",
            f"            C{f}[k{f}] = r{f}",
        ]

    def accepts(self, answers: Mapping[Any, object]) -> bool:
        """Whether every key is an item and every value a whole number or text (checked in C).

        Whether each value is in its item's table is left to `run`, whose lookups then raise
        KeyError: a value off the scale, or text that is no missing reason.
        """
        return answers.keys() <= self.tables.keys() and {*map(type, answers.values())} <= _PLAIN


def _plain(kb: KnowledgeBase, answers: Mapping[Any, object], context: Mapping[Any, object]) -> Prepared:
    """The plain path: `validate_intake`, `score`, `build_fact` (and the reference for the fast one)."""
    checked, checked_context = validate_intake(kb, answers, context)
    profile = score(kb, checked)
    fields = scored_fields(kb)
    prepared = Prepared(checked, checked_context, profile, {}, unknown=True)
    facts = prepared.facts()
    unknown = any(
        any(f not in facts.levels for f in factors) or any(c not in facts.context for c in context_fields)
        for factors, context_fields in kb.rule_reads.values()
    )
    return prepared._replace(fact=encode(facts, fields), unknown=unknown)


def prepare(kb: KnowledgeBase, answers: object, context: object, *, reference: bool = False) -> Prepared:
    """Check and score an intake, and build its fact; raise `AnswerError` as `validate_intake` does.

    With `reference`, always the plain path (the tests compare the two).
    """
    fast = derived(kb, FastIntake)
    if (
        reference
        or not isinstance(answers, Mapping)
        or not isinstance(context, Mapping)
        or not fast.accepts(answers)
    ):
        return _plain(kb, answers, context)  # type: ignore[arg-type]  # validate_intake says what is wrong
    try:
        trace, scores, fact, levels, values, unknown, warn = fast.run(answers)
    except KeyError:  # a value that is not in its item's table: let validate_intake say so
        return _plain(kb, answers, context)
    checked_context: dict[str, ContextValue] = {}
    if context:
        checked_context = validate_intake(kb, {}, context)[1]
    for field, key in fast.context_keys.items():
        if field in checked_context:
            fact[key] = checked_context[field]
    if not unknown:
        unknown = any(c not in checked_context for c in fast.read_context)
    facts = Facts(levels, values, checked_context)
    return Prepared(trace, checked_context, construct(Profile, scores=scores), fact, unknown, facts, warn)
