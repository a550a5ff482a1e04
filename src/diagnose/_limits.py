"""What durable-rules can take: its result codes, and the limits a knowledge base must stay within.

durable-rules 2.0.28 has fixed-size tables in its C core and answers beyond them with a result
code, a crash or an endless loop. This module names every code (from durable's `rules.h`) and
holds the limits we measured (bench/engine_limits.py), so that the loader can refuse a knowledge
base beyond them before durable sees it, and the engine can say what a code means.
"""

from __future__ import annotations

import re

from diagnose.errors import EngineError

__all__ = ["DURABLE_CODES", "SESSION_FACTS", "engine_error", "fnv1a_32"]

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
