"""What durable-rules can take: its result codes, and the limits a knowledge base must stay within.

durable-rules 2.0.28 has fixed-size tables in its C core and answers beyond them with a result
code, a crash or an endless loop. This module names every code (from durable's `rules.h`) and
holds the limits we measured (bench/engine_limits.py), so that the loader can refuse a knowledge
base beyond them before durable sees it, and the engine can say what a code means.
"""

from __future__ import annotations

import json
import math
import re

from pydantic_core import PydanticSerializationError, to_json

from diagnose.errors import EngineError

__all__ = ["DURABLE_CODES", "SESSION_FACTS", "dumps", "engine_error", "fnv1a_32"]

#: Facts asserted in one durable session at most. durable keeps a session's messages in a table
#: keyed by the 32-bit FNV-1a hash of each message's id, compares only that hash, and answers
#: ERR_EVENT_OBSERVED to a second message with the same hash. Our facts' ids are their positions
#: "0", "1", ...: their hashes are all distinct up to "797185" (computed: "40189" and "797186"
#: are the first pair that clash; asserted together, durable answers code 2).
SESSION_FACTS = 16_384

#: durable-rules' result codes (src/rules/rules.h) and what each means.
DURABLE_CODES: dict[int, str] = {
    0: "ok",
    1: "event not handled",
    2: "event observed (a fact with the same id hash is already in the session)",
    3: "event deferred",
    101: "out of memory",
    102: "unexpected type",
    103: "identifier too long",
    104: "unexpected value",
    105: "unexpected name",
    106: "rule limit exceeded",
    107: "rule 'exists' limit exceeded",
    108: "rule beta limit exceeded",
    109: "rule without qualifier",
    110: "setting not found",
    111: "invalid handle",
    112: "handle limit exceeded",
    113: "expression limit exceeded",
    201: "cannot parse a value",
    202: "cannot parse a string",
    203: "cannot parse a number",
    204: "cannot parse an object",
    205: "cannot parse an array",
    302: "too many properties in one fact",
    303: "stack limit reached (too many rule tests match one fact)",
    304: "too many messages in one frame",
    305: "message not found",
    306: "location not found",
    307: "node deleted",
    308: "node dispatching",
    309: "session not found",
    310: "no action available",
    311: "property not found",
    312: "operation not supported",
    313: "fact too large",
    314: "fact property too large",
    501: "cannot parse a regex",
    502: "regex: too many transitions",
    503: "regex: too many states",
    504: "regex: queue full",
    505: "regex: list full",
    506: "regex: set full",
    507: "regex: conflict",
    508: "regex: invalid",
}

_CODE = re.compile(r"error code: (\d+)")


def engine_error(answer: int | str, what: str) -> EngineError:
    """The `EngineError` for durable's answer (a result code, or an exception's message) to `what`.

    Examples:
        >>> str(engine_error(201, "the rules"))
        'durable-rules answered code 201 (cannot parse a value) to the rules'
        >>> engine_error("Could not assert facts, error code: 303", "intake facts").code
        303
    """
    if isinstance(answer, int):
        code: int | None = answer
    else:
        found = _CODE.search(answer)
        code = int(found.group(1)) if found else None
    meaning = DURABLE_CODES.get(code, "unknown code") if code is not None else answer
    said = f"code {code} ({meaning})" if code is not None else repr(meaning)
    return EngineError(f"durable-rules answered {said} to {what}", code=code)


def fnv1a_32(text: str) -> int:
    """Durable's `fnv1Hash32` (32-bit FNV-1a over the bytes) of an ASCII text.

    Examples:
        >>> fnv1a_32("40189") == fnv1a_32("797186")
        True
    """
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 16_777_619) & 0xFFFFFFFF
    return value


# The limits (measured with bench/engine_limits.py on durable-rules 2.0.28; see docs/errors.md).
#: Rules in one ruleset: durable built and ran 2,000 one-test rules, and refused 2,450 (107).
MAX_RULES = 1_000
#: Fields in one fact besides `kind`, `sid` and `id`: 251 worked, 252 crashed the process.
MAX_FACT_FIELDS = 200
#: durable's alpha stack (events.c MAX_STACK_SIZE 64): 64 tests true at once for one fact
#: worked, 65 answered code 303. We bound the stack statically (`stack_bound`).
MAX_STACK = 48
#: Rules ending at one test: 256 worked, 257 failed to build (code 108, BETA_LIST_LENGTH 256).
MAX_RULES_PER_TEST = 200
#: Tests directly under one test of the network (`network`): durable never finished building
#: 320 rules each testing a field of its own (319 took 2 s), nor 1,000 bounds on one field (400
#: did).
MAX_TESTS_UNDER_ONE = 250
#: Alternatives of one rule after compilation (negation pushed down, `any` expanded): 8,192
#: built, 16,384 answered code 113 (rete.c: a rule's expression sequence is bounded).
MAX_BRANCHES = 4_096
#: Numbers in rules must be exact as doubles (durable compares doubles; ints are read with atoll).
MAX_EXACT_INT = 2**53

