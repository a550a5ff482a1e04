"""The pipeline compiled for one knowledge base: a diagnosis's JSON straight from the answers.

`assess` builds a result object per intake; a batch that only stores its results
(`assess_many_json`, `diagnose batch`, `assess_frame`, `assess_table`) needs their JSON or a few
columns, not the objects. Per knowledge base, this module precomputes what does not depend on
the client: for every item, the JSON of each possible answer; per recommendation and per rule,
their JSON; the knowledge base's version fields; and it generates the scorer as straight-line
Python (`CompiledRules.source`). Per intake it checks the answers with lookups, scores them,
evaluates a whole chunk of facts in one durable-rules session (`RuleEngine.fired_many`), and joins
the pieces, as UTF-8, into exactly the JSON `Diagnosis.model_dump_json()` writes (a property test
compares the two on generated intakes; the tests also run every vignette and example through
both). About 49 µs per intake against 195 µs for `assess` (bench/run.py).

Anything unusual takes the ordinary path: answers with a problem go through `validate_intake`,
which raises the same `AnswerError` as `assess`; context values are checked by the same function.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from pydantic_core import to_json

from diagnose._base import compile_source, construct
from diagnose.assessment.recommendation import FiredRule, UndecidedRule, recommend
from diagnose.assessment.scoring import MISSING_REASONS, Intake, validate_intake
from diagnose.engine._cache import rule_engine
from diagnose.engine._durable import context_key, decode, fact_fields, level_key, score_key
from diagnose.errors import AnswerError
from diagnose.knowledge._base import derived
from diagnose.knowledge.conditions import truth

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from diagnose.assessment.scoring import ContextValue
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor

__all__ = ["CompiledResult", "CompiledRules", "split_intake"]

#: Cached fragments per knowledge base before the caches start again (they hold pure functions of
#: their keys, so starting again only costs time).
_CACHE_LIMIT = 8_192
_ANSWER_TYPES = frozenset({int, str})
#: Factors with at most this many items get their sums written out in the generated scorer; a
#: larger one is scored by `_partial` (a sum of thousands of terms is too deep to compile).
_INLINE_ITEMS = 64
K = TypeVar("K")
V = TypeVar("V")


class CompiledResult(NamedTuple):
    """One assessed intake: the diagnosis as JSON (UTF-8), each factor's level, the advice in order."""

    json: bytes
    levels: tuple[str, ...]
    advice: tuple[str, ...]


def _shown(value: object) -> str:
    try:
        return repr(value)[:200]
    except (RecursionError, ValueError):  # pragma: no cover - only in a bug report
        return type(value).__name__


def _json(value: object) -> str:
    return to_json(value).decode()


def split_intake(intake: Mapping[str, object] | Intake) -> tuple[Mapping[Any, object], Mapping[Any, object]]:
    """Answers and context of an intake given as answers only or as an `Intake`."""
    if isinstance(intake, Intake):
        return intake.answers, intake.context
    return intake, {}


class _Entry(NamedTuple):
    """What one possible answer to an item contributes."""

    trace: str  # its entry in the trace's answers: '"se_1":4'
    item: str  # its entry in the factor's items, or "" when missing
    scored: int  # the value after reverse-scoring (0 when missing)
    counted: int  # 1 when answered, 0 when missing
    quoted: str  # the item id as JSON


