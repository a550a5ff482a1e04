"""`diagnose batch` with a whole caseload: never a crash, never a lost row, never a file that looks complete."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.progress import Progress

import diagnose
from diagnose.batch import _files as _tables
from diagnose.batch._many import map_chunks
from diagnose.cli import _batch as _batch_cli
from diagnose.cli._main import cli
from tests.conftest import shared_memory_blocks

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.progress import TaskID

GOOD = {"mo_1": 1, "mo_2": 1}
SCALE = "expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'"
ROOT = Path(__file__).parents[1]


def run(*arguments: str | Path) -> Result:
    return CliRunner().invoke(cli, ["batch", *map(str, arguments)])


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def row(client: str, answers: object = GOOD) -> str:
    return json.dumps({"id": client, "answers": answers})


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def summary(result: Result) -> str:
    """The summary line without its timing (which varies)."""
    first = result.stderr.splitlines()[0]
    return first.rsplit("; ", 1)[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


# Refused arguments: exit 2, the source untouched.


def test_a_target_that_is_the_source_is_refused_and_the_source_kept(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "same.jsonl", [row("a"), row("b")])
    before = source.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(source)
    for target in (source, tmp_path / "link.jsonl", tmp_path / "sub" / ".." / "same.jsonl"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = run(source, target)
        assert (result.exit_code, result.stderr) == (
            2,
            f"error: {target} is the SOURCE file; write the results to another file\n",
        )
        assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.jsonl", "same.jsonl", "sub"]


@pytest.mark.parametrize("which", ["source", "target"])
def test_an_errors_file_that_is_the_source_or_target_is_refused(tmp_path: Path, which: str) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a")])
    target = tmp_path / "out.jsonl"
    errors = source if which == "source" else target
    result = run(source, target, "--errors", errors)
    name = "the SOURCE file" if which == "source" else "TARGET"
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: the errors file {errors} is {name}; give another with --errors\n",
    )
    assert source.read_text(encoding="utf-8") == row("a") + "\n"
    assert not target.exists()


def test_a_missing_output_folder_is_one_line(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a")])
    target = tmp_path / "missing" / "out.jsonl"
    result = run(source, target)
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {target}: the folder {target.parent} does not exist\n",
    )


def test_binary_input_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe")
    result = run(source, tmp_path / "out.jsonl")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {source}: not a text file (it holds NUL bytes); batch reads JSON Lines or CSV\n",
    )
    assert list(tmp_path.iterdir()) == [source]


# What was done, said in the summary and the exit code.


def test_a_pretty_printed_intake_exits_1_with_a_hint(tmp_path: Path) -> None:
    source = tmp_path / "intake.json"
    source.write_text(json.dumps({"answers": GOOD}, indent=2), encoding="utf-8")
    result = run(source, tmp_path / "out.jsonl")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert summary(result) == f"6 rows: 0 assessed, 6 rejected (see {tmp_path / 'out.jsonl.errors.jsonl'})"
    assert lines[1:] == [
        "error: nothing was assessed: every row was rejected",
        f"hint: {source} is one JSON object over several lines; batch reads JSON Lines, one intake per "
        f"line (for a single intake: diagnose assess {source})",
    ]
    assert [r["row"] for r in records(tmp_path / "out.jsonl.errors.jsonl")] == [1, 2, 3, 4, 5, 6]


def test_an_empty_source_exits_1(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [])
    result = run(source, tmp_path / "out.jsonl")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [f"error: {source} has no rows"]


def test_fail_on_reject_exits_1_with_the_output_written(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a"), row("b", {"se_1": 9})])
    assert run(source, tmp_path / "plain.jsonl").exit_code == 0
    result = run(source, tmp_path / "out.jsonl", "--fail-on-reject")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == ["error: 1 rows rejected (--fail-on-reject)"]
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == ["a"]
    assert [r["id"] for r in records(tmp_path / "out.jsonl.errors.jsonl")] == ["b"]


def test_repeated_ids_are_warned_about(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a"), row("b"), row("a"), *[row("c")] * 4])
    result = run(source, tmp_path / "out.jsonl")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1:] == [
        "warning: id 'a' is in rows 1 and 3",
        "warning: id 'c' is in rows 4 and 5",
        "warning: id 'c' is in rows 4 and 6",
        "warning: 4 rows repeat an earlier id in all",
    ]
    assert len(records(tmp_path / "out.jsonl")) == 7


def test_past_the_id_bound_new_ids_are_not_kept_and_that_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays bounded: past MAX_TRACKED_IDS distinct ids, new ones are only checked."""
    monkeypatch.setattr(
        sys.modules["diagnose.cli._batch"], "MAX_TRACKED_IDS", 2
    )  # the module (a command shares its name)
    source = jsonl(tmp_path / "in.jsonl", [row("a"), row("b"), row("c"), row("a"), row("c")])
    result = run(source, tmp_path / "out.jsonl")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1:] == [
        "warning: id 'a' is in rows 1 and 4",
        "warning: ids from row 3 on were checked only against the first 2 distinct ids (a bound on "
        "memory); --unique-ids checks every id",
    ]
    assert len(records(tmp_path / "out.jsonl")) == 5


