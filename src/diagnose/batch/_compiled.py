"""The pipeline compiled for one knowledge base: a diagnosis's JSON straight from the answers.

`assess` builds a result object per intake; a batch that only stores its results
(`assess_many_json`, `diagnose batch`, `assess_frame`, `assess_table`) needs their JSON or a few
columns, not the objects. Per knowledge base, this module precomputes what does not depend on the
client: the pieces of the models' own JSON (`diagnose.batch._pieces`), per recommendation and per
rule their JSON; and it generates a writer that runs the one scorer's lines (`scoring_lines`, the
same `assess` runs) and writes the profile as JSON (`CompiledRules.writer_source`). Per intake it
checks the answers with lookups, scores and writes them, evaluates a whole chunk of facts in one
durable-rules session, and joins the pieces, as UTF-8, into exactly the JSON
`Diagnosis.model_dump_json()` writes (a property test compares the two on generated intakes; the
tests also run every vignette and example through both). Its speed is in docs/benchmarks.md.

Anything unusual takes the ordinary path: answers with a problem go through `validate_intake`,
which raises the same `AnswerError` as `assess`; context values are checked by the same function.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from pydantic_core import to_json

from diagnose._base import construct, run_generated
from diagnose.assessment.recommendation import FiredRule, shared_advice
from diagnose.assessment.scoring import Intake, scorer, scoring_lines, validate_intake
from diagnose.assessment.warnings import answer_warnings
from diagnose.batch._pieces import diagnosis_pieces, factor_pieces, listed, partial_json
from diagnose.engine._cache import scored_engine, scored_fields
from diagnose.engine._durable import context_key, level_key, score_key, view
from diagnose.errors import AnswerError
from diagnose.knowledge._base import derived

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from diagnose.assessment.scoring import ContextValue
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["CompiledResult", "CompiledRules", "split_intake"]

#: Cached fragments per knowledge base before the caches start again (they hold pure functions of
#: their keys, so starting again only costs time).
_CACHE_LIMIT = 8_192
_ANSWER_TYPES = frozenset({int, str})
K = TypeVar("K")
V = TypeVar("V")


class CompiledResult(NamedTuple):
    """One assessed intake: the diagnosis as JSON (UTF-8) in pieces, each factor's level, the advice.

    The pieces are joined once, where the JSON goes (a batch joins a whole chunk's at once):
    each join of a diagnosis of about 20 kB is a copy.
    """

    parts: tuple[bytes, ...]
    levels: tuple[str, ...]
    advice: tuple[str, ...]

    @property
    def json(self) -> bytes:
        """The diagnosis as JSON (UTF-8): the parts joined."""
        return b"".join(self.parts)


def _shown(value: object) -> str:
    try:
        return repr(value)[:200]
    except (RecursionError, ValueError):  # pragma: no cover - only in a bug report
        return type(value).__name__


def split_intake(intake: Mapping[str, object] | Intake) -> tuple[Mapping[Any, object], Mapping[Any, object]]:
    """Answers and context of an intake given as answers only or as an `Intake`."""
    if isinstance(intake, Intake):
        return intake.answers, intake.context
    return intake, {}


#: What `_prepare` makes of an intake: the JSON inside the profile's scores, the trace's JSON from
#: inside its answers to the end of its context, the fact, the levels and the warnings' JSON (a
#: summary fills in only the fact and the levels).
_Prepared = tuple[bytes, bytes, dict[str, object], tuple[str, ...], bytes]


class CompiledRules:
    """A knowledge base's pipeline as lookups and prebuilt JSON over its one scorer (see the module)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        """Precompute every fragment that does not depend on the client."""
        self.kb = kb
        self._score = scorer(kb)
        #: The generated scoring function (the one `assess` uses too).
        self.source = self._score.source
        self._item_ids = frozenset(self._score.tables)
        self._diagnosis = diagnosis_pieces(kb)
        #: The fields of a fact for `scored_engine` (its wire format: the fact is built in it).
        self._fields = scored_fields(kb)
        self._write = self._generate(kb)
        self._levels = self._generate_levels(kb)
        # What rules read: when the fact holds all of it, no rule can be undecided. The fact
        # field that tells each such factor (its score, or its level: whichever the fact has) or
        # context field is known, to `Advice.undecided`'s names.
        self._name_of = {
            key: name
            for factors, fields_read in kb.rule_reads.values()
            for key, name in (
                *((level_key(f) if level_key(f) in self._fields else score_key(f), f) for f in factors),
                *((context_key(c), f"c:{c}") for c in fields_read),
            )
        }
        self._read_keys = frozenset(self._name_of)
        # Per rule, what its truth depends on: the fact fields it reads and the positions of its
        # factors' levels.
        factor_at = {f: i for i, f in enumerate(kb.factors)}
        reads = [kb.rule_reads[r.id] for r in kb.rules]
        self._rule_ids = tuple(r.id for r in kb.rules)
        self._depends = [
            (
                tuple(
                    key
                    for key in (
                        *(k for f in factors for k in (level_key(f), score_key(f))),
                        *map(context_key, fields),
                    )
                    if key in self._fields
                ),
                tuple(factor_at[f] for f in factors),
            )
            for factors, fields in reads
        ]
        self._candidates: dict[frozenset[str], tuple[int, ...]] = {}
        self._lock = threading.Lock()
        self._advice: dict[tuple[str, ...], tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[str, ...]]] = {}
        self._recommendations: dict[tuple[str, tuple[str, ...], str], bytes] = {}
        fired_rules = [
            construct(FiredRule, rule=r.id, intervention=r.recommend, priority=r.priority) for r in kb.rules
        ]
        self._fired_rules = {f.rule: f.__pydantic_serializer__.to_json(f) for f in fired_rules}
        self._undecided: dict[tuple[object, ...], bytes] = {}
        self._warnings: dict[tuple[int | None, int, tuple[str, ...]], bytes] = {}
        self._factor_ids = tuple(kb.factors)

    def _generate(
        self, kb: KnowledgeBase
    ) -> Callable[[Mapping[Any, object], dict[str, object]], tuple[str, str, tuple[str, ...]]]:
        """Generate `write(answers, fact) -> (scores JSON, trace answers JSON, levels)` for this KB.

        The scorer's own lines (`scoring_lines`, the one place that scores), then one f-string
        per factor from the pieces of `FactorScore`'s own JSON; a factor with a missing answer
        goes through `partial_json` (`diagnose.batch._pieces`). It also puts into the fact what
        the rules read.
        """
        namespace: dict[str, Any] = {"_partial_json": partial_json}
        lines = ["def write(a, fact):", *scoring_lines(kb, self._score.tables, namespace)]
        where: dict[str, str] = {}
        for f, factor in enumerate(kb.factors):
            items = kb.items_by_factor[factor]
            p = factor_pieces(factor)
            # Names of their own: the scorer's lines use T, L, F, g and t.
            namespace[f"P{f}"] = p
            for n, piece in enumerate(p):
                namespace[f"J{f}_{n}"] = piece
            namespace[f"U{f}"] = p[2] + ",".join(to_json(i.id).decode() for i in items) + p[3] + p[4] + p[5]
            for i, item in enumerate(items):
                where[item.id] = f"t{f}_{i}[5]"
            written = ",".join(f"{{t{f}_{i}[6]}}" for i in range(len(items)))
            lines += [
                f"    if c{f}:",
                f'        p{f} = f"{{J{f}_0}}{{l{f}}}{{J{f}_1}}{{r{f}}}{{U{f}}}{written}{{J{f}_6}}"',
                "    else:",
                f"        p{f} = _partial_json(P{f}, l{f}, r{f}, g{f})",
            ]
        lines += self._fact_lines(kb)
        profile = ",".join(f"{{p{f}}}" for f in range(len(kb.factors)))
        trace = ",".join(f"{{{where[item.id]}}}" for item in kb.items)
        levels = "".join(f"l{f}, " for f in range(len(kb.factors)))
        lines.append(f'    return f"{profile}", f"{trace}", ({levels})')
        #: The generated writer (registered in `linecache`, like the scorer).
        self.writer_source = "\n".join(lines) + "\n"
        run_generated(self.writer_source, f"batch JSON of {kb.id}", namespace, self)
        writer: Callable[[Mapping[Any, object], dict[str, object]], tuple[str, str, tuple[str, ...]]]
        writer = namespace["write"]
        return writer

    def _generate_levels(
        self, kb: KnowledgeBase
    ) -> Callable[[Mapping[Any, object], dict[str, object]], tuple[tuple[str, ...]]]:
        """Generate `levels(answers, fact) -> (levels,)`: the scorer's lines and the fact, no JSON.

        For a summary (`assess_pairs(..., summary=True)`), which keeps only levels and advice.
        """
        namespace: dict[str, Any] = {}
        lines = ["def levels(a, fact):", *scoring_lines(kb, self._score.tables, namespace)]
        lines += self._fact_lines(kb)
        levels = "".join(f"l{f}, " for f in range(len(kb.factors)))
        lines.append(f"    return (({levels}),)")
        #: The generated levels-only scorer (registered in `linecache`, like the writer).
        self.levels_source = "\n".join(lines) + "\n"
        run_generated(self.levels_source, f"batch levels of {kb.id}", namespace, self)
        function: Callable[[Mapping[Any, object], dict[str, object]], tuple[tuple[str, ...]]]
        function = namespace["levels"]
        return function

    def _fact_lines(self, kb: KnowledgeBase) -> list[str]:
        """Lines that put into `fact` what the rules read of each assessed factor."""
        lines = []
        for f, factor in enumerate(kb.factors):
            keys = ((level_key(factor), f"l{f}"), (score_key(factor), f"v{f}"))
            reads = [(key, var) for key, var in keys if key in self._fields]
            if reads:
                lines.append(f"    if v{f} is not None:")
                lines += [f"        fact[{key!r}] = {var}" for key, var in reads]
        return lines

    def assess(self, intakes: Iterable[Mapping[str, object] | Intake]) -> list[CompiledResult | AnswerError]:
        """Assess a chunk of intakes; a rejected one becomes its `AnswerError`, in its place."""
        return self.assess_pairs(map(split_intake, intakes))

    def assess_pairs(
        self, intakes: Iterable[tuple[Mapping[Any, object], Mapping[Any, object]]], *, summary: bool = False
    ) -> list[CompiledResult | AnswerError]:
        """Like `assess`, for intakes given as (answers, context) pairs (not yet checked).

        With `summary`, only the levels and the advice: each result's `json` is empty, and
        nothing of the JSON (profile, trace, undecided rules, warnings) is written.
        """
        prepared: list[_Prepared | AnswerError] = []
        facts: list[dict[str, object]] = []
        for answers, context in intakes:
            try:
                item = self._summarise(answers, context) if summary else self._prepare(answers, context)
            except AnswerError as exc:
                prepared.append(exc)
            else:
                prepared.append(item)
                facts.append(item[2])
        fired_all = iter(scored_engine(self.kb).fired_encoded(facts))
        if summary:
            return [
                item
                if isinstance(item, AnswerError)
                else CompiledResult((), item[3], self._advice_for(next(fired_all))[2])
                for item in prepared
            ]
        return [
            item if isinstance(item, AnswerError) else self._finish(*item, next(fired_all))
            for item in prepared
        ]

    def _scored(
        self,
        answers: Mapping[Any, object],
        context: Mapping[Any, object],
        write: Callable[[Mapping[Any, object], dict[str, object]], tuple[Any, ...]],
    ) -> tuple[tuple[Any, ...], Mapping[Any, object], dict[str, ContextValue], dict[str, object]]:
        """What `write` gives for checked answers, the answers it read, the context and the fact."""
        fact: dict[str, object] = {}
        scored = self._try_score(answers, fact, write)
        if scored is None:
            # Raises the same AnswerError as assess; what passes it is plain data in subclasses
            # of str (numpy.str_("declined"), a str subclass as item id), scored as that text.
            checked = validate_intake(self.kb, answers, context)[0]
            plain = {item: str.__str__(v) if isinstance(v, str) else v for item, v in checked.items()}
            scored = self._try_score(plain, fact, write)
            if scored is None:  # pragma: no cover - the tests feed both paths junk
                message = f"the compiled check refused what validate_intake accepts: {_shown(answers)}"
                raise AssertionError(message)
            answers = plain
        checked_context: dict[str, ContextValue] = {}
        if context:
            checked_context = validate_intake(self.kb, {}, context)[1]
            for name, value in checked_context.items():
                if (key := context_key(name)) in self._fields:
                    fact[key] = value
        return scored, answers, checked_context, fact

    def _summarise(self, answers: Mapping[Any, object], context: Mapping[Any, object]) -> _Prepared:
        """Check and score for a summary: only the fact and the levels are filled in."""
        (levels,), _, _, fact = self._scored(answers, context, self._levels)
        return b"", b"", fact, levels, b""

    def _prepare(self, answers: Mapping[Any, object], context: Mapping[Any, object]) -> _Prepared:
        """Check and score: the parts of `_Prepared` (profile, trace, fact, levels, warnings)."""
        (profile, trace_answers, levels), answers, checked_context, fact = self._scored(
            answers, context, self._write
        )
        # Ids, numbers and missing reasons only: ASCII, so encoding is a copy.
        return (
            profile.encode(),
            b"%s%s%s" % (trace_answers.encode(), self._diagnosis[3], to_json(checked_context)[1:-1]),
            fact,
            levels,
            self._warnings_for(answers, levels),
        )

    def _warnings_for(self, answers: Mapping[Any, object], levels: tuple[str, ...]) -> bytes:
        """The JSON of `answer_warnings` for these answers, kept per what the warnings depend on."""
        # The warnings depend on the whole-number answers only through whether they are all one
        # number, which one and how many; and on the factors not assessed. The answers here are
        # whole numbers and texts, so a set finds the distinct ones.
        numbers = [v for v in set(answers.values()) if v.__class__ is int]
        uniform = numbers[0] if len(numbers) == 1 else None
        given = 0 if uniform is None else list(answers.values()).count(uniform)
        not_assessed = (
            tuple(f for f, level in zip(self._factor_ids, levels, strict=True) if level == "not_assessed")
            if "not_assessed" in levels
            else ()
        )
        key = (uniform, given, not_assessed)
        text = self._warnings.get(key)
        if text is None:
            warnings = answer_warnings(self.kb, answers, not_assessed)
            text = b",".join(w.__pydantic_serializer__.to_json(w) for w in warnings)
            self._remember(self._warnings, key, text)
        return text

    def _try_score(
        self,
        answers: Mapping[Any, object],
        fact: dict[str, object],
        write: Callable[[Mapping[Any, object], dict[str, object]], tuple[Any, ...]],
    ) -> tuple[Any, ...] | None:
        """Score answers the fast way with `write`, or None when they need `validate_intake`.

        Known items with whole-number or text answers; the generated code's table lookups then
        refuse any number off the scale and any other text (KeyError), and anything unhashable
        (TypeError). A bool or 2.0 would pass a lookup (True == 1): the type check keeps them out.
        Anything but a mapping (no `keys`) goes to `validate_intake` too.
        """
        try:
            if not (answers.keys() <= self._item_ids and set(map(type, answers.values())) <= _ANSWER_TYPES):
                return None
            return write(answers, fact)
        except (KeyError, TypeError, AttributeError):
            fact.clear()
            return None

    def _finish(  # noqa: PLR0913, PLR0917 - the parts `_prepare` made, and what fired
        self,
        profile: bytes,
        trace: bytes,
        fact: dict[str, object],
        levels: tuple[str, ...],
        warnings: bytes,
        fired: tuple[str, ...],
    ) -> CompiledResult:
        recommendations, fired_rules, advice = self._advice_for(fired)
        undecided = self._undecided_for(fired, fact, levels)
        d0, d1, d2, _, d4, d5, d6, d7 = self._diagnosis
        parts = (
            d0,
            profile,
            d1,
            *listed(recommendations),
            d2,
            trace,  # up to the end of the context: d3 is in it
            d4,
            *listed(fired_rules),
            d5,
            undecided,
            d6,
            warnings,
            d7,
        )
        return CompiledResult(parts, levels, advice)

    def _advice_for(
        self, fired: tuple[str, ...]
    ) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[str, ...]]:
        """The recommendations and fired rules of a set of fired rules, as JSON pieces, and the advice.

        Pieces are shared between sets (one per recommendation, one per rule), so a cache entry is
        a few references: thousands of distinct sets cost a few MB, not one copy of the JSON each.
        """
        cached = self._advice.get(fired)
        if cached is None:
            # The recommendations and fired rules `assess` shares (one object per group and phase).
            recommendations, fired_rules = shared_advice(self.kb).of(self.kb, fired)
            pieces = []
            for recommendation in recommendations:
                key = (recommendation.intervention, recommendation.rules, recommendation.phase)
                piece = self._recommendations.get(key)
                if piece is None:
                    piece = recommendation.__pydantic_serializer__.to_json(recommendation)
                    self._remember(self._recommendations, key, piece)
                pieces.append(piece)
            cached = (
                tuple(pieces),
                tuple(self._fired_rules[r.rule] for r in fired_rules),
                tuple(r.intervention for r in recommendations),
            )
            self._remember(self._advice, fired, cached)
        return cached

    def _undecided_for(
        self, fired: tuple[str, ...], fact: Mapping[str, object], levels: tuple[str, ...]
    ) -> bytes:
        """The JSON of the undecided rules, each kept per the values its truth depends on."""
        missing = self._read_keys.difference(fact)
        if not missing:  # everything the rules read is known: all decided
            return b""
        candidates = self._candidates.get(missing)
        if candidates is None:
            unknown = frozenset(self._name_of[key] for key in missing)
            candidates = shared_advice(self.kb).candidates(unknown)
            self._remember(self._candidates, missing, candidates)
        parts = []
        for n in candidates:
            if self._rule_ids[n] in fired:
                continue
            keys, positions = self._depends[n]
            key = (n, *map(fact.get, keys), *[levels[p] for p in positions])
            text = self._undecided.get(key)
            if text is None:
                # The fact may hold no levels (`scored_engine` reads scores): they come from the scorer.
                known = {
                    f: lv for f, lv in zip(self._factor_ids, levels, strict=True) if lv != "not_assessed"
                }
                undecided = shared_advice(self.kb).undecided_rule(self.kb, n, view(fact, known))
                text = b"" if undecided is None else undecided.__pydantic_serializer__.to_json(undecided)
                self._remember(self._undecided, key, text)
            if text:
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
