"""Batch assessment: order, errors as values, processes equal to one process, the batch command."""

from __future__ import annotations

import contextlib
import csv
import gc
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

import diagnose
from diagnose.batch import _many
from diagnose.cli._main import cli

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROWS: list[dict[str, object]] = [
    {"mo_1": 1, "mo_2": 1},
    {"se_1": 9},
    {"se_1": 1, "se_2": 1, "se_3": 2, "mo_1": 5, "mo_2": 5},
    {"he_1": 1, "he_2": 5, "he_3": 1},
]


def test_results_come_in_input_order_with_errors_in_place() -> None:
    results = list(diagnose.assess_many(ROWS, errors="return"))
    assert [type(r).__name__ for r in results] == ["Diagnosis", "AnswerError", "Diagnosis", "Diagnosis"]
    assert results[0] == diagnose.assess(ROWS[0])
    assert str(results[1]).startswith("item 'se_1': expected a whole number from 1 to 5")


def test_errors_raise_by_default_after_earlier_results() -> None:
    results = diagnose.assess_many(ROWS)
    assert isinstance(next(results), diagnose.Diagnosis)
    with pytest.raises(diagnose.AnswerError):
        next(results)


@pytest.mark.parametrize("function", [diagnose.assess_many, diagnose.assess_many_json])
def test_input_is_read_lazily(function: Callable[..., Iterator[object]]) -> None:
    """Constant memory: the input is read at most one chunk ahead of the results."""
    consumed = []

    def source() -> Iterator[dict[str, object]]:
        for n in range(10**9):
            consumed.append(n)
            yield {"mo_1": 1 + n % 5, "mo_2": 3}

    results = function(source(), chunk_size=4)
    first = [next(results) for _ in range(3)]
    assert len(first) == 3
    assert 3 <= len(consumed) <= 4  # at most the chunk under way
    [next(results) for _ in range(2)]
    assert 5 <= len(consumed) <= 8


def text(result: object) -> str:
    if isinstance(result, diagnose.AnswerError):
        return f"AnswerError: {result}"
    return result if isinstance(result, str) else result.model_dump_json()  # type: ignore[attr-defined]


def test_every_path_gives_the_results_of_assess() -> None:
    """One process or two, objects or JSON: each result is what `assess` gives, in input order."""
    rows = [*ROWS * 60]
    alone = []
    for row in rows:
        try:
            alone.append(text(diagnose.assess(row)))
        except diagnose.AnswerError as exc:
            alone.append(text(exc))
    for function in (diagnose.assess_many, diagnose.assess_many_json):
        for workers in (1, 2):
            results = function(rows, errors="return", workers=workers, chunk_size=7)
            assert [text(r) for r in results] == alone, (function.__name__, workers)


def test_json_results_read_back_as_diagnoses() -> None:
    texts = list(diagnose.assess_many_json([ROWS[0], ROWS[2]]))
    assert [diagnose.Diagnosis.model_validate_json(t) for t in texts] == [
        diagnose.assess(ROWS[0]),
        diagnose.assess(ROWS[2]),
    ]


def test_json_errors_raise_by_default() -> None:
    results = diagnose.assess_many_json(ROWS)
    next(results)
    with pytest.raises(diagnose.AnswerError, match="se_1"):
        next(results)


@pytest.mark.parametrize("function", [diagnose.assess_many, diagnose.assess_many_json])
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"workers": 0}, "argument 'workers': expected a whole number of at least 1, got 0"),
        ({"chunk_size": -1}, "argument 'chunk_size': expected a whole number of at least 1, got -1"),
        ({"workers": 2.0}, "argument 'workers': expected a whole number of at least 1, got 2.0"),
        ({"errors": "skip"}, "argument 'errors': expected 'raise' or 'return', got 'skip'"),
        (
            {"intakes": 3},
            "argument 'intakes': expected an iterable of intakes (answer mappings or Intakes), got 3",
        ),
        (
            {"intakes": "mo_1"},
            "argument 'intakes': expected an iterable of intakes (answer mappings or Intakes), got 'mo_1'",
        ),
        (
            {"intakes": {"mo_1": 1}},
            "argument 'intakes': expected an iterable of intakes, got a mapping; pass [answers] for one intake",
        ),
        (
            {"knowledge_base": "rules"},
            "argument 'knowledge_base': expected a KnowledgeBase (load_knowledge_base) or None, got 'rules'",
        ),
        (
            {"workers": 0, "errors": None},
            "2 problems in the intake:\n  argument 'workers': expected a whole number of at least 1, got 0\n"
            "  argument 'errors': expected 'raise' or 'return', got None",
        ),
    ],
)
def test_bad_arguments(function: Callable[..., object], arguments: dict[str, object], message: str) -> None:
    """Refused when called, not when the first result is asked for: an AnswerError naming each argument."""
    given = {"intakes": ROWS, **arguments}
    with pytest.raises(diagnose.AnswerError) as err:
        function(given.pop("intakes"), **given)
    assert str(err.value) == message


def write_jsonl(path: Path, records: list[object], extra: str = "") -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + extra, encoding="utf-8")


