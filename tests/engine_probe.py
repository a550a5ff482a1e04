"""What the engine tests ask durable-rules' C core directly, so that the library carries no test hooks.

These read `RuleEngine`'s private state (its core, ruleset handle and session counter) on purpose:
they check what durable itself holds, not what the engine says it holds.
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diagnose.engine._durable import RuleEngine

__all__ = ["drain", "has_session", "last_session_id", "reused_session", "session_facts"]


def has_session(engine: RuleEngine, sid: str) -> bool:
    """Whether durable-rules still holds state for a session of this engine (asks the C core)."""
    if engine._handle is None:
        return False
    with engine._lock:
        try:
            engine._core.get_state(engine._handle, sid)
        except engine._core.error:
            return False
        return True


def last_session_id(engine: RuleEngine) -> str:
    """The id of the engine's most recent session (the counter is read, then put back)."""
    with engine._lock:
        current = next(engine._sessions)
        engine._sessions = itertools.count(current)
        return str(current - 1)


def drain(engine: RuleEngine, state: int) -> set[str]:
    """Run every pending action of a session asserted by hand; the names of the rules they are for."""
    return {name for message in engine._messages(state) for name in json.loads(message)}


def reused_session(engine: RuleEngine) -> str | None:
    """The id of the session the engine's current ruleset reuses for single facts, if it has one yet."""
    return None if engine._handle is None else engine._owned.get(engine._handle)


def session_facts(engine: RuleEngine, sid: str) -> list[dict[str, object]]:
    """The facts durable-rules holds in a session of this engine (asks the C core)."""
    assert engine._handle is not None
    with engine._lock:
        facts: list[dict[str, object]] = json.loads(engine._core.get_facts(engine._handle, sid))
    return facts
