"""Chunk outputs carried from the worker processes in shared memory, not through the pool's pipe.

A chunk of 256 diagnoses as JSON Lines is about 5.6 MB. Through the process pool's pipe, the
worker pickles it and writes it into the pipe, and the caller's process reads it out, copies it
into a buffer and unpickles it: three fresh copies of 5.6 MB there, most of them in pages the
system must hand out anew, before the output is written once (measured in docs/benchmarks.md).
With `Slots`, the caller's process makes one block of shared memory per chunk in flight; a
worker copies its chunk's output into the block it was given (`carry`) and sends only the
result's other fields and the size, and the caller's process writes the output from the block
(`Slots.received`). An output larger than its block, or a block that a worker cannot open, goes
through the pipe as before, so nothing depends on the blocks being there.

The blocks are reserved in full when made (`posix_fallocate`): a full `/dev/shm` (64 MB in a
container by default) is then a refusal at the start, and the batch goes through the pipe,
instead of a worker killed by SIGBUS in the middle. They are removed when the batch ends in any
way; Python's resource tracker removes them should the caller's process be killed.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Protocol, Self, TypeVar, cast

try:
    from multiprocessing import shared_memory
except ImportError:  # pragma: no cover - a Python built without _posixshmem
    shared_memory = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from multiprocessing.shared_memory import SharedMemory

__all__ = ["SLOT_SIZE", "Slots", "carry"]

#: Bytes per block: a chunk of 256 diagnoses of the packaged knowledge base is about 5.6 MB.
SLOT_SIZE = 8 << 20

R = TypeVar("R")

#: The blocks this worker process has opened, by name (in the pool's worker processes only).
_opened: dict[str, SharedMemory] = {}


class _Carrying(Protocol):
    """A result with an `output` field, as a `NamedTuple` has it (`diagnose batch`'s `Chunk`)."""

    @property
    def output(self) -> bytes | memoryview: ...

    def _replace(self, *, output: bytes | memoryview) -> Self: ...


class Slots:
    """Blocks of shared memory made by the caller's process, one per chunk in flight.

    `take` gives a free block's name to send with a chunk (None when there is none: then the
    output comes through the pipe), `received` the result with the output a worker put there,
    `give` the block back once that output is used; `close` removes them all.
    """

    def __init__(self, count: int, size: int = SLOT_SIZE) -> None:
        """Make and reserve `count` blocks of `size` bytes; OSError (none left behind) if refused."""
        self._blocks: dict[str, SharedMemory] = {}
        self._free: list[str] = []
        self._views: dict[str, memoryview] = {}
        if count and shared_memory is None:  # pragma: no cover - a Python built without _posixshmem
            raise OSError("no shared memory in this Python")
        try:
            for _ in range(count):
                block = shared_memory.SharedMemory(create=True, size=size)
                self._blocks[block.name] = block
                fd = getattr(block, "_fd", -1)  # POSIX: the block's file in /dev/shm
                if fd >= 0 and hasattr(os, "posix_fallocate"):
                    os.posix_fallocate(fd, 0, size)  # a full /dev/shm refuses now, not with SIGBUS later
                self._free.append(block.name)
        except BaseException:
            self.close()
            raise

    @classmethod
    def made(cls, count: int, size: int = SLOT_SIZE) -> Slots:
        """`count` blocks of `size` bytes, or none where the system refuses them (then: the pipe)."""
        try:
            return cls(count, size)
        except (OSError, ValueError):
            return cls(0)

    def take(self) -> str | None:
        """The name of a free block for the next chunk, or None when every block is in use."""
        return self._free.pop() if self._free else None

    def received(self, result: R, size: int, name: str | None) -> R:
        """A worker's result, with the output it left in block `name` (`size` bytes) as a view.

        The view is valid until `give(name)`; a size of -1 (or no block) means the output came
        with the result, through the pipe.
        """
        buffer = None if name is None or size < 0 else self._blocks[name].buf
        if name is None or buffer is None:  # the output came with the result (or the block is closed)
            return result
        view = buffer[:size]
        self._views[name] = view
        return cast("R", cast("_Carrying", result)._replace(output=view))

    def give(self, name: str | None) -> None:
        """Take back a block whose output has been used: its view is released (then reads raise)."""
        if name is None:
            return
        view = self._views.pop(name, None)
        if view is not None:
            view.release()
        self._free.append(name)

    def close(self) -> None:
        """Release every view and remove every block (also after a failure half-way)."""
        for view in self._views.values():
            view.release()
        self._views.clear()
        for block in self._blocks.values():
            # A slice a consumer made of a view still holds the mapping (map_chunks says not to
            # keep one): then only the name goes now, the memory with the last reference to it.
            with contextlib.suppress(BufferError):
                block.close()
            with contextlib.suppress(FileNotFoundError):
                block.unlink()
        self._blocks.clear()
        self._free.clear()


def _open(name: str) -> SharedMemory | None:
    block = _opened.get(name)
    if block is None and shared_memory is not None:
        try:
            block = shared_memory.SharedMemory(name)
        except (OSError, ValueError):
            return None
        _opened[name] = block
    return block


def carry(result: R, slot: str) -> tuple[R, int]:
    """In a worker: put `result.output` into the block `slot`; the result without it, and its size.

    The size is -1, and the result is returned as it is, when the output does not fit the block or
    the block cannot be opened: then the output goes through the pipe with the rest.
    """
    output = getattr(result, "output", None)
    if not isinstance(output, bytes):
        return result, -1
    block = _open(slot)
    buffer = block.buf if block is not None else None
    if buffer is None or len(output) > len(buffer):
        return result, -1
    size = len(output)
    buffer[:size] = output
    return cast("R", cast("_Carrying", result)._replace(output=b"")), size