class CompiledRules:
    """A knowledge base's pipeline as lookups, prebuilt JSON and generated code (see the module)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        """Precompute every fragment that does not depend on the client, and generate the scorer."""
        self.kb = kb
        self._tables: dict[str, dict[object, _Entry]] = {}
        for item in kb.items:
            quoted = _json(item.id)
            table: dict[object, _Entry] = {}
            for raw in range(item.scale.min, item.scale.max + 1):
                scored = item.scale.min + item.scale.max - raw if item.reverse else raw
                entry = f'{{"item":{quoted},"raw":{raw},"scored":{scored}}}'
                table[raw] = _Entry(f"{quoted}:{raw}", entry, scored, 1, quoted)
            for reason in MISSING_REASONS:
                table[reason] = _Entry(f"{quoted}:{_json(reason)}", "", 0, 0, quoted)
            self._tables[item.id] = table
        #: The fact fields the rules read (the engine's wire format: the fact is built in it).
        self._fields = fact_fields(kb.rules)
        self._score = self._generate()
        self._item_ids = frozenset(self._tables)
        # What rules read: when the fact holds all of it, no rule can be undecided.
        self._read_keys = frozenset(
            key
            for factors, fields_read in kb.rule_reads.values()
            for key in (*map(level_key, factors), *map(context_key, fields_read))
        )
        self._reads = tuple(
            (rule, tuple((f, level_key(f)) for f in factors), tuple((c, context_key(c)) for c in fields_read))
            for rule in kb.rules
            for factors, fields_read in [kb.rule_reads[rule.id]]
            if factors or fields_read
        )
        self._tail = (
            f'"knowledge_base_id":{_json(kb.id)},"knowledge_base_version":{_json(kb.version)},'
            f'"knowledge_base_hash":{_json(kb.content_hash)},"assessed_on":null,"preferences":null}}'
        ).encode()
        self._lock = threading.Lock()
        self._advice: dict[tuple[str, ...], tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[str, ...]]] = {}
        self._recommendations: dict[tuple[str, tuple[str, ...]], bytes] = {}
        fired_rules = [
            construct(FiredRule, rule=r.id, intervention=r.recommend, priority=r.priority) for r in kb.rules
        ]
        self._fired_rules = {f.rule: f.__pydantic_serializer__.to_json(f) for f in fired_rules}
        self._undecided: dict[tuple[str, tuple[str, ...], tuple[str, ...]], bytes] = {}

    def _generate(
        self,
    ) -> Callable[[Mapping[Any, object], dict[str, object]], tuple[str, str, tuple[str, ...]]]:
        """Generate `score(answers, fact) -> (profile JSON, trace answers JSON, levels)` for this KB.

        Straight-line code, one line per item, with the common case (every item of a factor
        answered) written out in full; a factor with a missing answer goes through `_partial`.
        The answers must have passed the check in `_prepare`.
        """
        kb = self.kb
        fields = self._fields
        namespace: dict[str, Any] = {"_partial": self._partial, "S": '","score":'}
        lines = ["def score(a, fact):", "    g = a.get"]
        variables: dict[str, str] = {}
        levels = []
        for f, factor in enumerate(kb.factors.values()):
            items = kb.items_by_factor[factor.id]
            names = []
            for i, item in enumerate(items):
                table, name = f"T{f}_{i}", f"t{f}_{i}"
                namespace[table] = self._tables[item.id]
                variables[item.id] = name
                names.append(name)
                lines.append(f"    {name} = {table}[g({item.id!r}, 'not_asked')]")
            namespace[f"H{f}"] = f'{_json(factor.id)}:{{"factor":{_json(factor.id)},"level":"'
            namespace[f"L{f}"] = factor.thresholds.level
            namespace[f"F{f}"] = factor
            answered = ",".join(_json(item.id) for item in items)
            namespace[f"M{f}"] = f',"answered":[{answered}],"missing":[],"missing_reasons":{{}},"items":['
            lk, sk = level_key(factor.id), score_key(factor.id)
            level, value = f"l{f}", f"s{f}"
            levels.append(level)
            entries = ",".join(f"{{{n}[1]}}" for n in names)
            if len(names) <= _INLINE_ITEMS:
                lines += [
                    f"    if {' + '.join(f'{n}[3]' for n in names)} == {len(names)}:",
                    f"        {value} = ({' + '.join(f'{n}[2]' for n in names)}) / {len(names)}",
                    f"        {level} = L{f}({value})",
                    f'        p{f} = f"{{H{f}}}{{{level}}}{{S}}{{{value}!r}}{{M{f}}}{entries}]}}}}"',
                    "    else:",
                    f"        {level}, {value}, p{f} = _partial(F{f}, H{f}, ({', '.join(names)},))",
                ]
            else:  # a chain of thousands of `+` nests too deep for Python's compiler: one call
                lines.append(f"    {level}, {value}, p{f} = _partial(F{f}, H{f}, ({', '.join(names)},))")
            lines.append(f"    if {value} is not None:")
            lines += [f"        fact[{lk!r}] = {level}"] if lk in fields else []
            lines += [f"        fact[{sk!r}] = {value}"] if sk in fields else []
            lines += ["        pass"] if lk not in fields and sk not in fields else []
        profile = 'f"' + ",".join(f"{{p{f}}}" for f in range(len(kb.factors))) + '"'
        trace = ",".join(f"{{{variables[item.id]}[0]}}" for item in kb.items)
        lines.append(f'    return {profile}, f"{trace}", ({", ".join(levels)},)')
        source = "\n".join(lines)
        exec(compile_source(source, f"scoring of {kb.id}"), namespace)  # noqa: S102 - generated from a checked knowledge base: ids and JSON fragments only
        self.source = source
        scorer: Callable[[Mapping[Any, object], dict[str, object]], tuple[str, str, tuple[str, ...]]]
        scorer = namespace["score"]
        return scorer

    @staticmethod
    def _partial(factor: Factor, head: str, entries: tuple[_Entry, ...]) -> tuple[str, float | None, str]:
        """A factor with a missing answer: (level, score or None, its profile JSON)."""
        answered: list[str] = []
        items: list[str] = []
        missing: list[str] = []
        reasons: list[str] = []
        total = 0
        for trace, item, scored, counted, quoted in entries:
            if counted:
                answered.append(quoted)
                items.append(item)
                total += scored
            else:
                missing.append(quoted)
                reasons.append(trace)
        value: float | None = None
        level, score_json = "not_assessed", "null"
        if len(answered) >= factor.min_answered:
            value = total / len(answered)
            level, score_json = factor.thresholds.level(value), repr(value)
        text = (
            f'{head}{level}","score":{score_json},"answered":[{",".join(answered)}],'
            f'"missing":[{",".join(missing)}],"missing_reasons":{{{",".join(reasons)}}},'
            f'"items":[{",".join(items)}]}}'
        )
        return level, value, text

    def assess(self, intakes: Iterable[Mapping[str, object] | Intake]) -> list[CompiledResult | AnswerError]:
        """Assess a chunk of intakes; a rejected one becomes its `AnswerError`, in its place."""
        return self.assess_pairs(map(split_intake, intakes))

    def assess_pairs(
        self, intakes: Iterable[tuple[Mapping[Any, object], Mapping[Any, object]]]
    ) -> list[CompiledResult | AnswerError]:
        """Like `assess`, for intakes given as (answers, context) pairs (not yet checked)."""
        prepared: list[tuple[bytes, bytes, dict[str, object], tuple[str, ...]] | AnswerError] = []
        facts: list[dict[str, object]] = []
        for answers, context in intakes:
            try:
                item = self._prepare(answers, context)
            except AnswerError as exc:
                prepared.append(exc)
            else:
                prepared.append(item)
                facts.append(item[2])
        fired_all = iter(rule_engine(self.kb).fired_encoded(facts))
        return [
            item if isinstance(item, AnswerError) else self._finish(*item, next(fired_all))
            for item in prepared
        ]

    def _prepare(
        self, answers: Mapping[Any, object], context: Mapping[Any, object]
    ) -> tuple[bytes, bytes, dict[str, object], tuple[str, ...]]:
        """Check and score: (profile JSON, trace JSON up to the fired rules, the fact, the levels)."""
        fact: dict[str, object] = {}
        scored = self._try_score(answers, fact)
        if scored is None:
            # Raises the same AnswerError as assess; what passes it is plain data in subclasses
            # of str (numpy.str_("declined"), a str subclass as item id), scored as that text.
            checked = validate_intake(self.kb, answers, context)[0]
            plain = {item: str.__str__(v) if isinstance(v, str) else v for item, v in checked.items()}
            scored = self._try_score(plain, fact)
            if scored is None:  # pragma: no cover - the tests feed both paths junk
                message = f"the compiled check refused what validate_intake accepts: {_shown(answers)}"
                raise AssertionError(message)
        profile, trace_answers, levels = scored
        checked_context: dict[str, ContextValue] = {}
        if context:
            checked_context = validate_intake(self.kb, {}, context)[1]
            for name, value in checked_context.items():
                if (key := context_key(name)) in self._fields:
                    fact[key] = value
        # Ids, numbers and missing reasons only: ASCII, so encoding is a copy.
        return (
            f'{{"kind":"diagnosis","profile":{{"scores":{{{profile}}}}},'.encode(),
            b'"trace":{"answers":{%s},"context":%s,' % (trace_answers.encode(), to_json(checked_context)),
            fact,
            levels,
        )

    def _try_score(
        self, answers: Mapping[Any, object], fact: dict[str, object]
    ) -> tuple[str, str, tuple[str, ...]] | None:
        """Score answers the fast way, or None when they need `validate_intake` to say what is wrong.

        Known items with whole-number or text answers; the generated code's table lookups then
        refuse any number off the scale and any other text (KeyError), and anything unhashable
        (TypeError). A bool or 2.0 would pass a lookup (True == 1): the type check keeps them out.
        Anything but a mapping (no `keys`) goes to `validate_intake` too.
        """
        try:
            if not (answers.keys() <= self._item_ids and set(map(type, answers.values())) <= _ANSWER_TYPES):
                return None
            return self._score(answers, fact)
        except (KeyError, TypeError, AttributeError):
            fact.clear()
            return None

    def _finish(
        self,
        profile: bytes,
        trace: bytes,
        fact: dict[str, object],
        levels: tuple[str, ...],
        fired: tuple[str, ...],
    ) -> CompiledResult:
        recommendations, fired_rules, advice = self._advice_for(fired)
        undecided = self._undecided_for(fired, fact)
        text = b'%s"recommendations":[%s],%s"fired_rules":[%s],"undecided_rules":[%s]},%s' % (
            profile,
            b",".join(recommendations),
            trace,
            b",".join(fired_rules),
            undecided,
            self._tail,
        )
        return CompiledResult(text, levels, advice)

    def _advice_for(
        self, fired: tuple[str, ...]
    ) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[str, ...]]:
        """The recommendations and fired rules of a set of fired rules, as JSON pieces, and the advice.

        Pieces are shared between sets (one per recommendation, one per rule), so a cache entry is
        a few references: thousands of distinct sets cost a few MB, not one copy of the JSON each.
        """
        cached = self._advice.get(fired)
        if cached is None:
            kb = self.kb
            rules = kb.rules_by_id
            pieces = []
            recommendations = recommend(kb, fired)
            for recommendation in recommendations:
                key = (recommendation.intervention, recommendation.rules)
                piece = self._recommendations.get(key)
                if piece is None:
                    piece = recommendation.__pydantic_serializer__.to_json(recommendation)
                    self._remember(self._recommendations, key, piece)
                pieces.append(piece)
            order = sorted(fired, key=lambda r: (rules[r].priority, r))
            cached = (
                tuple(pieces),
                tuple(self._fired_rules[r] for r in order),
                tuple(r.intervention for r in recommendations),
            )
            self._remember(self._advice, fired, cached)
        return cached

    def _undecided_for(self, fired: tuple[str, ...], fact: Mapping[str, object]) -> bytes:
        if self._read_keys.issubset(fact):  # everything the rules read is known: all decided
            return b""
        parts = []
        known = decode(fact)
        for rule, factors, fields in self._reads:
            unknown_factors = tuple(f for f, key in factors if key not in fact)
            unknown_fields = tuple(c for c, key in fields if key not in fact)
            if (
                (unknown_factors or unknown_fields)
                and rule.id not in fired
                and truth(rule.when, known) is None
            ):
                key = (rule.id, unknown_factors, unknown_fields)
                text = self._undecided.get(key)
                if text is None:
                    undecided = construct(
                        UndecidedRule,
                        rule=rule.id,
                        intervention=rule.recommend,
                        not_assessed=unknown_factors,
                        context_missing=unknown_fields,
                    )
                    text = undecided.__pydantic_serializer__.to_json(undecided)
                    self._remember(self._undecided, key, text)
                parts.append(text)
        return b",".join(parts)

    def _remember(self, cache: dict[K, V], key: K, value: V) -> None:
        with self._lock:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[key] = value


def compiled_rules(kb: KnowledgeBase) -> CompiledRules:
    """The batch pipeline compiled for `kb`, built on first use and kept with it."""
    return derived(kb, CompiledRules)
