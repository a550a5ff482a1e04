"""Assessing many intakes: an iterator in, an iterator out, constant memory, optional processes.

`assess_many` yields `Diagnosis` objects; `assess_many_json` yields their JSON text, which is
what a batch that stores its results needs, and is several times faster: it runs the pipeline
precompiled for the knowledge base (`diagnose.batch._compiled`, byte-for-byte the JSON of
`Diagnosis.model_dump_json()`) and evaluates each chunk of intakes in one durable-rules session.
Both keep the input's order and hold only a bounded window of work at a time, so a caseload of
any size streams through. With `workers > 1` they use separate processes (each loads the
knowledge base once). A rejected intake becomes an `AnswerError` in the output (or stops the
run, with `errors="raise"`), never a silent gap.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar, overload

from diagnose.assessment.recommendation import Diagnosis, assess
from diagnose.batch._compiled import compiled_rules
from diagnose.batch._shared import Slots, carry
from diagnose.errors import AnswerError, AnswerProblem
from diagnose.knowledge._base import KnowledgeBase
from diagnose.knowledge._load import default_knowledge_base_path, load_knowledge_base

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator, Mapping

    from diagnose.assessment.scoring import Intake

__all__ = ["assess_many", "assess_many_json"]

T = TypeVar("T")
R = TypeVar("R")

#: mallopt parameters, from glibc's malloc.h.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_worker_kb: KnowledgeBase | None = None  # one per worker process, set by _start_worker


#: The garbage collector's thresholds in the pool's worker processes (never in the caller's). A
#: chunk's objects die together when it is done, freed by their reference counts; with Python's
#: default (a young collection every 700 new objects) the collector still walked them several
#: times per chunk, and the whole heap now and then (what that cost: docs/benchmarks.md). This
#: many new objects are never reached within a chunk, so it runs only for what leaks (cycles).
_WORKER_GC = (100_000, 50, 100)


def _start_worker(path: str | None, parent: int) -> None:
    global _worker_kb  # noqa: PLW0603 - the knowledge base of this worker process, loaded once
    # Ctrl-C is for the caller's process, which stops the pool: a worker that died of it would
    # print a traceback of its own and break the pool before the caller could clean up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # born with it blocked (`_spawning`): now ignored instead
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _keep_freed_memory()
    gc.set_threshold(*_WORKER_GC)
    # The parent's pid from the parent itself: it may have died while this process was starting.
    threading.Thread(target=_end_with, args=(parent,), name="parent-watch", daemon=True).start()
    _worker_kb = load_knowledge_base(path)


#: Seconds between a worker's looks at whether the process that started it still runs.
_PARENT_WATCH = 1.0


def _end_with(parent: int) -> None:
    """End this worker once its parent has gone (killed with SIGKILL: no shutdown came).

    A pool's worker holds both ends of its task queue, so it would wait for work forever, and
    the resource tracker, which removes the batch's shared memory and semaphores once every
    process of the batch has ended, with it. A new parent (init, a subreaper) says it has gone.
    """
    while os.getppid() == parent:
        time.sleep(_PARENT_WATCH)
    os._exit(1)


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed memory in this worker instead of returning it to the system.

    Each chunk builds and frees megabytes of JSON; with glibc's defaults the heap shrinks after
    every chunk and the next one faults every page in again (measured: 8.8 page faults per
    intake, more system time than the durable-rules step; 0.24 with this). Only ever called in
    the pool's own worker processes, never in the caller's; elsewhere than glibc it does nothing.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)  # give memory back only beyond 256 MiB free at the top
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)  # serve blocks up to 32 MiB from the heap, not mmap


@contextlib.contextmanager
def _spawning() -> Iterator[None]:
    """Hold Ctrl-C back while the pool may start a worker (it does in `submit`), then deliver it.

    A new process inherits the blocked signal, so a Ctrl-C while it is still importing cannot
    kill it with a traceback of its own before `_start_worker` ignores it; the caller gets its
    KeyboardInterrupt as soon as the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _in_worker(task: tuple[Callable[[KnowledgeBase, list[T]], R], list[T], str | None]) -> tuple[R, int]:
    """Run a chunk in a worker; with a block of shared memory, its output goes there (`carry`)."""
    function, chunk, slot = task
    assert _worker_kb is not None  # noqa: S101 - set by the pool's initializer
    result = function(_worker_kb, chunk)
    return (result, -1) if slot is None else carry(result, slot)