def test_unique_ids_keeps_every_id_past_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sys.modules["diagnose.cli._batch"], "MAX_TRACKED_IDS", 2
    )  # the module (a command shares its name)
    source = jsonl(tmp_path / "in.jsonl", [row("a"), row("b"), row("c"), row("c")])
    result = run(source, tmp_path / "out.jsonl", "--unique-ids")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: id 'c' is in rows 3 and 4 (--unique-ids)")


def test_unique_ids_stops_and_writes_nothing(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a"), row("b"), row("a")])
    target = tmp_path / "out.jsonl"
    result = run(source, target, "--unique-ids")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: id 'a' is in rows 1 and 3 (--unique-ids); {target} not written\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# One hostile row never ends a batch.


def test_a_row_nested_1000_deep_is_rejected_with_its_number(tmp_path: Path) -> None:
    deep = "[" * 1000 + "]" * 1000
    lines = [
        row("a"),
        '{"id": "b", "answers": {"se_1": ' + deep + "}}",
        '{"id": "c", "answers": {"se_1": ' + "9" * 5000 + "}}",
        '{"id": ' + "7" * 5000 + ', "answers": {}}',
        json.dumps({"id": "e", "answers": {"se_1": json.loads("[" * 200 + "]" * 200)}}),
        json.dumps({"id": 12, "answers": GOOD}),
        row("g"),
    ]
    source = jsonl(tmp_path / "in.jsonl", lines)
    for workers in ("1", "2"):
        target = tmp_path / f"out{workers}.jsonl"
        result = run(source, target, "--workers", workers)
        assert result.exit_code == 0, result.output
        assert [(r["row"], r["id"]) for r in records(target)] == [(1, "a"), (6, "12"), (7, "g")]
        errors = [
            (e["row"], e["id"], e["error"]) for e in records(target.with_name(target.name + ".errors.jsonl"))
        ]
        assert errors == [
            (2, None, "not readable: nested too deep"),
            (3, None, "not readable: a number of more than 4300 digits"),
            (4, None, "not readable: a number of more than 4300 digits"),
            (5, "e", f"item 'se_1': {SCALE}; got {'[' * 37}..."),
        ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'{"id": "x\xff", "answers": {}}', "not UTF-8 text: byte 0xff at byte 10"),
        (b"[1, 2]", "expected an object with 'answers' (and optionally 'context', 'id')"),
        (b'{"id": [1], "answers": {}}', "'id' must be text or a number"),
        (b'{"id": true, "answers": {}}', "'id' must be text or a number"),
    ],
)
def test_unreadable_lines_are_rejected_with_their_number(tmp_path: Path, line: bytes, problem: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + row("a").encode() + b"\n" + line + b"\n" + row("c").encode() + b"\n")
    result = run(source, tmp_path / "out.jsonl")
    assert result.exit_code == 0
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == ["a", "c"]
    assert [(e["row"], e["error"]) for e in records(tmp_path / "out.jsonl.errors.jsonl")] == [(2, problem)]


