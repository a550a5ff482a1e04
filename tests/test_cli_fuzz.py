"""Fuzzing the command line: random commands, options, values and files never end in a traceback."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import json
import shutil
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.cli._main import cli
from tests.conftest import FIXTURE_KB

if TYPE_CHECKING:
    from pathlib import Path

INTAKE = {"answers": {"mo_1": 1, "mo_2": 1, "se_1": 2}}
#: The files every example can name, laid anew before each one (a command may have written over one).
FILES: dict[str, bytes] = {
    "intake.json": json.dumps(INTAKE).encode(),
    "intake.yaml": b"answers:\n  mo_1: 1\n  mo_2: 1\n",
    "bom.json": codecs.BOM_UTF8 + json.dumps(INTAKE).encode(),
    "empty.json": b"",
    "binary.json": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
    "utf16.yaml": "answers: {mo_1: 1}".encode("utf-16"),
    "malformed.json": b'{"answers": {"mo_1": 1,}}',
    "malformed.yaml": b"answers: {a: [1}\n",
    "tabs.yaml": b"answers:\n\tmo_1: 1\n",
    "twice.json": b'{"answers": {"mo_1": 1, "mo_1": 5}}',
    "list.json": b"[1, 2, 3]",
    "junk.json": b'{"answers": {"mo_1": [[{"x": null}]], "zz": 1e999}, "context": {"a": "b"}}',
    "deep.json": b'{"answers": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "deep.yaml": b"answers: " + b"{a: " * 3000 + b"1" + b"}" * 3000 + b"\n",
    "caseload.jsonl": b'{"id": "a", "answers": {"mo_1": 1}}\nnot json\n{"answers": 3}\n\n{"id": "b", "answers": {"mo_1": 9}}\n',
    "caseload.csv": b"id,mo_1,mo_2\na,1,1\nb,x,\n,,\n",
    "binary.csv": b"id,mo_1\n\xff\xfe,1\n",
    "no-decisions.json": b'{"decisions": []}',
    "decisions.json": json.dumps(
        {
            "decisions": [
                {
                    "intervention": "job_matching",
                    "action": "accept",
                    "professional": "km",
                    "decided_at": "2026-03-02T10:00:00+00:00",
                }
            ]
        }
    ).encode(),
}
#: Knowledge-base folders: a working one, one with a binary file, one nested past every limit.
FOLDERS = {
    "kb": None,
    "binary-kb": ("recommend/health.yaml", b"\xff\xfe\x00rules"),
    "deep-kb": ("instrument.yaml", b"id: " + b"[" * 3000 + b"]" * 3000 + b"\n"),
}
NAMES = [*FILES, *FOLDERS, "diagnosis.json", "other-kb-diagnosis.json", "trajectory.json"]
INPUTS = [f"{{root}}/{name}" for name in NAMES] + [
    "{root}/missing.json",
    "{root}",
    "-",
    "",
    "{root}/intake.json/in",
]
OUTPUTS = [
    "{root}/out.json",
    "{root}/out.csv",
    "{root}/nofolder/out.json",
    "/dev/full",
    "{root}/intake.json/out",
]
#: Any path, for an option that reads or writes.
PATHS = st.sampled_from(INPUTS + OUTPUTS)
#: What batch and compare-kb read and write: every path, devices and deep nesting included.
SOURCES = st.sampled_from(INPUTS + OUTPUTS)
DATES = st.sampled_from(["2026-03-02", "2026-03-02", "2026-04-20", "2020-01-01", "2026-02-30", "1 april", ""])
NUMBERS = st.sampled_from(["0", "1", "2", "3", "-1", "65", "x", ""])
Options = dict[str, "st.SearchStrategy[str] | None"]
#: Each command: a strategy per argument, and its options with a strategy for their value (None: a flag).
COMMANDS: dict[str, tuple[list[st.SearchStrategy[str]], Options]] = {
    "assess": ([PATHS], {"--kb": PATHS, "--json": None, "--lang": st.sampled_from(["nl", "en", "fr"])}),
    "check": (
        [PATHS],
        {
            "--format": st.sampled_from(["text", "json", "xml"]),
            "--strict": None,
            "--ignore": st.sampled_from(["coverage-gap", "redundant", "never-fires", "x"]),
        },
    ),
    "schema": ([], {"--kb": PATHS, "--intake": None, "--result": None, "--knowledge-base": None}),
    "catalog": (
        [],
        {"--kb": PATHS, "--format": st.sampled_from(["markdown", "html"]), "--lang": st.just("en")},
    ),
    "batch": ([SOURCES, SOURCES], {"--kb": PATHS, "--errors": PATHS, "--workers": NUMBERS, "--top": NUMBERS}),
    "compare-kb": ([SOURCES, SOURCES, SOURCES], {"--json": None, "--cases": NUMBERS}),
    "plan": ([PATHS, PATHS], {"--kb": PATHS, "--as-of": DATES, "-o": PATHS}),
    "compare": ([PATHS, PATHS], {"--kb": PATHS, "--allow-other-version": None, "-o": PATHS}),
    "review": ([PATHS], {"--kb": PATHS, "--as-of": DATES, "-o": PATHS}),
    "evaluate": ([PATHS], {"--kb": PATHS, "--as-of": DATES, "-o": PATHS}),
    "chart": (
        [PATHS],
        {"--kb": PATHS, "--before": PATHS, "--lang": st.sampled_from(["nl", "en"]), "-o": PATHS},
    ),
}
STDIN = st.sampled_from(
    [None, "", json.dumps(INTAKE), '{"answers": {"mo_1": 1,}}', "answers: [1", "\x00\x01", "[" * 3000]
)


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A command (now and then a wrong one), its arguments (now and then one too few or too many), options.

    Mostly well-formed, so that most lines reach the files: a fuzzer that only ever meets usage
    errors tests click, not diagnose.
    """
    command = draw(st.sampled_from([*COMMANDS, *COMMANDS, "asess", "--version", "-h"]))
    arguments, options = COMMANDS.get(command, ([], {}))
    count = draw(st.sampled_from([len(arguments)] * 6 + [max(0, len(arguments) - 1), len(arguments) + 1]))
    units = [[draw(arguments[n] if n < len(arguments) else SOURCES)] for n in range(count)]
    if "--as-of" in options and draw(st.integers(0, 9)):
        units.append(["--as-of", draw(DATES)])
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from([*options, *options, *options, "--kb", "--nope", "--help"]))
        value = options.get(name, PATHS if name == "--kb" else None)
        units.append([name] if value is None else [name, draw(value)])
    order = draw(st.permutations(range(len(units))))
    return [command] + [token for n in order for token in units[n]]