def map_chunks(  # noqa: PLR0913 - the batch engine's settings, keyword-only after the first three
    function: Callable[[KnowledgeBase, list[T]], R],
    items: Iterable[T],
    kb: KnowledgeBase,
    *,
    workers: int = 1,
    chunk_size: int = 256,
    shared: bool = False,
) -> Generator[tuple[list[T], R], None, None]:
    """Apply `function(kb, chunk)` to consecutive chunks of `items`, in order: the batch engine.

    With `workers > 1`, in that many spawned processes, each with the knowledge base loaded again
    from its folder (`function` must be a module-level function); at most two chunks per worker
    are in flight, so memory stays flat. Yields each chunk with its result.

    With `shared` (and workers), results are named tuples with an `output` field of bytes, which
    comes back in shared memory (`diagnose.batch._shared`) where the system allows it: the
    result's `output` is then a memoryview, valid only until the next chunk is asked for (it is
    released then, and reading it raises ValueError). Use it, or copy it, before that; keep no
    slice of it.
    """
    _check(items, kb, workers, chunk_size, "raise")
    iterator = iter(items)
    if workers == 1:
        while chunk := list(itertools.islice(iterator, chunk_size)):
            yield chunk, function(kb, chunk)
        return
    path = None if kb.path is None or kb.path == default_knowledge_base_path() else str(Path(kb.path))
    context = multiprocessing.get_context("spawn")  # never fork a process that holds durable's state
    pending: deque[tuple[list[T], str | None, Future[tuple[R, int]]]] = deque()
    # One block per chunk in flight: the one just yielded is given back before the next is taken.
    slots = Slots.made(2 * workers if shared else 0)
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(path, os.getpid())
    )
    _widen_pipes(pool)
    broken = False
    try:
        while True:
            while len(pending) < 2 * workers:  # a bounded window keeps memory flat
                chunk = list(itertools.islice(iterator, chunk_size))
                if not chunk:
                    break
                slot = slots.take()
                with _spawning():
                    pending.append((chunk, slot, pool.submit(_in_worker, (function, chunk, slot))))
            if not pending:
                return
            chunk, slot, future = pending.popleft()
            yield chunk, slots.received(*_result(pool, future), slot)
            slots.give(slot)
    except BrokenProcessPool:
        broken = True
        raise
    finally:  # also when the caller stops early (Ctrl-C, a full disk): drop the chunks not started
        if broken:  # what is left of a broken pool is ended, not waited for
            _end(pool)
        pool.shutdown(wait=not broken, cancel_futures=True)
        slots.close()  # after the workers: none of them writes into a block any more


#: Seconds between checks that every worker process still runs, while waiting for a result.
_WATCH = 1.0


def _processes(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    return list((getattr(pool, "_processes", None) or {}).values())


def _end(pool: ProcessPoolExecutor) -> None:
    """End a broken pool's workers, and free its manager thread if it hangs reading a cut-off result.

    A worker killed while it wrote its result leaves half a message in the result pipe; the pool's
    thread then waits for the rest forever (and the interpreter, which joins it at exit, with
    it). Closing this process's own end for writing to that pipe ends the wait (EOF).
    """
    for process in _processes(pool):
        process.terminate()
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


def _result(pool: ProcessPoolExecutor, future: Future[R]) -> R:
    """A chunk's result; BrokenProcessPool as soon as a worker process has ended.

    The pool notices a killed worker itself, except when it dies while writing its result to the
    shared pipe: then the pool waits forever (seen: a worker killed mid-batch under heavy load).
    A worker never ends on its own before shutdown.
    """
    while True:
        try:
            return future.result(timeout=_WATCH)
        except TimeoutError:
            if any(process.exitcode is not None for process in _processes(pool)):
                raise BrokenProcessPool("a worker process ended while the batch was running") from None


#: Linux's largest pipe buffer for an unprivileged process (/proc/sys/fs/pipe-max-size).
_PIPE_SIZE = 1 << 20


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Give the pool's pipes 1 MiB buffers instead of 64 KiB, where the system allows it.

    A chunk's results are megabytes of JSON; through 64 KiB pipe buffers, moving them cost the
    workers more system time than scoring (measured here: 414 MB/s through a pipe against
    1630 MB/s with 1 MiB). The pipes are the pool's own (CPython's `ProcessPoolExecutor`); on
    another platform or Python, or when refused, the pool keeps its pipes as they are.
    """
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is None:  # pragma: no cover - not on Linux
        return
    queues = (getattr(pool, "_result_queue", None), getattr(pool, "_call_queue", None))
    for end in (getattr(q, name, None) for q in queues for name in ("_reader", "_writer")):
        if end is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                fcntl.fcntl(end.fileno(), setsize, _PIPE_SIZE)


def _one(kb: KnowledgeBase, intake: Mapping[str, object] | Intake) -> Diagnosis | AnswerError:
    try:
        return assess(intake, knowledge_base=kb)
    except AnswerError as exc:
        return exc


class _Texts(NamedTuple):
    """A chunk's diagnoses as JSON (UTF-8) in one block, where each ends, and the rejected intakes."""

    output: bytes | memoryview
    ends: tuple[int, ...]  # per intake, in order: where its text ends (a rejected one has none)
    rejected: dict[int, AnswerError]  # by position in the chunk