# A target that is no regular file; a batch that stops.


def test_dev_null_gets_no_errors_file(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a"), row("b", {"se_1": 9})])
    result = run(source, "/dev/null")
    assert result.exit_code == 0
    assert summary(result) == "2 rows: 1 assessed, 1 rejected (not kept: give --errors FILE to keep them)"
    assert not Path("/dev/null.errors.jsonl").exists()
    result = run(source, "/dev/null", "--errors", tmp_path / "rejected.jsonl")
    assert [e["id"] for e in records(tmp_path / "rejected.jsonl")] == ["b"]


def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row(f"c{n}") for n in range(300)])
    result = run(source, "/dev/full", "--errors", tmp_path / "rejected.jsonl")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: /dev/full: cannot write: No space left on device; /dev/full may hold part of the output\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (
            BrokenProcessPool("A child process terminated abruptly"),
            1,
            "a worker process died (killed?) after 2 rows",
        ),
        (KeyboardInterrupt(), 130, "interrupted after 2 rows"),
    ],
)
def test_a_batch_that_stops_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException, code: int, message: str
) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row(f"c{n}") for n in range(5)])
    target = tmp_path / "out.jsonl"
    real = map_chunks

    def stopping(*arguments: object, **options: object) -> Iterator[object]:
        options["chunk_size"] = 2
        chunks: Iterator[object] = real(*arguments, **options)  # type: ignore[arg-type]
        for n, chunk in enumerate(chunks):
            if n == 1:
                raise failure
            yield chunk

    monkeypatch.setattr(_batch_cli, "map_chunks", stopping)
    result = run(source, target)
    assert (result.exit_code, result.stderr) == (code, f"error: {message}; {target} not written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def _big_source(tmp_path: Path, rows: int) -> Path:
    line = (ROOT / "examples" / "caseload.jsonl").read_text(encoding="utf-8").splitlines()[0]
    source = tmp_path / "big.jsonl"
    source.write_text(f"{line}\n" * rows, encoding="utf-8")
    return source


def _started(process: subprocess.Popen[str], folder: Path) -> None:
    """Wait until the batch has written part of its output (a hang guard of 120 s)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.stat().st_size for p in folder.glob(".out.jsonl.*.partial")):
            return
        time.sleep(0.01)
    pytest.fail("the batch never started writing")


def _batch(source: Path, target: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "diagnose", "batch", str(source), str(target), "--workers", "2"]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )


def _finish(process: subprocess.Popen[str]) -> str:
    """The batch's standard error once it ends (a hang guard of 120 s, then its process group is killed)."""
    try:
        return process.communicate(timeout=120)[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _rows_done(stderr: str) -> int:
    return int(stderr.split(" after ", 1)[1].split(" rows", 1)[0].replace(",", ""))


def test_ctrl_c_ends_with_a_message_and_no_file(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it: workers ignore it, the batch stops."""
    blocks = shared_memory_blocks()
    source = _big_source(tmp_path, 100_000)
    target = tmp_path / "out.jsonl"
    process = _batch(source, target)
    _started(process, tmp_path)
    os.killpg(process.pid, signal.SIGINT)
    stderr = _finish(process)
    assert process.returncode == 130
    assert stderr == f"error: interrupted after {_rows_done(stderr):,} rows; {target} not written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]
    assert shared_memory_blocks() <= blocks


def _workers(process: subprocess.Popen[str]) -> list[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text(encoding="utf-8").split()
    return [
        int(c) for c in children if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(encoding="utf-8")
    ]


def test_a_killed_worker_ends_with_a_message_and_no_file(tmp_path: Path) -> None:
    blocks = shared_memory_blocks()
    source = _big_source(tmp_path, 100_000)
    target = tmp_path / "out.jsonl"
    process = _batch(source, target)
    _started(process, tmp_path)
    workers = _workers(process)
    os.kill(workers[0], signal.SIGKILL)
    stderr = _finish(process)
    assert process.returncode == 1
    assert (
        stderr
        == f"error: a worker process died (killed?) after {_rows_done(stderr):,} rows; {target} not written\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]
    assert shared_memory_blocks() <= blocks


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def test_a_batch_killed_outright_leaves_no_worker_and_no_shared_memory(tmp_path: Path) -> None:
    """SIGKILL to the batch alone: its workers end within seconds, and its blocks are removed."""
    blocks = shared_memory_blocks()
    process = _batch(_big_source(tmp_path, 100_000), tmp_path / "out.jsonl")
    _started(process, tmp_path)
    workers = _workers(process)
    ours = shared_memory_blocks() - blocks
    assert (len(workers), len(ours)) == (2, 4)  # two blocks per worker
    process.kill()
    stderr = _finish(process)  # the resource tracker's, which writes to the batch's stderr
    assert process.returncode == -signal.SIGKILL
    assert not [pid for pid in workers if _alive(pid)]
    assert not ours & shared_memory_blocks()
    assert "leaked shared_memory objects to clean up" in stderr


def test_a_new_target_gets_the_mode_of_a_new_file(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a")])
    mask = os.umask(0o022)
    try:
        assert run(source, tmp_path / "out.jsonl").exit_code == 0
    finally:
        os.umask(mask)
    assert (tmp_path / "out.jsonl").stat().st_mode & 0o777 == 0o644


def test_progress_shows_rows_rate_and_time_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row(f"c{n}") for n in range(600)])
    monkeypatch.setattr(_batch_cli, "_interactive", lambda: True)
    seen = []
    real = Progress.update

    def update(self: Progress, task: TaskID, **fields: float) -> None:
        real(self, task, **fields)  # type: ignore[arg-type]
        seen.append([str(column.render(self.tasks[0])) for column in self.columns[2:4]])  # type: ignore[union-attr]

    monkeypatch.setattr(Progress, "update", update)
    assert run(source, tmp_path / "out.jsonl").exit_code == 0
    assert [done for done, _ in seen] == ["256/600", "512/600", "600/600"]
    assert seen[-1][1].endswith(" rows/s")


# CSV in and out.


def test_csv_input_format(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    text = "id,mo_1,mo_2,se_1\n a ,2.0,1,\nb,2.5,1,\nc,1\nd,1,1,1,1\n\ne,1,1,declined\n"
    source.write_text(text, encoding="utf-8-sig")  # with a BOM, as Excel writes "CSV UTF-8"
    result = run(source, tmp_path / "out.csv")
    assert result.exit_code == 0
    out = list(csv.reader((tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()))
    assert [r[:2] for r in out[1:]] == [["1", "a"], ["5", "e"]]
    expected = diagnose.assess({"mo_1": 2, "mo_2": 1})
    levels = [s.level for s in expected.profile.scores.values()]
    advice = [r.intervention for r in expected.recommendations][:3]
    assert out[1][2:] == [*levels, *advice, *[""] * (3 - len(advice))]
    errors = [(e["row"], e["id"], e["error"]) for e in records(tmp_path / "out.csv.errors.jsonl")]
    assert errors == [
        (2, "b", f"item 'mo_1': {SCALE}; got 2.5"),
        (3, "c", "the row has 2 cells, the header has 4"),
        (4, "d", "the row has 5 cells, the header has 4"),
    ]


def test_csv_numbers_only_in_plain_ascii_form_and_unknown_columns_reject_their_rows(tmp_path: Path) -> None:
    """`+1`, `0_2`, other scripts' digits and 1e400 stay text (refused as such); `se1` names itself."""
    source = tmp_path / "in.csv"
    cells = ["+1", "0_2", "\u0663", "\uff11", "1e400", "2.0", "-0", "1.5e0"]
    rows = "".join(f"r{n},{cell},1,\n" for n, cell in enumerate(cells)) + "s,1,1,3\n"
    source.write_text("id,mo_1,mo_2,se1\n" + rows, encoding="utf-8")
    result = run(source, tmp_path / "out.csv")
    assert result.exit_code == 0
    out = list(csv.reader((tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()))
    assert [r[1] for r in out[1:]] == ["r5"]
    errors = [(e["row"], e["error"]) for e in records(tmp_path / "out.csv.errors.jsonl")]
    assert errors == [
        (1, f"item 'mo_1': {SCALE}; got '+1'"),
        (2, f"item 'mo_1': {SCALE}; got '0_2'"),
        (3, f"item 'mo_1': {SCALE}; got '\u0663'"),
        (4, f"item 'mo_1': {SCALE}; got '\uff11'"),
        (5, f"item 'mo_1': {SCALE}; got '1e400'"),
        (7, f"item 'mo_1': {SCALE}; got 0"),
        (8, f"item 'mo_1': {SCALE}; got 1.5"),
        (9, "item 'se1': unknown item (did you mean 'se_1'?)"),
    ]


def test_a_csv_header_with_a_column_twice_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,mo_1,mo_2,mo_1\nx,1,1,1\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    result = run(source, target)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {source}: CSV header: column 'mo_1' appears twice (columns 2 and 4); {target} not written\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_a_csv_header_the_csv_module_cannot_read_is_refused(tmp_path: Path) -> None:
    """A header cell over the csv module's field limit stops the batch with one line, no traceback."""
    source = tmp_path / "in.csv"
    source.write_text("x" * 200_000 + "\n1\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    result = run(source, target)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {source}: CSV header: not readable as CSV: field larger than field limit (131072); "
        f"{target} not written\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


UNREADABLE_HEADERS = [
    ("x" * 200_000 + "\n", "field larger than field limit (131072)"),
    (  # a stream that does not split lines at a bare CR (found by tests/property/test_entry_points.py)
        "\r0\n",
        "new-line character seen in unquoted field - do you need to open the file in universal-newline mode?",
    ),
]


@pytest.mark.parametrize(("text", "reason"), UNREADABLE_HEADERS)
def test_read_rows_refuses_a_csv_header_it_cannot_read(text: str, reason: str) -> None:
    with pytest.raises(_tables.TableError) as caught:
        list(_tables.read_rows(io.StringIO(text), "csv"))
    assert str(caught.value) == f"CSV header: not readable as CSV: {reason}"


def test_csv_bytes_that_are_not_utf8_reject_their_row(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"id,mo_1,mo_2\na,1,1\nb\xff,1,1\nc,1,\xe9\nd,1,1\n")
    result = run(source, tmp_path / "out.csv")
    assert result.exit_code == 0
    errors = [(e["row"], e["id"], e["error"]) for e in records(tmp_path / "out.csv.errors.jsonl")]
    assert errors == [(2, None, "not UTF-8 text in column 'id'"), (3, "c", "not UTF-8 text in column 'mo_2'")]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@settings(max_examples=60)
@given(
    st.lists(
        st.text(
            st.sampled_from([*FORMULA_STARTS, "a", "1", " ", '"', ",", "|", "\n"]), min_size=1, max_size=8
        ),
        min_size=1,
        max_size=5,
    )
)
def test_no_csv_cell_starts_a_formula(ids: list[str]) -> None:
    """Invariant: every text cell of a CSV summary that starts with = + - @ tab or CR is prefixed with '."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        source = jsonl(Path(folder) / "in.jsonl", [row(client) for client in ids])
        assert run(source, Path(folder) / "out.csv").exit_code == 0
        text = (Path(folder) / "out.csv").read_bytes().decode()  # with any CR as it is
    out = list(csv.reader(io.StringIO(text, newline="")))
    assert [r[1] for r in out[1:]] == [f"'{c}" if c.startswith(FORMULA_STARTS) else c for c in ids]
    assert not any(cell.startswith(FORMULA_STARTS) for r in out for cell in r)


def test_a_symlinked_target_keeps_its_link(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a")])
    (tmp_path / "store").mkdir()
    real = tmp_path / "store" / "results.jsonl"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "results.jsonl"
    link.symlink_to(real)
    assert run(source, link).exit_code == 0
    assert link.is_symlink()
    assert [r["id"] for r in records(real)] == ["a"]


def test_a_source_that_is_a_pipe_is_read_once(tmp_path: Path) -> None:
    """A pipe (`<(cat caseload.jsonl)`) has no size and is read once: no sniffing, no count, no hint."""
    lines = [row(f"c{n}") for n in range(5)]
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "diagnose", "batch", str(fifo), str(tmp_path / "out.jsonl")]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    with fifo.open("w", encoding="utf-8") as stream:
        stream.write("".join(f"{line}\n" for line in lines))
    stderr = _finish(process)
    assert process.returncode == 0, stderr
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == [f"c{n}" for n in range(5)]


def test_an_engine_error_stops_the_batch_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = jsonl(tmp_path / "in.jsonl", [row("a")])
    target = tmp_path / "out.jsonl"

    def failing(*arguments: object, **options: object) -> Iterator[object]:
        del arguments, options
        raise diagnose.EngineError("durable-rules answered code 2 to diagnose facts")
        yield  # a generator, as the real one

    monkeypatch.setattr(_batch_cli, "map_chunks", failing)
    result = run(source, target)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: durable-rules answered code 2 to diagnose facts; {target} not written\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# Sources without end, and rows too long to hold.


@pytest.mark.parametrize("device", ["/dev/full", "/dev/zero"])
def test_a_device_as_source_is_refused_before_reading(tmp_path: Path, device: str) -> None:
    result = run(device, tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {device}: a device, not a file of rows; give a file or a pipe\n")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_row_longer_than_the_limit_is_rejected_and_the_rows_after_it_assessed(tmp_path: Path) -> None:
    source = tmp_path / "long.jsonl"
    huge = "x" * (_tables.MAX_ROW + 10)
    source.write_text(f"{row('a')}\n{huge}\n{row('c')}\n", encoding="utf-8")
    result = run(source, tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == ["a", "c"]
    assert records(tmp_path / "out.jsonl.errors.jsonl") == [
        {"row": 2, "id": None, "error": "longer than 16 MiB; a row holds one intake", "problems": []}
    ]


def test_a_csv_cell_over_the_csv_limit_rejects_its_row_only(tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    source.write_text("id,se_1\na,1\nb," + "x" * 200_000 + "\nc,2\n", encoding="utf-8")
    result = run(source, tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    table = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [(r["row"], r["id"]) for r in table] == [("1", "a"), ("3", "c")]
    assert records(tmp_path / "out.csv.errors.jsonl") == [
        {
            "row": 2,
            "id": None,
            "error": "not readable as CSV: field larger than field limit (131072)",
            "problems": [],
        }
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb\n", [(1, "a\n"), (2, "b\n")]),
        ("a" * 10 + "\nb", [(1, None), (2, "b")]),
        ("a" * 25, [(1, None)]),
        ("abcd\n" + "x" * 9 + "\n", [(1, "abcd\n"), (2, "x" * 9 + "\n")]),
    ],
)
def test_bounded_lines_gives_a_too_long_line_as_none(
    text: str, expected: list[tuple[int, str | None]]
) -> None:
    assert list(_tables.bounded_lines(io.StringIO(text), limit=9)) == expected
