"""The types of the cycle functions' arguments, checked before anything is read from them.

A string where a knowledge base belongs, or a number where a list of decisions belongs, is a
`CycleError` that names the argument and what it got, never an `AttributeError` from deep inside.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from diagnose._consistency import describe
from diagnose.errors import CycleError
from diagnose.knowledge._base import KnowledgeBase

__all__ = ["each", "expect", "expect_knowledge_base"]

T = TypeVar("T")


def expect(value: object, kind: type[T], argument: str) -> T:
    """`value` when it is a `kind`; otherwise a CycleError naming `argument`."""
    if not isinstance(value, kind):
        raise CycleError(f"{argument}: expected a {kind.__name__}, got {describe(value)}")
    return value


def expect_knowledge_base(value: object) -> KnowledgeBase:
    """The `knowledge_base` argument, when it is a loaded knowledge base."""
    if not isinstance(value, KnowledgeBase):
        raise CycleError(
            "knowledge_base: expected a KnowledgeBase (from diagnose.load_knowledge_base), "
            f"got {describe(value)}"
        )
    return value


def each(values: object, kind: type[T], argument: str) -> Iterator[T]:
    """The items of an iterable argument, each checked to be a `kind` (`argument[n]` names it)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise CycleError(f"{argument}: expected a list of {kind.__name__}, got {describe(values)}")
    for n, value in enumerate(values):
        yield expect(value, kind, f"{argument}[{n}]")
