"""Chunk outputs in shared memory: the same bytes as through the pipe, and no block left behind."""

from __future__ import annotations

import errno
import functools
import os
from typing import TYPE_CHECKING

import pytest

from diagnose.batch import _shared
from diagnose.batch._files import Chunk, Row, assess_rows
from diagnose.batch._many import map_chunks
from diagnose.batch._shared import SLOT_SIZE, Slots, carry
from tests.conftest import SHM, frozen_kb
from tests.conftest import shared_memory_blocks as blocks

if TYPE_CHECKING:
    from collections.abc import Iterator
    from multiprocessing import shared_memory

pytestmark = pytest.mark.skipif(not SHM.is_dir(), reason="POSIX shared memory in /dev/shm (Linux)")


def chunk(output: bytes) -> Chunk:
    return Chunk(advised=1, rejected=0, output=output, errors="", ids=((1, "a"),))


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, shared_memory.SharedMemory]]:
    """The blocks `carry` opens in this process (as a worker would), closed after the test."""
    mine: dict[str, shared_memory.SharedMemory] = {}
    monkeypatch.setattr(_shared, "_opened", mine)
    yield mine
    for block in mine.values():
        block.close()


def test_an_output_goes_through_its_block_and_its_view_is_released_when_given_back(
    opened: dict[str, shared_memory.SharedMemory],
) -> None:
    slots = Slots(2, size=4096)
    try:
        name = slots.take()
        assert name is not None
        sent, size = carry(chunk(b"x" * 100), name)
        assert (sent, size) == (chunk(b""), 100)
        got = slots.received(sent, size, name)
        assert isinstance(got.output, memoryview)
        assert got._replace(output=bytes(got.output)) == chunk(b"x" * 100)
        slots.give(name)
        with pytest.raises(ValueError, match="released"):
            bytes(got.output)
        assert slots.take() == name  # the block is free again
        assert list(opened) == [name]
    finally:
        slots.close()
    assert name not in blocks()


@pytest.mark.parametrize(
    ("result", "why"),
    [
        (chunk(b"x" * 4097), "larger than the block"),
        (("no", "output", "field"), "no output field"),
        (Chunk(1, 0, memoryview(b"x"), "", ()), "an output that is not bytes"),
    ],
)
@pytest.mark.usefixtures("opened")
def test_what_cannot_go_through_the_block_stays_in_the_result(result: object, why: str) -> None:
    slots = Slots(1, size=4096)
    try:
        name = slots.take()
        assert name is not None
        assert carry(result, name) == (result, -1), why
        assert slots.received(result, -1, name) is result
    finally:
        slots.close()


def test_a_block_that_cannot_be_opened_leaves_the_output_in_the_result(
    opened: dict[str, shared_memory.SharedMemory],
) -> None:
    assert carry(chunk(b"abc"), "psm_diagnose_no_such_block") == (chunk(b"abc"), -1)
    assert opened == {}


def test_a_full_dev_shm_means_no_blocks_and_none_left_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """posix_fallocate refusing (a container's 64 MB /dev/shm) falls back to the pipe at once."""
    calls: list[int] = []

    def full(fd: int, offset: int, length: int) -> None:
        del fd, offset
        calls.append(length)
        if len(calls) % 2 == 0:  # the second block: the first must not be left behind either
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    before = blocks()
    monkeypatch.setattr(os, "posix_fallocate", full)
    slots = Slots.made(3, size=8192)
    assert calls == [8192, 8192]
    assert slots.take() is None
    assert blocks() == before
    with pytest.raises(OSError, match="No space left"):
        Slots(3, size=8192)
    assert blocks() == before


@pytest.mark.usefixtures("opened")
def test_close_releases_a_view_still_out_and_removes_every_block() -> None:
    slots = Slots(2, size=4096)
    name = slots.take()
    assert name is not None
    got = slots.received(*carry(chunk(b"abcdef"), name), name)
    assert isinstance(got.output, memoryview)
    assert bytes(got.output) == b"abcdef"
    slots.close()  # the consumer stopped before giving the block back
    assert not blocks() & {name, *slots._blocks}
    with pytest.raises(ValueError, match="released"):
        bytes(got.output)


def _lines(count: int) -> list[Row | tuple[int, bytes]]:
    return [(n, b'{"id": "c%d", "answers": {"se_1": %d}}' % (n, n % 5 + 1)) for n in range(1, count + 1)]


def test_with_two_workers_the_output_is_the_pipes_and_comes_in_blocks_unless_too_large() -> None:
    """A chunk over SLOT_SIZE comes through the pipe as bytes; a smaller one as a view of its block."""
    kb = frozen_kb()
    work = functools.partial(assess_rows, csv_summary=False, top=3)
    alone = assess_rows(kb, _lines(10), csv_summary=False, top=3).output
    big = 1 + SLOT_SIZE // (len(alone) // 10)  # rows whose output is over a block's size
    lines = _lines(2 * big + 10)
    expected = [
        assess_rows(kb, lines[n : n + big], csv_summary=False, top=3) for n in range(0, len(lines), big)
    ]
    before = blocks()
    kinds = []
    for (rows, got), want in zip(
        map_chunks(work, lines, kb, workers=2, chunk_size=big, shared=True), expected, strict=True
    ):
        kinds.append(type(got.output).__name__)
        assert len(rows) == want.advised
        assert got._replace(output=bytes(got.output)) == want
    assert kinds == ["bytes", "bytes", "memoryview"]
    assert blocks() == before


def test_a_kept_view_raises_instead_of_showing_the_next_chunk_and_stopping_early_leaves_no_block() -> None:
    kb = frozen_kb()
    work = functools.partial(assess_rows, csv_summary=False, top=3)
    before = blocks()
    chunks = map_chunks(work, _lines(60), kb, workers=2, chunk_size=10, shared=True)
    _, first = next(chunks)
    assert isinstance(first.output, memoryview)
    assert bytes(first.output).startswith(b'{"row": 1, "id": "c1", ')
    next(chunks)
    with pytest.raises(ValueError, match="released"):
        bytes(first.output)
    assert blocks() > before  # the batch's blocks, while it runs
    chunks.close()  # the consumer stops early (a full disk, Ctrl-C)
    assert blocks() == before