def _json_chunk(kb: KnowledgeBase, chunk: list[Mapping[str, object] | Intake]) -> _Texts:
    """Assess a chunk into diagnosis JSON (UTF-8) with the compiled pipeline, as one block.

    One block travels between processes in shared memory (`map_chunks(..., shared=True)`), or
    through the pipe at one byte per character; and Python's cyclic garbage collector does not
    rescan bytes (holding hundreds of result objects made it: measured 4x slower per intake).
    """
    texts: list[bytes] = []
    ends: list[int] = []
    rejected: dict[int, AnswerError] = {}
    end = 0
    for n, result in enumerate(compiled_rules(kb).assess(chunk)):
        if isinstance(result, AnswerError):
            rejected[n] = result
        else:
            texts += result.parts
            end += sum(map(len, result.parts))
        ends.append(end)
    return _Texts(b"".join(texts), tuple(ends), rejected)


def _texts(chunks: Iterable[tuple[object, _Texts]]) -> Iterator[str | AnswerError]:
    """Each intake's JSON as text, or its AnswerError, chunk after chunk (each block read before the next)."""
    for _, chunk in chunks:
        output, start = chunk.output, 0
        for n, end in enumerate(chunk.ends):
            rejected = chunk.rejected.get(n)
            yield rejected if rejected is not None else str(output[start:end], "utf-8")
            start = end


@overload
def assess_many(
    intakes: Iterable[Mapping[str, object] | Intake],
    *,
    knowledge_base: KnowledgeBase | None = ...,
    workers: int = ...,
    chunk_size: int = ...,
    errors: Literal["raise"] = ...,
) -> Iterator[Diagnosis]: ...


@overload
def assess_many(
    intakes: Iterable[Mapping[str, object] | Intake],
    *,
    knowledge_base: KnowledgeBase | None = ...,
    workers: int = ...,
    chunk_size: int = ...,
    errors: Literal["return"],
) -> Iterator[Diagnosis | AnswerError]: ...


def assess_many(
    intakes: Iterable[Mapping[str, object] | Intake],
    *,
    knowledge_base: KnowledgeBase | None = None,
    workers: int = 1,
    chunk_size: int = 256,
    errors: Literal["raise", "return"] = "raise",
) -> Iterator[Diagnosis] | Iterator[Diagnosis | AnswerError]:
    """Assess intakes one after another, yielding results in input order.

    Each result equals what `assess` returns for that intake. Building result objects is most of
    the cost, and with processes this process rebuilds each one from the JSON the workers send:
    for the fastest batch, use `assess_many_json`.

    Args:
        intakes: Answer mappings or `Intake`s; any iterable, read lazily.
        knowledge_base: The knowledge base; the packaged default when None. With `workers > 1`
            it must have been loaded from a folder (each process loads it again from there).
        workers: Processes to use; 1 assesses in this process. With more, each chunk's JSON
            comes back in shared memory where the system allows it (two blocks of 8 MiB per
            process, removed when the iteration ends or the iterator is closed), else through
            a pipe.
        chunk_size: Intakes sent to a worker process at a time (and evaluated there in one
            durable-rules session).
        errors: `raise` stops at the first rejected intake; `return` yields its `AnswerError`
            in its place and goes on.

    Examples:
        >>> import diagnose
        >>> rows = [{"mo_1": 1, "mo_2": 1}, {"se_1": 9}]
        >>> [type(r).__name__ for r in diagnose.assess_many(rows, errors="return")]
        ['Diagnosis', 'AnswerError']
    """
    _check(intakes, knowledge_base, workers, chunk_size, errors)  # now, not at the first result
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    if workers == 1:
        # One at a time: a chunk of result objects held at once makes Python's garbage collector
        # rescan them (measured: 2,083/s in chunks of 256 against 4,495/s one by one).
        results: Iterator[Diagnosis | AnswerError] = (_one(kb, intake) for intake in intakes)
    else:
        chunks = map_chunks(_json_chunk, intakes, kb, workers=workers, chunk_size=chunk_size, shared=True)
        texts = _texts(chunks)
        results = (r if isinstance(r, AnswerError) else Diagnosis.model_validate_json(r) for r in texts)
    return results if errors == "return" else _raising(results)


