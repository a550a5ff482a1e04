"""The rule engine behind the advice: the `Engine` protocol and one engine per knowledge base.

durable-rules is reached only through `diagnose.engine._durable`, which also owns the wire format
of the facts it sees. The engines of a knowledge base are built on first use and kept with it
(`diagnose.engine._cache`), so loading a knowledge base starts no engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from diagnose.knowledge.conditions import Facts

__all__ = ["Engine"]


class Engine(Protocol):
    """What the pipeline needs of a rule engine: the rules that fire on each fact."""

    def fired(self, facts: Facts) -> tuple[str, ...]:
        """The ids of the rules that fire on `facts`, sorted, each once."""
        ...  # pragma: no cover - a protocol

    def fired_many(self, facts: Sequence[Facts]) -> list[tuple[str, ...]]:
        """`fired` for each fact, in order."""
        ...  # pragma: no cover - a protocol


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
