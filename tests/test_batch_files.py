"""The outputs of `diagnose batch` (`diagnose.cli._batch_files`).

Written past the page cache or behind it, an output is whole and the same bytes either way; a
failure of the disk is one line, and the old target is kept.
"""

from __future__ import annotations

import errno
import fcntl
import io
import os
from typing import TYPE_CHECKING

import pytest

from diagnose.cli import _batch_files
from tests.test_batch_cli import GOOD, jsonl, leftovers, row, run

if TYPE_CHECKING:
    from pathlib import Path

    from _typeshed import ReadableBuffer as Buffer

#: A small buffer for the direct writer, so that a few hundred rows fill several.
SMALL = 2 * _batch_files._ALIGN


def caseload(tmp_path: Path, rows: int = 600) -> Path:
    return jsonl(tmp_path / "in.jsonl", [row(f"c{n}", {**GOOD, "se_1": 1 + n % 5}) for n in range(rows)])


@pytest.fixture
def once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The output of the caseload written in one go, as plain writes (no O_DIRECT, no flushes)."""
    with monkeypatch.context() as plain:
        plain.setattr(_batch_files, "O_DIRECT", 0)
        plain.setattr(_batch_files, "FLUSH_EVERY", 1 << 40)
        assert run(caseload(tmp_path), tmp_path / "once.jsonl").exit_code == 0
    return (tmp_path / "once.jsonl").read_bytes()


def direct(fd: int) -> bool:
    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & _batch_files.O_DIRECT)


@pytest.fixture
def needs_direct(tmp_path: Path) -> None:
    """Skip where the system has no O_DIRECT, or the test's folder refuses it (tmpfs before 6.6)."""
    if not _batch_files.O_DIRECT:
        pytest.skip("no O_DIRECT on this system")
    fd = os.open(tmp_path / "probe", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        _batch_files._set_direct(fd, on=True)
    except OSError as exc:
        pytest.skip(f"{tmp_path} refuses O_DIRECT: {exc}")
    finally:
        os.close(fd)
        (tmp_path / "probe").unlink()


# Written past the page cache (O_DIRECT).


@pytest.mark.usefixtures("needs_direct")
def test_an_output_written_direct_is_whole_and_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, once: bytes
) -> None:
    """Full buffers go to disk with O_DIRECT, the last part without: byte for byte the plain output."""
    writes: list[tuple[int, bool]] = []
    real = _batch_files._write

    def write(fd: int, data: Buffer) -> int:
        writes.append((len(memoryview(data)), direct(fd)))
        return real(fd, data)

    monkeypatch.setattr(_batch_files, "DIRECT_BUFFER", SMALL)
    monkeypatch.setattr(_batch_files, "_write", write)
    assert run(caseload(tmp_path), tmp_path / "direct.jsonl").exit_code == 0
    assert (tmp_path / "direct.jsonl").read_bytes() == once
    # The target: full buffers with the flag, then the rest of the last one without it.
    target = writes[: len(once) // SMALL + 1]
    assert target == [(SMALL, True)] * (len(once) // SMALL) + [(len(once) % SMALL, False)]
    assert leftovers(tmp_path) == []


@pytest.mark.usefixtures("needs_direct")
@pytest.mark.parametrize("refusal", ["einval", "short"])
def test_a_direct_write_refused_or_short_goes_on_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, once: bytes, refusal: str
) -> None:
    """A write refused with the flag (EINVAL), or one that comes back short, clears the flag.

    The rest (no longer aligned, after a short write) is written as usual: the same bytes.
    """
    calls: list[bool] = []
    real = _batch_files._write

    def write(fd: int, data: Buffer) -> int:
        calls.append(direct(fd))
        if direct(fd) and refusal == "einval":
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        if direct(fd):
            return real(fd, memoryview(data)[:100])
        return real(fd, data)

    monkeypatch.setattr(_batch_files, "DIRECT_BUFFER", SMALL)
    monkeypatch.setattr(_batch_files, "_write", write)
    assert run(caseload(tmp_path), tmp_path / "out.jsonl").exit_code == 0
    assert (tmp_path / "out.jsonl").read_bytes() == once
    assert calls[0] is True
    assert calls[1:] == [False] * (len(calls) - 1)


def test_an_output_where_o_direct_cannot_be_set_is_written_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, once: bytes
) -> None:
    def refuse(fd: int, *, on: bool) -> None:
        del fd, on
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))

    flushed: list[int] = []
    real = _batch_files._Behind.start

    def start(self: _batch_files._Behind) -> None:
        flushed.append(1)
        real(self)

    monkeypatch.setattr(_batch_files, "_set_direct", refuse)
    monkeypatch.setattr(_batch_files, "FLUSH_EVERY", 4096)
    monkeypatch.setattr(_batch_files._Behind, "start", start)
    assert run(caseload(tmp_path), tmp_path / "out.jsonl").exit_code == 0
    assert (tmp_path / "out.jsonl").read_bytes() == once
    assert len(flushed) > 2


