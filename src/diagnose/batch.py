"""Assessing many intakes: an iterator in, an iterator out, constant memory, optional processes.

`assess_many` keeps the input's order and holds only a bounded window of work at a time, so a
caseload of any size streams through. With `workers > 1` it uses separate processes (each loads
the knowledge base once); a rejected intake becomes an `AnswerError` in the output (or stops the
run, with `errors="raise"`), never a silent gap.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from diagnose.errors import AnswerError
from diagnose.knowledge import KnowledgeBase, default_knowledge_base_path, load_knowledge_base
from diagnose.recommendation import Diagnosis, _diagnosis_from_json, assess

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from diagnose.scoring import Intake

__all__ = ["assess_many"]

_worker_kb: KnowledgeBase | None = None  # one per worker process, set by _start_worker


def _start_worker(path: str | None) -> None:
    global _worker_kb  # noqa: PLW0603 - the knowledge base of this worker process, loaded once
    _worker_kb = load_knowledge_base(path)


def _assess_chunk(chunk: list[Mapping[str, object] | Intake]) -> list[str | AnswerError]:
    """Assess a chunk in a worker; diagnoses travel back as JSON.

    Holding hundreds of result objects makes Python's cyclic garbage collector rescan them over
    and over (measured: 4x slower per intake); JSON strings are not tracked, and the parent
    rebuilds each result only when it is yielded.
    """
    kb = _worker_kb
    assert kb is not None  # noqa: S101 - set by the pool's initializer
    out: list[str | AnswerError] = []
    for item in chunk:
        result = _one(item, kb)
        out.append(result if isinstance(result, AnswerError) else result.model_dump_json())
    return out


def _one(item: Mapping[str, object] | Intake, kb: KnowledgeBase) -> Diagnosis | AnswerError:
    try:
        return assess(item, knowledge_base=kb)
    except AnswerError as exc:
        return exc


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

    Args:
        intakes: Answer mappings or `Intake`s; any iterable, read lazily.
        knowledge_base: The knowledge base; the packaged default when None. With `workers > 1`
            it must have been loaded from a folder (each process loads it again from there).
        workers: Processes to use; 1 assesses in this process.
        chunk_size: Intakes sent to a process at a time.
        errors: `raise` stops at the first rejected intake; `return` yields its `AnswerError`
            in its place and goes on.

    Examples:
        >>> import diagnose
        >>> rows = [{"mo_1": 1, "mo_2": 1}, {"se_1": 9}]
        >>> [type(r).__name__ for r in diagnose.assess_many(rows, errors="return")]
        ['Diagnosis', 'AnswerError']
    """
    if workers < 1 or chunk_size < 1:
        raise ValueError("workers and chunk_size must be at least 1")
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    results = _in_process(intakes, kb) if workers == 1 else _in_processes(intakes, kb, workers, chunk_size)
    return results if errors == "return" else _raising(results)


def _raising(results: Iterator[Diagnosis | AnswerError]) -> Iterator[Diagnosis]:
    for result in results:
        if isinstance(result, AnswerError):
            raise result
        yield result


def _in_process(
    intakes: Iterable[Mapping[str, object] | Intake], kb: KnowledgeBase
) -> Iterator[Diagnosis | AnswerError]:
    for item in intakes:
        yield _one(item, kb)


def _in_processes(
    intakes: Iterable[Mapping[str, object] | Intake], kb: KnowledgeBase, workers: int, chunk_size: int
) -> Iterator[Diagnosis | AnswerError]:
    path = None if kb.path is None or kb.path == default_knowledge_base_path() else str(Path(kb.path))
    context = multiprocessing.get_context("spawn")  # never fork a process that holds durable's state
    iterator = iter(intakes)
    pending: deque[Future[list[str | AnswerError]]] = deque()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(path,))
    with pool:
        while True:
            while len(pending) < 2 * workers:  # a bounded window keeps memory flat
                chunk = list(itertools.islice(iterator, chunk_size))
                if not chunk:
                    break
                pending.append(pool.submit(_assess_chunk, chunk))
            if not pending:
                return
            for result in pending.popleft().result():
                yield result if isinstance(result, AnswerError) else _diagnosis_from_json(result)
