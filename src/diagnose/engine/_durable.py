"""The only module that touches durable-rules.

The recommendation rules of a knowledge base are compiled into one durable-rules ruleset (a JSON
definition), and each intake is asserted as one small fact in a session of its own. We drive
durable's C core (`durable_rules_engine`) directly rather than through `durable.engine.Host`:
it gives the same fired rules about three times faster, starts no timer threads, and needs no
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
  its position (`n__`), and each rule fires once for all the facts it matched: 12 µs per intake
  against 32 µs with one session per fact (bench/run.py measures both; a test checks that they
  fire the same rules). Read in durable's C source (state.c, `serializeResult`): an action
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
import json
import math
import re
import threading
import weakref
from typing import TYPE_CHECKING, Any

from diagnose._base import LEVELS
from diagnose.engine._limits import SESSION_FACTS, engine_error, fnv1a_32
from diagnose.errors import EngineError, EngineUnavailableError
from diagnose.knowledge.conditions import (
    OPPOSITE_BOUND,
    ContextCondition,
    LevelCondition,
    ScoreCondition,
    context_key,
    fold,
    level_key,
    score_key,
)
from diagnose.knowledge.cycle_rules import CYCLE_FACTS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from types import ModuleType

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import ContextField
    from diagnose.knowledge.conditions import Condition
    from diagnose.knowledge.cycle_rules import CycleCondition, CycleFact

__all__ = ["CATCH_ALL", "FACT_KIND", "RuleEngine", "compile_ruleset"]

#: Every fact we assert has `kind: intake`; each rule matches on it first.
FACT_KIND = "intake"
#: Frames one action may carry (durable's `cap`); a larger batch just takes more actions.
CAP = 4096
#: The fact field that tells a fact's position in its session. It is durable's own message id
#: field: durable keeps one message per 32-bit hash of its id in a session and answers
#: ERR_EVENT_OBSERVED (code 2) to a second one. Without an id, durable makes one from a 64-bit
#: hash of the fact's content, so two different facts could clash (it stopped a batch of a
#: repeated caseload after 957 chunks); the ids "0" to "16383" have distinct hashes (see
#: `diagnose.engine._limits.SESSION_FACTS`).
POSITION = "id"
#: A rule that matches every fact, so that no fact goes unhandled. durable-rules leaves the
#: session state of an unhandled fact partly uninitialised, and `delete_state` then frees an
#: invalid pointer (`free(): invalid pointer`, found with valgrind: deleteStateNode); whether it
#: crashes depends on what the heap held before. Its id cannot clash: knowledge-base ids start
#: with a letter.
CATCH_ALL = "_handled"
CATCH_ALL_PRIORITY = 1_000
_ASSERTED = 0

# A constant in a compiled expression: True (always holds) or False (never holds).
Expr = dict[str, Any] | bool


def _core() -> ModuleType:
    try:
        import durable_rules_engine  # noqa: PLC0415 - imported on first use, never at package import
    except ImportError as exc:
        raise EngineUnavailableError(str(exc)) from exc
    core: ModuleType = durable_rules_engine
    return core


def _and(parts: Sequence[Expr]) -> Expr:
    kept = [p for p in parts if p is not True]
    if any(p is False for p in kept):
        return False
    if not kept:
        return True
    return kept[0] if len(kept) == 1 else {"$and": kept}


def _or(parts: Sequence[Expr]) -> Expr:
    kept = [p for p in parts if p is not False]
    if any(p is True for p in kept):
        return True
    if not kept:
        return False
    return kept[0] if len(kept) == 1 else {"$or": kept}


def _number_text(value: float) -> str:
    """A finite float as JSON that durable-rules reads back exactly (see `dumps`)."""
    text = repr(value)
    mantissa, exp, power = text.partition("e")
    if exp and "." not in mantissa:
        return f"{mantissa}.0e{power}"
    return text


def _json_value(value: object) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EngineError(f"durable-rules cannot be given a number that is not finite: {value!r}")
        return _number_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return _number_text(float(value))
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_json_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json_value(v) for v in value) + "]"
    return json.dumps(value)


def dumps(value: object) -> str:
    """Compact JSON that durable-rules parses as meant.

    durable's number parser (json.c, `getNumber`) reads an exponent only after a fraction: it
    takes `1e-05` (Python's `repr(0.00001)`) as `1` followed by junk, which crashed the process in
    `assert_facts` and made rule bounds fail on first use (error 204). Such floats are written as
    `1.0e-05`, which it reads exactly (glibc `atof`); non-finite numbers raise `EngineError`. A
    whole number beyond 64 bits is written as a float. Python writes every exponent with a sign,
    so text without `e-` or `e+` needs no care: that check is all the common case pays.

    Examples:
        >>> dumps({"a": 0.00001, "b": 1e16, "c": [2.5, True, "x1e5"]})
        '{"a":1.0e-05,"b":1.0e+16,"c":[2.5,true,"x1e5"]}'
    """
    try:
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return _json_value(value)  # raises EngineError naming the number
    return _json_value(value) if "e-" in text or "e+" in text else text


def _bound(op: str, field: str, value: float) -> Expr:
    return {f"${op}": {field: value}}


def _bounds(field: str, bounds: Mapping[str, float], *, holds: bool) -> Expr:
    if holds:
        return _and([_bound(op, field, v) for op, v in bounds.items()])
    return _or([_bound(OPPOSITE_BOUND[op], field, v) for op, v in bounds.items()])


def _values_expr(field: str, values: Sequence[object]) -> Expr:
    return _or([{field: v} for v in values])


#: A condition compiled both ways: (definitely true, definitely false).
Rail = tuple[Expr, Expr]


def _all_rail(parts: list[Rail]) -> Rail:
    return _and([t for t, _ in parts]), _or([f for _, f in parts])


def _any_rail(parts: list[Rail]) -> Rail:
    return _or([t for t, _ in parts]), _and([f for _, f in parts])


def _not_rail(part: Rail) -> Rail:
    return part[1], part[0]


def _level_rail(atom: LevelCondition, _context: Mapping[str, ContextField]) -> Rail:
    key, wanted = level_key(atom.factor), atom.levels()
    return _values_expr(key, wanted), _values_expr(key, [lv for lv in LEVELS if lv not in wanted])


def _score_rail(atom: ScoreCondition, _context: Mapping[str, ContextField]) -> Rail:
    key, bounds = score_key(atom.factor), atom.score.bounds()
    return _bounds(key, bounds, holds=True), _bounds(key, bounds, holds=False)


def _context_rail(atom: ContextCondition, context: Mapping[str, ContextField]) -> Rail:
    key, spec = context_key(atom.context), context[atom.context]
    accepted = atom.accepted()
    if accepted is None:
        return _bounds(key, atom.bounds(), holds=True), _bounds(key, atom.bounds(), holds=False)
    if spec.type == "enum":
        others: Expr = _values_expr(key, [v for v in spec.values if v not in accepted])
    elif spec.type == "boolean":
        others = _values_expr(key, [v for v in (True, False) if v not in accepted])
    else:  # a number is definitely not in the set when it differs from each value
        others = _and([_or([_bound("lt", key, float(v)), _bound("gt", key, float(v))]) for v in accepted])
    return _values_expr(key, accepted), others


#: How each kind of atom is compiled (a new kind of atom adds its compiler here).
_ATOM_RAILS: dict[type, Callable[[Any, Mapping[str, ContextField]], Rail]] = {
    LevelCondition: _level_rail,
    ScoreCondition: _score_rail,
    ContextCondition: _context_rail,
}


def _expr(condition: Condition, context: Mapping[str, ContextField]) -> Expr:
    """The durable condition under which `condition` is definitely true.

    Negation is pushed down to the atoms: each part is compiled both ways (definitely true,
    definitely false), and `not` swaps the two.
    """
    rail = fold(
        condition,
        atom=lambda atom: _ATOM_RAILS[type(atom)](atom, context),
        all_=_all_rail,
        any_=_any_rail,
        not_=_not_rail,
    )
    return rail[0]


def _fact_rail(atom: CycleFact) -> Rail:
    accepted, domain = atom.accepted(), CYCLE_FACTS[atom.fact][1]
    key = context_key(atom.fact)
    return _values_expr(key, accepted), _values_expr(key, [v for v in domain if v not in accepted])


def _cycle_expr(condition: CycleCondition) -> Expr:
    """Like `_expr`, for cycle rules: facts are always present, so only negation needs care."""
    return fold(condition, atom=_fact_rail, all_=_all_rail, any_=_any_rail, not_=_not_rail)[0]


def compile_cycle_ruleset(kb: KnowledgeBase) -> dict[str, Any]:
    """The durable-rules definition of a knowledge base's cycle rules (facts of kind goal/trajectory)."""
    definition: dict[str, Any] = {}
    for rule in kb.cycle_rules:
        expr = _cycle_expr(rule.when)
        if expr is False:
            continue
        match = {"kind": rule.scope} if expr is True else {"$and": [{"kind": rule.scope}, expr]}
        definition[rule.id] = {"all": [{"m": match}], "pri": rule.priority, "cap": CAP}
    if definition:
        for scope in ("goal", "trajectory"):
            catch_all = {"all": [{"m": {"kind": scope}}], "pri": CATCH_ALL_PRIORITY, "cap": CAP}
            definition[f"{CATCH_ALL}_{scope}"] = catch_all
    return definition


def compile_ruleset(kb: KnowledgeBase) -> dict[str, Any]:
    """The durable-rules definition of a knowledge base's recommendation rules.

    A rule whose condition can never be true is left out (the checker reports such rules).
    """
    definition: dict[str, Any] = {}
    for rule in kb.rules:
        expr = _expr(rule.when, kb.context_fields)
        if expr is False:
            continue
        match = {"kind": FACT_KIND} if expr is True else {"$and": [{"kind": FACT_KIND}, expr]}
        definition[rule.id] = {"all": [{"m": match}], "pri": rule.priority, "cap": CAP}
    if definition:
        definition[CATCH_ALL] = {"all": [{"m": {"kind": FACT_KIND}}], "pri": CATCH_ALL_PRIORITY, "cap": CAP}
    return definition


_ruleset_numbers = itertools.count(1)


def _delete_rulesets(core: ModuleType, handles: list[int]) -> None:
    """Free the rulesets of an engine that is gone (holding no session: every one was deleted)."""
    for handle in handles:
        core.delete_ruleset(handle)
    handles.clear()


class RuleEngine:
    """A knowledge base's rules, compiled into a durable-rules ruleset of its own.

    Each call (`fired` for one fact, `fired_many` for a chunk, both the same path) asserts its
    facts in a fresh session, drains every action, and deletes the session, so the engine holds
    no state between calls.
    """

    def __init__(self, kb: KnowledgeBase, *, cycle: bool = False) -> None:
        """Compile and register the ruleset (raises EngineUnavailableError without durable).

        With `cycle`, the knowledge base's cycle rules instead of its recommendation rules.
        """
        self._core = _core()
        self.definition = compile_cycle_ruleset(kb) if cycle else compile_ruleset(kb)
        self.name = f"diagnose_{next(_ruleset_numbers)}_{kb.content_hash[7:19]}"
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._live = 0
        self._text = dumps(self.definition)
        #: Rulesets left behind after a failed or interrupted evaluation: never freed, since
        #: freeing a session that was not drained, or not fully asserted, aborts the process.
        self.abandoned = 0
        self._handle: int | None = None
        #: The rulesets this engine may free when it is garbage (the current one).
        self._owned: list[int] = []
        if self.definition:
            self._handle = self._create(self.name)
        weakref.finalize(self, _delete_rulesets, self._core, self._owned).atexit = False

    def _create(self, name: str) -> int:
        try:
            handle: int = self._core.create_ruleset(name, self._text)
        except self._core.error as exc:
            raise engine_error(str(exc), "building the ruleset") from None
        self._owned.append(handle)
        return handle

    def _abandon(self) -> None:
        """Leave the current ruleset (and its broken session) alone; go on with a fresh one."""
        if self._handle in self._owned:
            self._owned.remove(self._handle)
        self.abandoned += 1
        self._handle = None
        self._handle = self._create(f"{self.name}_{self.abandoned}")

    @property
    def live_sessions(self) -> int:
        """Sessions created and not yet deleted; 0 between calls."""
        return self._live

    def has_session(self, sid: str) -> bool:
        """Whether durable-rules still holds state for a session (asks the engine itself)."""
        if self._handle is None:
            return False
        with self._lock:
            try:
                self._core.get_state(self._handle, sid)
            except self._core.error:
                return False
            return True

    def fired(self, fact: Mapping[str, object], kind: str = FACT_KIND) -> tuple[str, ...]:
        """Assert `fact` (of `kind`) and return the ids of the rules that fired, sorted, each once."""
        return self.fired_many([fact], kind)[0]

    def fired_many(
        self, facts: Sequence[Mapping[str, object]], kind: str = FACT_KIND
    ) -> list[tuple[str, ...]]:
        """Like `fired` for each fact, in one session: the batch path (see the module's notes)."""
        if not self.definition or not facts:
            return [() for _ in facts]
        out: list[tuple[str, ...]] = []
        for start in range(0, len(facts), SESSION_FACTS):
            out += self._session(facts[start : start + SESSION_FACTS], kind)
        return out

    def _session(self, facts: Sequence[Mapping[str, object]], kind: str) -> list[tuple[str, ...]]:
        """One session: assert, drain, delete; any failure leaves the session to an abandoned ruleset."""
        with self._lock:
            if self._handle is None:  # a fresh ruleset could not be built after a failure
                self._handle = self._create(f"{self.name}_{self.abandoned}")
            sid = self._next_sid()
            payload = dumps([{**fact, "kind": kind, "sid": sid, POSITION: n} for n, fact in enumerate(facts)])
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

    def last_session_id(self) -> str:
        """The id of the most recent session (for tests that ask the engine about it)."""
        with self._lock:
            current = next(self._sessions)
            self._sessions = itertools.count(current)
            return str(current - 1)

    def _drain(self, state: int) -> set[str]:
        return {name for message in self._messages(state) for name in json.loads(message)}

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

        Reading the id and the positions as text, instead of parsing whole messages (every frame
        repeats its fact), took the batch's rule step from about 28 to 10 microseconds per intake.
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