@overload
def assess_many_json(
    intakes: Iterable[Mapping[str, object] | Intake],
    *,
    knowledge_base: KnowledgeBase | None = ...,
    workers: int = ...,
    chunk_size: int = ...,
    errors: Literal["raise"] = ...,
) -> Iterator[str]: ...


@overload
def assess_many_json(
    intakes: Iterable[Mapping[str, object] | Intake],
    *,
    knowledge_base: KnowledgeBase | None = ...,
    workers: int = ...,
    chunk_size: int = ...,
    errors: Literal["return"],
) -> Iterator[str | AnswerError]: ...


def assess_many_json(
    intakes: Iterable[Mapping[str, object] | Intake],
    *,
    knowledge_base: KnowledgeBase | None = None,
    workers: int = 1,
    chunk_size: int = 256,
    errors: Literal["raise", "return"] = "raise",
) -> Iterator[str] | Iterator[str | AnswerError]:
    """Like `assess_many`, yielding each diagnosis as JSON: the fast path for storing results.

    Each text is exactly `assess(intake).model_dump_json()`; `Diagnosis.model_validate_json`
    reads it back. Arguments as for `assess_many`.

    Examples:
        >>> import diagnose
        >>> rows = [{"mo_1": 1, "mo_2": 1}]
        >>> [text] = diagnose.assess_many_json(rows)
        >>> text == diagnose.assess(rows[0]).model_dump_json()
        True
        >>> diagnose.Diagnosis.model_validate_json(text).recommendations[0].intervention
        'motivational_interviewing'
    """
    _check(intakes, knowledge_base, workers, chunk_size, errors)  # now, not at the first result
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    chunks = map_chunks(_json_chunk, intakes, kb, workers=workers, chunk_size=chunk_size, shared=True)
    results = _texts(chunks)
    return results if errors == "return" else _raising(results)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."  # noqa: PLR2004 - keep messages one line


def _check(intakes: object, kb: object, workers: object, chunk_size: object, errors: object) -> None:
    """Refuse arguments that do not fit with one `AnswerError` naming each (before any work)."""
    problems = []
    if isinstance(intakes, str | bytes | bytearray) or not hasattr(intakes, "__iter__"):
        message = f"expected an iterable of intakes (answer mappings or Intakes), got {_shown(intakes)}"
        problems.append(AnswerProblem("argument", "intakes", message))
    elif hasattr(intakes, "keys"):  # one intake's answers, not a list of intakes
        message = "expected an iterable of intakes, got a mapping; pass [answers] for one intake"
        problems.append(AnswerProblem("argument", "intakes", message))
    if kb is not None and not isinstance(kb, KnowledgeBase):
        message = f"expected a KnowledgeBase (load_knowledge_base) or None, got {_shown(kb)}"
        problems.append(AnswerProblem("argument", "knowledge_base", message))
    for name, value in (("workers", workers), ("chunk_size", chunk_size)):
        if type(value) is not int or value < 1:
            problems.append(
                AnswerProblem("argument", name, f"expected a whole number of at least 1, got {_shown(value)}")
            )
    if errors not in {"raise", "return"}:
        problems.append(
            AnswerProblem("argument", "errors", f"expected 'raise' or 'return', got {_shown(errors)}")
        )
    if problems:
        raise AnswerError(problems)


def _raising(results: Iterator[T | AnswerError]) -> Iterator[T]:
    for result in results:
        if isinstance(result, AnswerError):
            raise result
        yield result