@pytest.mark.usefixtures("needs_direct")
@pytest.mark.parametrize("when", ["during", "end"])
def test_a_direct_write_that_fails_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A full disk while the buffers are written (raised at the next write) or at the last part."""
    target = tmp_path / "out.jsonl"
    target.write_text("yesterday's results\n", encoding="utf-8")

    def write(fd: int, data: Buffer) -> int:
        del fd, data
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_batch_files, "DIRECT_BUFFER", SMALL if when == "during" else 1 << 24)
    monkeypatch.setattr(_batch_files, "_write", write)
    result = run(caseload(tmp_path, 300), target, "--errors", tmp_path / "rejected.jsonl")
    # The errors file, put in place first, has nothing to write: the target is the one that fails.
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {target}: cannot write: No space left on device; {target} not written\n",
    )
    assert leftovers(tmp_path) == []
    assert target.read_text(encoding="utf-8") == "yesterday's results\n"


# Written behind (where O_DIRECT cannot be set).


def test_a_write_that_raises_enospc_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch_files, "O_DIRECT", 0)
    source = jsonl(tmp_path / "in.jsonl", [row("a")])
    target = tmp_path / "out.jsonl"
    target.write_text("yesterday's results\n", encoding="utf-8")
    real = _batch_files.Output.__init__

    def opened(self: _batch_files.Output, path: Path) -> None:
        real(self, path)

        class Full(io.BytesIO):
            def write(self, data: object) -> int:
                del data
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        self.file.close()
        self.file = Full()

    monkeypatch.setattr(_batch_files.Output, "__init__", opened)
    result = run(source, target)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {target}: cannot write: No space left on device; {target} not written\n",
    )
    assert leftovers(tmp_path) == []
    assert target.read_text(encoding="utf-8") == "yesterday's results\n"


def test_an_output_written_behind_is_whole_and_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flushed to disk every few kilobytes, the output is byte for byte the one written at once."""
    monkeypatch.setattr(_batch_files, "O_DIRECT", 0)
    source = jsonl(tmp_path / "in.jsonl", [row(f"c{n}", {**GOOD, "se_1": 1 + n % 5}) for n in range(600)])
    assert run(source, tmp_path / "once.jsonl").exit_code == 0
    flushed: list[tuple[int, int]] = []
    real = _batch_files._advise
    assert real is not None

    def advise(fd: int, start: int, size: int, advice: int) -> None:
        flushed.append((start, size))
        real(fd, start, size, advice)

    monkeypatch.setattr(_batch_files, "FLUSH_EVERY", 4096)
    monkeypatch.setattr(_batch_files, "_advise", advise)
    assert run(source, tmp_path / "behind.jsonl").exit_code == 0
    whole = (tmp_path / "behind.jsonl").read_bytes()
    assert whole == (tmp_path / "once.jsonl").read_bytes()
    assert len(flushed) > 2
    # Consecutive ranges from the start, each at least FLUSH_EVERY long, none past the end.
    assert [start for start, _ in flushed] == [0, *(start + size for start, size in flushed[:-1])]
    assert all(size >= 4096 for _, size in flushed)
    assert flushed[-1][0] + flushed[-1][1] <= len(whole)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["flush", "end"])
def test_an_output_that_cannot_be_synced_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """A sync that fails (EIO: the disk) while the output grows, or at its end, stops the batch.

    At the end, a direct output syncs too; while it grows, only one written behind does.
    """
    if failing == "flush":
        monkeypatch.setattr(_batch_files, "O_DIRECT", 0)
    source = jsonl(tmp_path / "in.jsonl", [row(f"c{n}") for n in range(300)])
    target = tmp_path / "out.jsonl"
    target.write_text("yesterday's results\n", encoding="utf-8")

    def sync(fd: int) -> None:
        del fd
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(_batch_files, "FLUSH_EVERY", 4096 if failing == "flush" else 1 << 40)
    monkeypatch.setattr(_batch_files, "_sync", sync)
    result = run(source, target)
    # At the end the errors file is put in place first, so it is the one that fails.
    failed = target if failing == "flush" else tmp_path / "out.jsonl.errors.jsonl"
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {failed}: cannot write: Input/output error; {target} not written\n",
    )
    assert leftovers(tmp_path) == []
    assert target.read_text(encoding="utf-8") == "yesterday's results\n"
