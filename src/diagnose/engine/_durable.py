"""The only module that touches durable-rules.

The recommendation rules of a knowledge base are compiled into one durable-rules ruleset (a JSON
definition), and each intake is asserted as one small fact in a session of its own. We drive
durable's C core (`durable_rules_engine`) directly rather than through `durable.engine.Host`:
it gives the same fired rules faster (docs/benchmarks.md), starts no timer threads, and needs no
Python action callbacks. What we rely on, each reproduced on this machine:

* A fact that matches no rule still creates session state, and deleting that state can free an
  invalid pointer: a catch-all rule makes every fact handled (see `CATCH_ALL`), and every
  session is deleted on every path (at most 1024 live sessions; the next raises MemoryError).
* Deleting a session whose actions were not drained corrupts the C heap: drain, then delete.
* A condition reading `sid` or `id` also matches the engine's own session state and never
  returns; our fact fields are all prefixed (`l__`, `s__`, `c__`, `kind`), so no rule can.
* An `$or` fires once per satisfied branch: fired rule ids are de-duplicated.
* Interleaved calls on one ruleset are unsafe: each evaluation holds the engine's lock.
* With `cap`, a rule's action receives up to that many matched frames at once, as a list. For a
  batch (`fired_many`) all facts go into one session with one `assert_facts` call, each carrying
  its position (`id`, see `POSITION`), and each rule fires once for all the facts it matched: a
  fraction of the time per intake that one session per fact takes (bench/run.py measures both,
  docs/benchmarks.md has the figures; tests check that a batch fires what each fact fires
  alone). Read in durable's C source (state.c, `serializeResult`): an action
  message holds exactly one rule; each frame repeats the fact's text as it was asserted; more
  matches than `cap` come as several actions; and a fact equal to one already in the session is
  dropped, which the distinct positions prevent.
* durable keeps a session's facts in a table keyed by the 32-bit FNV-1a hash of each fact's
  `id` and answers code 2 to a second fact with the same hash (state.c, `storeMessage`). Without
  an `id` it makes one from a 64-bit hash of the content: a repeated caseload hit a clash after
  957 chunks. Facts carry their position as `id` ("0" to "16383": distinct hashes), a session
  holds at most `SESSION_FACTS`, and a session id whose state (`sid-<n>`) would clash is skipped.
* A failed or interrupted evaluation never deletes its session (a session not fully asserted or
  not drained aborts the process when freed): the ruleset is set aside and a fresh one built.
  A dropped engine frees its rulesets (`weakref.finalize` calling `delete_ruleset`).
* durable reads an exponent only after a fraction (`1e-05` crashed it): see `dumps`.
* Beyond its fixed tables durable answers a code, crashes or spins: the loader refuses such
  rules first (`diagnose.engine._limits`; measured with bench/engine_limits.py: at most 64 tests true
  at once for one fact, 251 fields in a fact, 8,192 alternatives of a rule, 256 rules per test).

Three-valued logic: a factor that is not assessed is absent from the fact, and durable treats a
comparison on an absent field as false. Each rule is compiled to "definitely true" by pushing
negation down to the atoms (`not (level is low)` becomes `level is medium or high`), so `not`
over an unknown factor stays unknown instead of becoming true.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from diagnose.engine._compiler import (
    CAP,
    CATCH_ALL,
    FACT_KIND,
    compile_cycle_ruleset,
    compile_ruleset,
    context_key,
    level_key,
    score_key,
)
from diagnose.engine._limits import SESSION_FACTS, dumps, engine_error, fnv1a_32
from diagnose.errors import EngineError, EngineUnavailableError
from diagnose.knowledge._tree import iter_atoms
from diagnose.knowledge.conditions import Facts

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import ModuleType

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge.conditions import Rule

__all__ = [
    "CAP",
    "CATCH_ALL",
    "FACT_KIND",
    "RuleEngine",
    "compile_cycle_ruleset",
    "compile_ruleset",
    "context_key",
    "decode",
    "encode",
    "fact_fields",
    "level_key",
    "score_key",
    "view",
]

#: The fact field that tells a fact's position in its session. It is durable's own message id
#: field: durable keeps one message per 32-bit hash of its id in a session and answers
#: ERR_EVENT_OBSERVED (code 2) to a second one. Without an id, durable makes one from a 64-bit
#: hash of the fact's content, so two different facts could clash (it stopped a batch of a
#: repeated caseload after 957 chunks); the ids "0" to "16383" have distinct hashes (see
#: `diagnose.engine._limits.SESSION_FACTS`).
POSITION = "id"
_ASSERTED = 0


# --- the facts durable-rules sees ---------------------------------------------------------------
# A fact is one flat JSON object: `l__<factor>` (level), `s__<factor>` (score), `c__<field>`
# (context, or a cycle fact), absent when unknown; `kind`, `sid` and the position `id` are added
# when it is asserted. This module alone knows it; the rest of the library passes `Facts`.


_KEYS = {"level": level_key, "score": score_key, "context": context_key}


#: The same for a ruleset compiled `scored`: a level condition reads the factor's score.
_SCORED_KEYS = {**_KEYS, "level": score_key}


def fact_fields(rules: Sequence[Rule], *, scored: bool = False) -> frozenset[str]:
    """The fact fields some rule reads; the fact the engine sees carries only these.

    With `scored`, those of the ruleset `compile_ruleset(kb, scored=True)` reads: no levels.
    """
    keys = _SCORED_KEYS if scored else _KEYS
    fields: set[str] = set()
    for rule in rules:
        for atom in iter_atoms(rule.when):
            kind, name = atom.reads
            fields.add(keys[kind](name))
    return frozenset(fields)


def encode(facts: Facts, fields: frozenset[str] | None = None) -> dict[str, object]:
    """The fact durable-rules sees, keeping only `fields` when given (a small fact is a fast one).

    Examples:
        >>> encode(Facts(levels={"health": "low"}, scores={"health": 1.5}, context={"kids": True}))
        {'l__health': 'low', 's__health': 1.5, 'c__kids': True}
    """
    fact: dict[str, object] = {}
    for factor, level in facts.levels.items():
        fact[f"l__{factor}"] = level
    for factor, score in facts.scores.items():
        fact[f"s__{factor}"] = score
    for name, value in facts.context.items():
        fact[f"c__{name}"] = value
    if fields is not None:
        return {k: v for k, v in fact.items() if k in fields}
    return fact


def decode(fact: Mapping[str, object]) -> Facts:
    """The `Facts` of a fact as durable-rules sees it (the batch path builds those directly).

    Examples:
        >>> decode({"l__health": "low", "s__health": 1.5, "c__kids": True}).levels
        {'health': 'low'}
    """
    parts: dict[str, dict[str, Any]] = {"l": {}, "s": {}, "c": {}}
    for key, value in fact.items():
        prefix, _, name = key.partition("__")
        if name and prefix in parts:
            parts[prefix][name] = value
    return Facts(parts["l"], parts["s"], parts["c"])


_V = TypeVar("_V")


class _Fields(Mapping[str, _V]):
    """The fields of a fact under one prefix, by their names: a view, nothing copied."""

    __slots__ = ("_fact", "_prefix")

    def __init__(self, fact: Mapping[str, object], prefix: str) -> None:
        self._fact, self._prefix = fact, prefix

    def __getitem__(self, name: str) -> _V:
        return cast("_V", self._fact[self._prefix + name])

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._prefix + name in self._fact

    def get(self, name: str, default: Any = None) -> Any:  # noqa: ANN401 - Mapping.get's own signature
        return self._fact.get(self._prefix + name, default)

    def __iter__(self) -> Iterator[str]:
        size = len(self._prefix)
        return (key[size:] for key in self._fact if key.startswith(self._prefix) and len(key) > size)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def view(fact: Mapping[str, object], levels: Mapping[str, str] | None = None) -> Facts:
    """`decode(fact)` without copying: `Facts` whose mappings read the fact itself.

    For a look at a few fields of a fact (which rules are undecided), where copying every field
    out would cost more than the look. The fact must not change while the view is in use. A
    fact for a `scored` engine has no levels: give them as `levels`.

    Examples:
        >>> facts = view({"l__health": "low", "s__health": 1.5, "c__kids": True})
        >>> facts.levels.get("health"), "kids" in facts.context, dict(facts.scores)
        ('low', True, {'health': 1.5})
        >>> view({"s__health": 1.5}, levels={"health": "low"}).levels["health"]
        'low'
    """
    if levels is None:
        levels = _Fields(fact, "l__")
    scores: _Fields[float] = _Fields(fact, "s__")
    context: _Fields[object] = _Fields(fact, "c__")
    return Facts(levels, scores, context)


def _core() -> ModuleType:
    try:
        import durable_rules_engine  # noqa: PLC0415 - imported on first use, never at package import
    except ImportError as exc:
        raise EngineUnavailableError(str(exc)) from exc
    core: ModuleType = durable_rules_engine
    return core


_ruleset_numbers = itertools.count(1)


def _delete_rulesets(core: ModuleType, handles: dict[int, str | None]) -> None:
    """Free the rulesets of an engine that is gone, each after its reused session (drained, empty)."""
    for handle, sid in handles.items():
        if sid is not None:
            core.delete_state(handle, sid)
        core.delete_ruleset(handle)
    handles.clear()


class RuleEngine:
    """A knowledge base's rules, compiled into a durable-rules ruleset of its own.

    A chunk of facts (`fired_many`) is asserted in a fresh session, every action drained, and the
    session deleted. One fact (`fired`) goes into the ruleset's reused session and is retracted
    once its actions are drained (`_single`). Either way the engine holds no fact between calls.
    """

    def __init__(self, kb: KnowledgeBase, *, cycle: bool = False, scored: bool = False) -> None:
        """Compile and register the ruleset (raises EngineUnavailableError without durable).

        With `cycle`, the knowledge base's cycle rules instead of its recommendation rules. With
        `scored`, the recommendation rules for facts that hold the score of every factor whose
        level they hold (`compile_ruleset(kb, scored=True)`): only the scorer's facts.
        """
        self._core = _core()
        self.definition = compile_cycle_ruleset(kb) if cycle else compile_ruleset(kb, scored=scored)
        #: The fact fields the rules read (`encode` keeps only these).
        self.fields = fact_fields(kb.rules, scored=scored)
        self.name = f"diagnose_{next(_ruleset_numbers)}_{kb.content_hash[7:19]}"
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._live = 0
        self._text = dumps(self.definition)
        #: Rulesets left behind after a failed or interrupted evaluation: never freed, since
        #: freeing a session that was not drained, or not fully asserted, aborts the process.
        self.abandoned = 0
        self._handle: int | None = None
        #: The rulesets this engine may free when it is garbage (the current one), each with the
        #: id of its reused session (see `_single`), once there is one.
        self._owned: dict[int, str | None] = {}
        if self.definition:
            self._handle = self._create(self.name)
        weakref.finalize(self, _delete_rulesets, self._core, self._owned).atexit = False

    def _create(self, name: str) -> int:
        try:
            handle: int = self._core.create_ruleset(name, self._text)
        except self._core.error as exc:
            raise engine_error(str(exc), "building the ruleset") from None
        self._owned[handle] = None
        return handle

    def _abandon(self) -> None:
        """Leave the current ruleset (and its broken session) alone; go on with a fresh one."""
        if self._handle is not None:
            self._owned.pop(self._handle, None)
        self.abandoned += 1
        self._handle = None
        self._handle = self._create(f"{self.name}_{self.abandoned}")

    @property
    def live_sessions(self) -> int:
        """Evaluations under way (each in a session of its own, or in the reused one); 0 between calls."""
        return self._live

    def fired(self, facts: Facts) -> tuple[str, ...]:
        """The ids of the recommendation rules that fire on `facts`, sorted, each once."""
        return self.fired_encoded([encode(facts, self.fields)])[0]

    def fired_many(self, facts: Sequence[Facts]) -> list[tuple[str, ...]]:
        """Like `fired` for each of `facts`, in one session: the batch path (see the module's notes)."""
        fields = self.fields
        return self.fired_encoded([encode(f, fields) for f in facts])

    def fired_cycle(self, values: Mapping[Any, bool | str], scope: str) -> tuple[str, ...]:
        """The cycle rules of `scope` (`goal`, `trajectory`) that fire on these cycle facts."""
        return self.fired_encoded([{context_key(name): v for name, v in values.items()}], scope)[0]

    def fired_encoded(
        self, facts: Sequence[Mapping[str, object]], kind: str = FACT_KIND
    ) -> list[tuple[str, ...]]:
        """Like `fired_many`, for facts already as durable-rules sees them (`encode`)."""
        if not self.definition or not facts:
            return [() for _ in facts]
        if len(facts) == 1:
            return [self._single(facts[0], kind)]
        out: list[tuple[str, ...]] = []
        for start in range(0, len(facts), SESSION_FACTS):
            out += self._session(facts[start : start + SESSION_FACTS], kind)
        return out

    def _single(self, fact: Mapping[str, object], kind: str) -> tuple[str, ...]:
        """One fact in the ruleset's reused session: assert, drain, retract, drain.

        Retracting the fact (events.c, `handleDeleteMessage`) deletes what it left in the network
        and frees its message (state.c, `deleteMessage`), so the session is as it was before: a
        third as costly as creating and deleting a session per fact (bench/run.py), and its
        memory stays flat (tests/test_engine.py). A failure or interruption in between leaves
        the session, fact and all, to an abandoned ruleset, as `_session` does.
        """
        with self._lock:
            if self._handle is None:  # a fresh ruleset could not be built after a failure
                self._handle = self._create(f"{self.name}_{self.abandoned}")
            handle = self._handle
            sid = self._owned.get(handle) or self._next_sid()
            text = dumps(fact, plain=True)  # the fact's fields, then what every asserted fact carries:
            payload = f'{text[:-1]}{"," if fact else ""}"kind":"{kind}","sid":"{sid}","{POSITION}":0}}'
            finished = False
            self._live += 1
            try:
                try:
                    code, state = self._core.assert_fact(handle, payload)
                    if code != _ASSERTED:
                        raise engine_error(code, f"{kind} facts")
                    messages = self._messages(state)
                    code, state = self._core.retract_fact(handle, payload)
                    if code != _ASSERTED:
                        raise engine_error(code, f"retracting {kind} facts")
                    self._messages(state)  # nothing waits after a retraction; drained all the same
                    self._owned[handle] = sid  # the session exists: freed with its ruleset
                except self._core.error as exc:
                    raise engine_error(str(exc), f"{kind} facts") from None
                finished = True
            finally:
                self._live -= 1
                if not finished:
                    self._abandon()
        names = {self._rule_of(message) for message in messages}
        return tuple(sorted(name for name in names if not name.startswith(CATCH_ALL)))

    def _session(self, facts: Sequence[Mapping[str, object]], kind: str) -> list[tuple[str, ...]]:
        """One session: assert, drain, delete; any failure leaves the session to an abandoned ruleset."""
        with self._lock:
            if self._handle is None:  # a fresh ruleset could not be built after a failure
                self._handle = self._create(f"{self.name}_{self.abandoned}")
            sid = self._next_sid()
            facts_sent = [{**fact, "kind": kind, "sid": sid, POSITION: n} for n, fact in enumerate(facts)]
            payload = dumps(facts_sent, plain=True)  # facts hold levels, scores and checked context
            fired: list[set[str]] = [set() for _ in facts]
            finished = False
            self._live += 1
            try:
                try:
                    code, state = self._core.assert_facts(self._handle, payload)
                    if code != _ASSERTED:
                        raise engine_error(code, f"{kind} facts")
                    messages = self._messages(state)
                except self._core.error as exc:
                    raise engine_error(str(exc), f"{kind} facts") from None
                finished = True
            finally:
                self._live -= 1
                if finished:
                    self._core.delete_state(self._handle, sid)
                else:
                    self._abandon()
            for message in messages:
                name = self._rule_of(message)
                if not name.startswith(CATCH_ALL):
                    for position in _positions(message):
                        fired[int(position)].add(name)
        return [tuple(sorted(names)) for names in fired]

    def _next_sid(self) -> str:
        """A fresh session id whose state message (id `sid-<sid>`) cannot clash with a fact's id."""
        while True:
            sid = str(next(self._sessions))
            if fnv1a_32(f"sid-{sid}") not in _position_hashes():
                return sid

    def _messages(self, state: int) -> list[str]:
        """Run every pending action of a session; return each action's message (JSON text)."""
        out: list[str] = []
        result = self._core.start_action_for_state(self._handle, state)
        while result:
            out.append(result[1] if isinstance(result, tuple) else result)
            result = self._core.complete_and_start_action(self._handle, state)
        return out

    def _rule_of(self, message: str) -> str:
        """The rule an action message is for: `{"<rule id>":[{"m":{...}}, ...]}`, one rule each.

        The id and the positions are read as text, instead of parsing whole messages (every frame
        repeats its fact): that made the batch's rule step about three times faster (bench/run.py).
        """
        end = message.find('":[', 2)
        name = message[2:end]
        if not message.startswith('{"') or name not in self.definition:
            raise EngineError(f"unexpected action message from durable-rules: {message[:80]!r}")
        return name


#: Every frame repeats its fact as we wrote it (compact JSON), so its position appears once as
#: `"id":<digits>`; a text value cannot hold that unescaped, and no other field has this name.
_positions = re.compile(rf'"{POSITION}":(\d+)').findall


@functools.cache
def _position_hashes() -> frozenset[int]:
    """The 32-bit hashes durable gives the position ids "0" to "16383" (computed once)."""
    return frozenset(fnv1a_32(str(n)) for n in range(SESSION_FACTS))