Expr = dict[str, object]


def branch_count(expr: object) -> int:
    """How many alternatives (`$or` expanded over `$and`) a compiled condition has."""
    if isinstance(expr, dict) and len(expr) == 1:
        ((key, value),) = expr.items()
        if key == "$and" and isinstance(value, list):
            product = 1
            for part in value:
                product *= branch_count(part)
            return product
        if key == "$or" and isinstance(value, list):
            return sum(branch_count(part) for part in value)
    return 1


def _atom(key: str, value: object) -> tuple[object, ...]:
    if key.startswith("$") and isinstance(value, dict):
        ((field, bound),) = value.items()
        return (key, field, bound)
    return ("=", key, type(value).__name__, value)


def _grow(expr: object, nodes: list[_Node]) -> list[_Node]:
    """Add a compiled condition below each of `nodes`; return where its alternatives end."""
    if isinstance(expr, dict) and len(expr) == 1:
        ((key, value),) = expr.items()
        if key == "$and" and isinstance(value, list):
            for part in value:
                nodes = _grow(part, nodes)
            return nodes
        if key == "$or" and isinstance(value, list):
            return [end for part in value for end in _grow(part, nodes)]
        atom = _atom(key, value)
    else:
        atom = ("?", repr(expr))
    return [node.children.setdefault(atom, _Node()) for node in nodes]


class _Node:
    __slots__ = ("children", "rules")

    def __init__(self) -> None:
        self.children: dict[tuple[object, ...], _Node] = {}
        self.rules = 0


def _can_match_together(atoms: list[tuple[object, ...]]) -> int:
    """How many of these sibling tests one fact can pass at once (conservatively).

    Equality tests on one field with text values exclude each other (a field has one value);
    every other test is counted.
    """
    text_fields = {atom[1] for atom in atoms if atom[0] == "=" and atom[2] == "str"}
    others = sum(1 for atom in atoms if not (atom[0] == "=" and atom[2] == "str"))
    return len(text_fields) + others


def _walk(node: _Node) -> tuple[int, int, int]:
    """(stack bound, most rules at one test, most tests under one) for the network below `node`."""
    if not node.children:
        return 0, node.rules, 0
    deepest, rules, wide = 0, node.rules, len(node.children)
    for child in node.children.values():
        child_stack, child_rules, child_wide = _walk(child)
        deepest, rules, wide = max(deepest, child_stack), max(rules, child_rules), max(wide, child_wide)
    width = _can_match_together(list(node.children))
    return max(width, width - 1 + deepest), rules, wide


def network(definition: dict[str, object]) -> _Node:
    """The alpha network durable builds, as we model it.

    Each alternative is a chain of its tests, in order, and identical prefixes are shared (a trie);
    the model's stack bound equals durable's at each limit bench/engine_limits.py measured.
    """
    root = _Node()
    for spec in definition.values():
        match = spec["all"][0]["m"]  # type: ignore[index]  # our own compiled shape
        for end in _grow(match, [root]):
            end.rules += 1
    return root


def stack_bound(root: _Node) -> int:
    """An upper bound of durable's alpha stack for any fact.

    Popping a test pushes every child test the fact passes, so the stack holds at most (the tests
    passable together under a node - 1) summed down a path, plus the last node's.
    """
    return max(1, _walk(root)[0])


def _fields(expr: object, out: set[str]) -> None:
    if isinstance(expr, dict):
        for key, value in expr.items():
            if key in ("$and", "$or") and isinstance(value, list):
                for part in value:
                    _fields(part, out)
            elif key.startswith("$") and isinstance(value, dict):
                out.update(value)
            else:
                out.add(key)


def _inexact_numbers(expr: object) -> list[object]:
    if isinstance(expr, dict):
        return [n for value in expr.values() for n in _inexact_numbers(value)]
    if isinstance(expr, list):
        return [n for value in expr for n in _inexact_numbers(value)]
    if isinstance(expr, int) and not isinstance(expr, bool) and abs(expr) > MAX_EXACT_INT:
        return [expr]
    return []