def lay(root: Path) -> None:
    """Write every file of FILES and every knowledge-base folder into root, as they should be."""
    for name, data in FILES.items():
        (root / name).write_bytes(data)
    for name, edit in FOLDERS.items():
        if (root / name).exists():
            continue
        shutil.copytree(FIXTURE_KB, root / name)
        if edit is not None:
            (root / name / edit[0]).write_bytes(edit[1])


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the fuzzed files, a diagnosis, one from another knowledge base, and a trajectory."""
    folder = tmp_path_factory.mktemp("fuzz")
    lay(folder)
    kb = diagnose.load_knowledge_base(FIXTURE_KB)
    intake = diagnose.assess(INTAKE["answers"], knowledge_base=kb, as_of=dt.date(2026, 3, 2))
    (folder / "diagnosis.json").write_text(intake.model_dump_json(), encoding="utf-8")
    other = diagnose.assess({"se_1": 1, "mo_1": 5}, as_of=dt.date(2026, 4, 20))  # the packaged knowledge base
    (folder / "other-kb-diagnosis.json").write_text(other.model_dump_json(), encoding="utf-8")
    trajectory = diagnose.Trajectory(client="c", intake=intake)
    (folder / "trajectory.json").write_text(trajectory.model_dump_json(), encoding="utf-8")
    return folder


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(command_lines(), STDIN)
def test_every_outcome_is_an_exit_code_never_a_traceback(
    root: Path, line: list[str], stdin: str | None
) -> None:
    """Invariant: any command line over any of these files exits 0, 1 or 2, with no exception escaping."""
    lay(root)
    args = [token.format(root=root) for token in line]
    with contextlib.chdir(root):  # "-" or "" as a file to write names one in the working folder
        result = CliRunner().invoke(cli, args, input=stdin)
    assert result.exit_code in {0, 1, 2}, (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in result.output
    if result.exit_code and not (line[0] == "check" and result.exit_code == 1):  # check reports on stdout
        if line[0] == "batch":  # its summary line comes first and a hint may follow: one error line
            assert sum(out.startswith("error: ") for out in result.stderr.splitlines()) == 1, result.stderr
        else:
            assert result.stderr.startswith("error: "), (args, result.stderr)
