"""The files of `diagnose batch`: the checks of SOURCE, TARGET and the errors file, and the outputs.

Output goes to a temporary file beside the target (`.<name>.<random>.partial`), renamed to the
target only when every row has been read (`Output.commit`); `Output.discard` removes it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import mmap
import os
import queue
import tempfile
import threading
from pathlib import Path
from typing import IO

import click

from diagnose.cli._io import is_device

__all__ = [
    "INTERRUPTED",
    "Interrupted",
    "Output",
    "Stop",
    "Usage",
    "check_paths",
    "count_lines",
    "hint",
    "regular_or_new",
    "sniff",
]

#: Exit code after Ctrl-C, as shells report a process ended by SIGINT (128 + 2).
INTERRUPTED = 130

#: Bytes read to tell a binary file from text, and to look for a pretty-printed intake.
_SNIFF = 8192
_HINT_LIMIT = 16 << 20


class Stop(click.ClickException):
    """A clean one-line failure (exit 1: bad data, or the batch stopped)."""

    def show(self, file: object = None) -> None:  # noqa: ARG002 - click's signature
        click.echo(f"error: {self.message}", err=True)


class Usage(Stop):
    """A wrong command line (exit 2)."""

    exit_code = 2


class Interrupted(Stop):
    """Ctrl-C (exit 130)."""

    exit_code = INTERRUPTED


#: Bytes written between two flushes of an output to disk (see `_Behind`).
FLUSH_EVERY = 64 << 20
_sync = getattr(os, "fdatasync", os.fsync)  # fdatasync is not on every platform
_advise = getattr(os, "posix_fadvise", None)


class _Behind:
    """Writes a growing file to disk behind its writer and lets the kernel drop what is written.

    A batch writes gigabytes that nobody reads back while it runs. Kept in the page cache, every
    new page is memory taken anew, and dirty until the kernel writes it back; that cost the main
    process three times as much time as writing into freed pages does (`bench/page_cache.py`,
    docs/benchmarks.md). So each time `FLUSH_EVERY` more bytes are written, a thread syncs the file
    (`fdatasync`) and advises the kernel to drop the synced range (`POSIX_FADV_DONTNEED`): the
    next writes take the pages freed. One flush runs at a time (the writer waits for the one before,
    so the dirty data stays bounded); a failure is raised at the next write or at the end.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._written = self._synced = 0
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def due(self, size: int) -> bool:
        """Count `size` bytes more written; whether a flush is due (then call `start`)."""
        self._written += size
        return self._written - self._synced >= FLUSH_EVERY

    def start(self) -> None:
        """Flush what was written since the last flush, in a thread, once the one before is done."""
        self.wait()
        start, self._synced = self._synced, self._written
        self._thread = threading.Thread(
            target=self._flush, args=(start, self._written - start), name="diagnose-flush", daemon=True
        )
        self._thread.start()

    def _flush(self, start: int, size: int) -> None:
        try:
            _sync(self._fd)
            if _advise is not None:
                _advise(self._fd, start, size, os.POSIX_FADV_DONTNEED)
        except OSError as exc:
            self._error = exc

    def wait(self) -> None:
        """Wait for the flush under way; raise the OSError of one that failed."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def finish(self) -> None:
        """Wait, then sync what is left: the whole file is on disk."""
        self.wait()
        _sync(self._fd)


#: Bytes in each buffer of a direct output (`_Direct`); full, a buffer is one write to disk.
DIRECT_BUFFER = 4 << 20
#: Buffers of a direct output: one filled while the others are written.
_DIRECT_BUFFERS = 3
#: What O_DIRECT needs memory addresses, file offsets and sizes to be multiples of: a disk's
#: logical block (512 or 4096 bytes); a page is a multiple of both.
_ALIGN = mmap.PAGESIZE
#: The flag, where the system has it (Linux); 0 elsewhere.
O_DIRECT: int = getattr(os, "O_DIRECT", 0)
_write = os.write  # the one call that writes a direct output's buffers (the tests make it fail)


def _set_direct(fd: int, *, on: bool) -> None:
    """Set or clear O_DIRECT on an open file (Linux allows both); OSError where it cannot be set."""
    import fcntl  # noqa: PLC0415 - POSIX only; only called where O_DIRECT exists

    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | O_DIRECT if on else flags & ~O_DIRECT)


class _Direct:
    """Writes a growing file past the page cache (O_DIRECT), a full buffer at a time, in a thread.

    Written through the page cache, each diagnosis costs the main process a copy into pages the
    kernel hands out, and the kernel the work of writing them back (measured on the performance
    page, docs/benchmarks.md). Written direct, the disk reads the buffer itself. O_DIRECT needs
    aligned memory, offsets and sizes: so the output is copied into page-aligned buffers of
    `DIRECT_BUFFER` bytes, and each full buffer is handed to a thread that writes it while the
    next one fills; the main process waits only when every buffer is still being written. At
    `finish` the flag is cleared, the last part written as is, and the file synced. Where a write
    is refused (EINVAL: a file system that takes the flag but not the write) or comes back short,
    the flag is cleared and the rest is written as usual. A failure is raised at the next write
    or at the end.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._direct = True
        self._error: Exception | None = None
        self._free: queue.SimpleQueue[mmap.mmap] = queue.SimpleQueue()
        for _ in range(_DIRECT_BUFFERS - 1):
            self._free.put(mmap.mmap(-1, DIRECT_BUFFER))
        self._todo: queue.SimpleQueue[mmap.mmap | None] = queue.SimpleQueue()
        self._buffer, self._fill = mmap.mmap(-1, DIRECT_BUFFER), 0
        self._thread = threading.Thread(target=self._run, name="diagnose-write", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, fd: int) -> _Direct | None:
        """A direct writer of `fd`, or None where O_DIRECT cannot be set (not Linux; tmpfs before 6.6)."""
        if not O_DIRECT:
            return None
        try:
            _set_direct(fd, on=True)
        except OSError:
            return None
        return cls(fd)

    def _run(self) -> None:
        while (buffer := self._todo.get()) is not None:
            try:
                if self._error is None:
                    self._write_all(buffer, DIRECT_BUFFER)
            except Exception as exc:  # noqa: BLE001 - raised in the writer's thread, at its next call
                self._error = exc
            finally:  # the writer waits for a free buffer: it always gets this one back
                self._free.put(buffer)

    def _write_all(self, buffer: mmap.mmap, size: int) -> None:
        with memoryview(buffer) as whole:
            done = 0
            while done < size:
                try:
                    done += _write(self._fd, whole[done:size])
                except OSError as exc:
                    if not (self._direct and exc.errno == errno.EINVAL):
                        raise
                    self._buffered()
                    continue
                if done % _ALIGN and self._direct:  # a short write: the rest is not aligned
                    self._buffered()

    def _buffered(self) -> None:
        _set_direct(self._fd, on=False)
        self._direct = False

    def _check(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def write(self, data: bytes | memoryview) -> None:
        """Copy `data` into the buffers, handing each one that is full to the thread."""
        self._check()
        with memoryview(data) as view:
            at, size = 0, view.nbytes
            while at < size:
                take = min(DIRECT_BUFFER - self._fill, size - at)
                self._buffer[self._fill : self._fill + take] = view[at : at + take]
                self._fill += take
                at += take
                if self._fill == DIRECT_BUFFER:
                    self._todo.put(self._buffer)
                    self._buffer, self._fill = self._free.get(), 0

    def stop(self) -> None:
        """End the thread once what it was given is written."""
        if self._thread.is_alive():
            self._todo.put(None)
            self._thread.join()

    def finish(self) -> None:
        """Write what is given, then the part buffer as usual (no longer aligned), and sync."""
        self.stop()
        self._check()
        if self._direct:
            self._buffered()
        self._write_all(self._buffer, self._fill)
        _sync(self._fd)


class Output:
    """A file being written: a temporary file beside a regular target, renamed on `commit`.

    A temporary file is written past the page cache where the system allows it (`_Direct`),
    otherwise written to disk as it grows (`_Behind`), and synced before it is renamed, so that
    the target a batch reports done is on disk, not only in memory.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.temporary: Path | None = None
        self._behind: _Behind | None = None
        self._direct: _Direct | None = None
        real = Path(os.path.realpath(path))  # through a symbolic link: the link stays, its file is replaced
        try:
            if path.exists() and not path.is_file():  # /dev/null, a pipe: written as it goes
                self.file: IO[bytes] = path.open("wb")
            else:
                handle, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".partial")
                self.temporary = Path(name)
                self.file = os.fdopen(handle, "wb")
                self._direct = _Direct.open(handle)
                if self._direct is None:
                    self._behind = _Behind(handle)
        except OSError as exc:
            raise Stop(f"{path}: cannot write: {exc.strerror or exc}") from exc

    def write(self, data: bytes | memoryview) -> None:
        try:
            if self._direct is not None:
                self._direct.write(data)
                return
            self.file.write(data)
            if self._behind is not None and self._behind.due(len(data)):
                self.file.flush()  # in the file before its range is synced and dropped
                self._behind.start()
        except OSError as exc:
            raise Stop(f"{self.path}: cannot write: {exc.strerror or exc}") from exc

    def commit(self) -> None:
        """Close, and put the temporary file in the target's place with the mode a new file gets."""
        try:
            if self._behind is not None:
                self.file.flush()
                self._behind.finish()
            if self._direct is not None:
                self._direct.finish()
            self.file.close()
            if self.temporary is not None:
                mask = os.umask(0)
                os.umask(mask)
                mode = self.path.stat().st_mode & 0o7777 if self.path.exists() else 0o666 & ~mask
                self.temporary.chmod(mode)
                real = os.path.realpath(self.path)
                self.temporary.replace(real)
                self.temporary = None
                _sync_folder(Path(real).parent)  # the rename on disk too
        except OSError as exc:
            raise Stop(f"{self.path}: cannot write: {exc.strerror or exc}") from exc

    def discard(self) -> None:
        """Close and remove the temporary file: nothing that looks like a result is left."""
        if self._behind is not None:  # the flush thread uses the file: it ends first
            with contextlib.suppress(OSError):
                self._behind.wait()
        if self._direct is not None:  # so does the write thread
            self._direct.stop()
        with contextlib.suppress(OSError):
            self.file.close()
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                self.temporary.unlink()
            self.temporary = None


def _sync_folder(folder: Path) -> None:
    """Sync a folder's entries; where a folder cannot be opened or synced (Windows), nothing."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def regular_or_new(path: Path) -> bool:
    return not path.exists() or path.is_file()


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name one regular file (or one file still to be made), also through links."""
    if a.exists() and b.exists():
        return a.samefile(b) and a.is_file()
    return os.path.realpath(a) == os.path.realpath(b)


def check_paths(source: Path, target: Path, errors: Path | None) -> Path | None:
    """Refuse a target or errors file that would overwrite the source or each other; the errors file.

    Without `--errors`, rejected rows go to TARGET.errors.jsonl for a regular target, and nowhere
    for any other (`/dev/null`): the summary still counts them.
    """
    if is_device(source):
        raise Usage(f"{source}: a device, not a file of rows; give a file or a pipe")
    if not target.parent.is_dir():
        raise Usage(f"{target}: the folder {target.parent} does not exist")
    if _same(source, target):
        raise Usage(f"{target} is the SOURCE file; write the results to another file")
    if errors is None and regular_or_new(target):
        errors = target.with_name(target.name + ".errors.jsonl")
    if errors is not None:
        if not errors.parent.is_dir():
            raise Usage(f"{errors}: the folder {errors.parent} does not exist")
        for other, name in ((source, "the SOURCE file"), (target, "TARGET")):
            if _same(errors, other):
                raise Usage(f"the errors file {errors} is {name}; give another with --errors")
    return errors


def sniff(source: Path) -> None:
    if not source.is_file():  # a pipe is read once: its rows are checked one by one instead
        return
    try:
        with source.open("rb") as stream:
            head = stream.read(_SNIFF)
    except OSError as exc:
        raise Stop(f"{source}: cannot read the file: {exc.strerror or exc}") from exc
    if b"\0" in head:
        raise Stop(f"{source}: not a text file (it holds NUL bytes); batch reads JSON Lines or CSV")


def hint(source: Path) -> str:
    """Why nothing in a JSON Lines file could be read, when it is one JSON document instead."""
    if not source.is_file() or source.stat().st_size > _HINT_LIMIT:
        return ""
    try:
        data = json.loads(source.read_bytes())
    except (ValueError, RecursionError):
        return ""
    if isinstance(data, dict):
        return (
            f"\nhint: {source} is one JSON object over several lines; batch reads JSON Lines, one "
            f"intake per line (for a single intake: diagnose assess {source})"
        )
    if isinstance(data, list):
        return f"\nhint: {source} is one JSON array; batch reads JSON Lines, one intake object per line"
    return ""


def count_lines(source: Path) -> int:
    with source.open("rb") as stream:
        return sum(block.count(b"\n") for block in iter(functools.partial(stream.read, 1 << 20), b""))