def limit_problems(definition: dict[str, object]) -> list[tuple[str, str]]:
    """Every engine limit a compiled ruleset goes beyond, as (rule id or "", message).

    Examples:
        >>> limit_problems({"r": {"all": [{"m": {"$and": [{"kind": "intake"}, {"l__a": "low"}]}}]}})
        []
    """
    problems: list[tuple[str, str]] = []
    if len(definition) > MAX_RULES:
        problems.append(("", _said("rules", len(definition), MAX_RULES, "durable refused 2,450 (error 107)")))
    fields: set[str] = set()
    counts: list[int] = []
    for rule_id, spec in definition.items():
        match = spec["all"][0]["m"]  # type: ignore[index]  # our own compiled shape
        _fields(match, fields)
        counts.append(count := branch_count(match))
        if count > MAX_BRANCHES:
            why = "8,192 built, 16,384 failed (error 113)"
            problems.append((rule_id, _said("alternatives after compilation", count, MAX_BRANCHES, why)))
        problems += [
            (rule_id, f"the number {number} cannot be compared exactly (beyond 2**53)")
            for number in _inexact_numbers(match)
        ]
    fields.discard("kind")
    if len(fields) > MAX_FACT_FIELDS:
        why = "a fact of 252 fields crashed durable"
        problems.append(("", _said("fields read by rules", len(fields), MAX_FACT_FIELDS, why)))
    if not any(count > MAX_BRANCHES for count in counts):  # the network is small enough to walk
        problems += _network_problems(definition)
    return problems


def _network_problems(definition: dict[str, object]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    stack, most, wide = _walk(network(definition))
    if stack > MAX_STACK:
        why = "durable's stack holds 64 (error 303 beyond)"
        problems.append(("", _said("rule tests one fact can pass at once", stack, MAX_STACK, why)))
    if wide > MAX_TESTS_UNDER_ONE:
        why = "durable builds for ever beyond about 320"
        problems.append(("", _said("distinct tests side by side", wide, MAX_TESTS_UNDER_ONE, why)))
    if most > MAX_RULES_PER_TEST:
        why = "durable refused 257 (error 108)"
        problems.append(("", _said("rules with the same condition", most, MAX_RULES_PER_TEST, why)))
    return problems


def _said(what: str, value: int, limit: int, why: str) -> str:
    return f"too many {what} for the rule engine: {value:,}, at most {limit:,} ({why})"


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


#: `json.dumps` with these options builds an encoder per call; this one is made once.
_compact = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
#: What the quick encoder's text must not hold to be sent as it is: an exponent (it writes
#: `1e+16`, which durable misreads) or a number that is not finite.
_CAREFUL = (b"e+", b"e-", b"Infinity", b"NaN")


def dumps(value: object, *, plain: bool = False) -> str:
    r"""Compact JSON that durable-rules parses as meant.

    durable's number parser (json.c, `getNumber`) reads an exponent only after a fraction: it
    takes `1e-05` (Python's `repr(0.00001)`) as `1` followed by junk, which crashed the process in
    `assert_facts` and made rule bounds fail on first use (error 204). Such floats are written as
    `1.0e-05`, which it reads exactly (glibc `atof`); non-finite numbers raise `EngineError`.
    Text is escaped to ASCII, as `json.dumps` does.

    With `plain`, the caller vouches that `value` is plain JSON data (mappings with text keys,
    lists, text, numbers, booleans, None), as the engine's facts are: then pydantic_core's
    encoder (in Rust; see docs/benchmarks.md for how much faster) writes it, and its text is
    sent as it is unless it holds an exponent, a number that is not finite or a byte beyond
    ASCII, which go the careful way, through `json`, as every other value does.

    Examples:
        >>> dumps({"a": 0.00001, "b": 1e16, "c": [2.5, True, "x1e5"]})
        '{"a":1.0e-05,"b":1.0e+16,"c":[2.5,true,"x1e5"]}'
        >>> dumps({"l__health": "low", "s__health": 2.6666666666666665}, plain=True)
        '{"l__health":"low","s__health":2.6666666666666665}'
        >>> dumps({"c__city": "Zoë", "s__health": 1e-07}, plain=True)
        '{"c__city":"Zo\\u00eb","s__health":1.0e-07}'
    """
    if plain:
        try:
            quick = to_json(value, inf_nan_mode="constants")
        except (PydanticSerializationError, ValueError, TypeError):
            pass  # the careful path says what is wrong, as it always did
        else:
            if quick.isascii() and not any(mark in quick for mark in _CAREFUL):
                return quick.decode()
    try:
        text = _compact(value)
    except ValueError:
        return _json_value(value)  # raises EngineError naming the number
    return _json_value(value) if "e-" in text or "e+" in text else text