def test_batch_command_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, [{"id": "a", "answers": ROWS[0]}, {"id": "b", "answers": ROWS[1]}], "not json\n")
    result = CliRunner().invoke(cli, ["batch", str(source), str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        f"3 rows: 1 assessed, 2 rejected (see {tmp_path / 'out.jsonl.errors.jsonl'}); "
    )
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert (record["row"], record["id"]) == (1, "a")
    assert diagnose.Diagnosis.model_validate(record["diagnosis"]) == diagnose.assess(ROWS[0])
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [(e["row"], e["id"]) for e in errors] == [(2, "b"), (3, None)]
    assert errors[0]["problems"][0]["key"] == "se_1"
    assert errors[1]["error"] == "not valid JSON: Expecting value (column 1)"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_command_csv_summary(tmp_path: Path, workers: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,mo_1,mo_2,se_1\nx,1,1,\ny,2,declined,7\n", encoding="utf-8")
    errors = tmp_path / "rejected.jsonl"
    arguments = ["--errors", str(errors), "--top", "2", "--workers", workers]
    result = CliRunner().invoke(cli, ["batch", str(source), str(tmp_path / "out.csv"), *arguments])
    assert result.exit_code == 0
    rows = list(csv.reader((tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()))
    kb = diagnose.load_knowledge_base()
    assert rows[0] == ["row", "id", *kb.factors, "advice_1", "advice_2"]
    assert rows[1][:2] == ["1", "x"]
    assert rows[1][2 + list(kb.factors).index("motivation")] == "low"
    assert rows[1][-2:] == ["motivational_interviewing", ""]
    assert len(rows) == 2
    (rejected,) = [json.loads(line) for line in errors.read_text().splitlines()]
    assert (rejected["row"], rejected["id"]) == (2, "y")


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_command_output_equals_assess_line_for_line(tmp_path: Path, workers: int) -> None:
    """Whatever the path (workers, fast JSON parsing, compiled pipeline), each record is `assess`'s."""
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": f"c{n}", "answers": {"mo_1": 1 + n % 5, "mo_2": 1 + n // 5 % 5, "se_1": 2}})
        for n in range(60)
    ]
    lines[7] = '{"id": "\\ud800", "answers": {"mo_1": 1}}'  # a lone surrogate: json.loads takes it
    lines[9] = '{"id": "x", "answers": {"mo_1": 1}'  # cut off
    source.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(source), str(target), "--workers", str(workers)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in records] == [n + 1 for n in range(60) if n != 9]
    for record in records:
        answers = json.loads(lines[record["row"] - 1])["answers"]
        expected = json.loads(diagnose.assess(answers).model_dump_json())
        assert record["diagnosis"] == expected
    assert records[7]["id"] == "\ud800"
    (error,) = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert error["row"] == 10
    assert error["error"] == "not valid JSON: Expecting ',' delimiter (column 35)"


def test_worker_pipes_are_widened() -> None:
    """Results are megabytes per chunk: the pool's pipes get 1 MiB buffers on Linux."""
    import fcntl
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from diagnose.batch._many import _widen_pipes

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        _widen_pipes(pool)
        reader = pool._result_queue._reader  # type: ignore[attr-defined]
        assert fcntl.fcntl(reader.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
    finally:
        pool.shutdown()


@pytest.mark.parametrize("held", [True, False])
def test_a_worker_started_while_spawning_is_born_with_ctrl_c_held_back(*, held: bool) -> None:
    """A worker still importing cannot die of Ctrl-C: it starts with SIGINT blocked, then ignores it."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        with _many._spawning() if held else contextlib.nullcontext():
            future = pool.submit(signal.pthread_sigmask, signal.SIG_BLOCK, [])  # the worker's mask
        assert (signal.SIGINT in future.result(timeout=60)) is held
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the caller's again


def thresholds(kb: diagnose.KnowledgeBase, chunk: list[int]) -> tuple[int, ...]:
    """The garbage collector's thresholds where a chunk runs."""
    del kb, chunk
    return gc.get_threshold()


def test_workers_collect_garbage_rarely_and_the_caller_as_before() -> None:
    before = gc.get_threshold()
    chunks = _many.map_chunks(thresholds, range(8), diagnose.load_knowledge_base(), workers=2, chunk_size=2)
    assert [result for _, result in chunks] == [_many._WORKER_GC] * 4
    assert gc.get_threshold() == before != _many._WORKER_GC


def test_a_worker_started_after_its_parent_died_ends_within_seconds() -> None:
    """The parent's pid comes from the parent: a worker orphaned while starting sees it is not its own."""
    code = "from diagnose.batch._many import _end_with; _end_with(0)"  # pid 0 is no process's parent
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=False)  # noqa: S603 - our interpreter
    assert done.returncode == 1
    assert time.monotonic() - started < 30


def test_a_worker_whose_parent_runs_keeps_running() -> None:
    code = "import os; from diagnose.batch._many import _end_with; _end_with(os.getppid())"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    with subprocess.Popen([sys.executable, "-c", code], env=env) as process:  # noqa: S603 - our interpreter
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=3)  # three looks at its parent, which is this process
        process.kill()
