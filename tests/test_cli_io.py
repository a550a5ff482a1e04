"""Every command-line failure is one pinned line on stderr with its exit code: 1 for data, 2 for usage."""

from __future__ import annotations

import codecs
import errno
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

import diagnose
from diagnose.cli._main import cli
from tests.conftest import FIXTURE_KB

if TYPE_CHECKING:
    from tests.conftest import MakeKb

INTAKE = {"answers": {"mo_1": 1, "mo_2": 1}}
#: File name → bytes, written into a scratch folder before each case.
FILES: dict[str, bytes] = {
    "intake.json": json.dumps(INTAKE).encode(),
    "intake.yaml": b"answers:\n  mo_1: 1\n  mo_2: 1\n",
    "bom.json": codecs.BOM_UTF8 + json.dumps(INTAKE).encode(),
    "binary.json": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "binary.yaml": b"answers:\n  mo_1: 1\n  mo_2: \xe9\n",
    "utf16.json": json.dumps(INTAKE).encode("utf-16"),
    "trailing.json": b'{"answers": {"mo_1": 1,}}',
    "colon.json": b'{"answers": {"mo_1" 1}}',
    "unquoted.json": b"{answers: {mo_1: 1}}",
    "twice.json": b'{"answers": {"mo_1": 1,\n  "mo_1": 5}}',
    "two.json": b'{"answers": {}}\n{"answers": {}}\n',
    "empty.json": b"",
    "blank.yaml": b"\n  \n",
    "list.json": b'{"answers": [1, 2]}',
    "deep.json": b'{"answers": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "deep.yaml": b"answers: " + b"[" * 1100 + b"]" * 1100 + b"\n",
    "yes-no.yaml": b"answers: {mo_1: yes}\n",
    "no-decisions.json": b'{"decisions": []}',
    "decisions.json": json.dumps(
        {
            "decisions": [
                {
                    "intervention": "job_matching",
                    "action": "accept",
                    "professional": "km-17",
                    "decided_at": "2026-03-02T10:00:00+00:00",
                }
            ]
        }
    ).encode(),
}
KB = str(FIXTURE_KB)
D = "{tmp}/diagnosis.json"

#: (id, arguments, exit code, stderr); {tmp} is the scratch folder, {kb} the fixture knowledge base.
CASES = [
    ("binary", ["assess", "{tmp}/binary.json"], 1,
     "error: {tmp}/binary.json:1:1: not UTF-8 text: byte 0x89 cannot be read; save the file as UTF-8"),
    ("latin-1", ["assess", "{tmp}/binary.yaml"], 1,
     "error: {tmp}/binary.yaml:3:9: not UTF-8 text: byte 0xe9 cannot be read; save the file as UTF-8"),
    ("utf-16", ["assess", "{tmp}/utf16.json"], 1, "error: {tmp}/utf16.json: UTF-16 text; save the file as UTF-8"),
    ("trailing comma", ["assess", "{tmp}/trailing.json"], 1,
     "error: {tmp}/trailing.json:1:24: JSON syntax error: a comma after the last entry; JSON allows none there"),
    ("missing colon", ["assess", "{tmp}/colon.json"], 1,
     "error: {tmp}/colon.json:1:21: JSON syntax error: expecting ':' delimiter"),
    ("unquoted key", ["assess", "{tmp}/unquoted.json"], 1,
     "error: {tmp}/unquoted.json:1:2: JSON syntax error: expected a key in double quotes"),
    ("duplicate key", ["assess", "{tmp}/twice.json"], 1,
     "error: {tmp}/twice.json:2:3: duplicate key 'mo_1' (first given at line 1, column 14)"),
    ("two documents", ["assess", "{tmp}/two.json"], 1,
     "error: {tmp}/two.json:2:1: JSON syntax error: more text after the end of the JSON value; a JSON file holds one value"),
    ("empty", ["assess", "{tmp}/empty.json"], 1, "error: {tmp}/empty.json: the file is empty"),
    ("blank", ["assess", "{tmp}/blank.yaml"], 1, "error: {tmp}/blank.yaml: the file is empty"),
    ("not a mapping", ["assess", "{tmp}/list.json"], 1,
     "error: {tmp}/list.json:1:13: answers: expected a mapping of id to value"),
    ("deep json", ["assess", "{tmp}/deep.json"], 1,
     "error: {tmp}/deep.json:1:112: JSON nested too deeply (more than 100 levels); write it flatter"),
    ("deep yaml", ["assess", "{tmp}/deep.yaml"], 1,
     "error: {tmp}/deep.yaml:1:109: YAML nested too deeply (more than 100 levels); write it flatter"),
    ("a folder", ["assess", "{tmp}"], 1, "error: {tmp}: cannot read the file: Is a directory"),
    ("no file", ["chart", "{tmp}/none.json"], 1, "error: {tmp}/none.json: cannot read the file: No such file or directory"),
    ("stdin json", ["assess", "-"], 1,
     "error: <stdin>:1:24: JSON syntax error: a comma after the last entry; JSON allows none there"),
    ("yaml 1.2 booleans", ["assess", "{tmp}/yes-no.yaml", "--kb", "{kb}"], 1,
     "error: {tmp}/yes-no.yaml: item 'mo_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got 'yes'"),
    ("chart into a missing folder", ["chart", D, "--kb", "{kb}", "-o", "{tmp}/missing/chart.svg"], 1,
     "error: {tmp}/missing/chart.svg: the folder {tmp}/missing does not exist; diagnose creates no folders"),
    ("compare into a missing folder", ["compare", D, D, "--kb", "{kb}", "-o", "{tmp}/missing/c.json"], 1,
     "error: {tmp}/missing/c.json: the folder {tmp}/missing does not exist; diagnose creates no folders"),
    ("plan into a missing folder",
     ["plan", D, "{tmp}/no-decisions.json", "--kb", "{kb}", "--as-of", "2026-03-02", "-o", "{tmp}/missing/p.json"], 1,
     "error: {tmp}/missing/p.json: the folder {tmp}/missing does not exist; diagnose creates no folders"),
    ("a file as the folder", ["chart", D, "--kb", "{kb}", "-o", "{tmp}/intake.json/chart.svg"], 1,
     "error: {tmp}/intake.json/chart.svg: the folder {tmp}/intake.json is not a folder; diagnose creates no folders"),
    ("disk full", ["chart", D, "--kb", "{kb}", "-o", "/dev/full"], 1,
     "error: /dev/full: cannot write the file: No space left on device"),
    ("decisions counted from 1", ["plan", D, "{tmp}/decisions.json", "--kb", "{kb}", "--as-of", "2026-03-02"], 1,
     "error: decision 1: 'job_matching' was not recommended (the diagnosis recommends: motivational_interviewing)"),
    ("the wrong kind of file", ["plan", D, D, "--kb", "{kb}", "--as-of", "2026-03-02"], 1,
     "error: {tmp}/diagnosis.json: this file holds a diagnosis ('kind': 'diagnosis'); expected a decisions file"),
    ("not a diagnosis", ["chart", "{tmp}/decisions.json", "--kb", "{kb}"], 1,
     "error: {tmp}/decisions.json: not a valid diagnosis: 7 problems\n"
     "  {tmp}/decisions.json:1:1: profile: Field required\n"
     "  {tmp}/decisions.json:1:1: recommendations: Field required\n"
     "  {tmp}/decisions.json:1:1: trace: Field required\n"
     "  {tmp}/decisions.json:1:1: knowledge_base_id: Field required\n"
     "  {tmp}/decisions.json:1:1: knowledge_base_version: Field required\n"
     "  {tmp}/decisions.json:1:1: knowledge_base_hash: Field required\n"
     "  {tmp}/decisions.json:1:15: decisions: Extra inputs are not permitted"),
    ("no knowledge base", ["assess", "{tmp}/intake.json", "--kb", "{tmp}/nonexistent"], 1,
     "error: {tmp}/nonexistent: not a knowledge-base folder (it does not exist or is not a folder)"),
    ("missing --as-of", ["plan", D, "{tmp}/decisions.json"], 2,
     "error: Missing option '--as-of': give the date as YYYY-MM-DD (the library never reads the clock). "
     "Try 'diagnose plan --help' for help."),
    ("bad --as-of", ["review", D, "--as-of", "2026-13-01"], 2,
     "error: Invalid value for '--as-of': expected a date as YYYY-MM-DD, got '2026-13-01'. "
     "Try 'diagnose review --help' for help."),
    ("two schemas", ["schema", "--knowledge-base", "--result"], 2,
     "error: --result and --knowledge-base cannot be combined: give one of --intake, --result, --knowledge-base. "
     "Try 'diagnose schema --help' for help."),
    ("three schemas", ["schema", "--intake", "--knowledge-base", "--result"], 2,
     "error: --intake, --result and --knowledge-base cannot be combined: give one of --intake, --result, "
     "--knowledge-base. Try 'diagnose schema --help' for help."),
    ("unknown command", ["asess"], 2, "error: No such command 'asess'. Did you mean 'assess'? Try 'diagnose --help' for help."),
    ("unknown option", ["assess", "{tmp}/intake.json", "--jsn"], 2,
     "error: No such option '--jsn'. Did you mean '--json'? Try 'diagnose assess --help' for help."),
    ("an empty path", ["chart", ""], 2,
     "error: Invalid value for 'DIAGNOSIS_FILE': an empty path; give a file or folder name. Try 'diagnose chart --help' for help."),
    ("an empty --kb", ["assess", "{tmp}/intake.json", "--kb", ""], 2,
     "error: Invalid value for '--kb': an empty path; give a file or folder name. Try 'diagnose assess --help' for help."),
    ("a folder as output", ["chart", D, "--kb", "{kb}", "-o", "{tmp}"], 1, "error: {tmp}: cannot write the file: Is a directory"),
    ("a device of endless zeros", ["assess", "/dev/zero"], 1,
     "error: /dev/zero: more than 64 MiB; an intake or a cycle file is far smaller"),
    ("missing argument", ["compare", D], 2,
     "error: Missing argument 'AFTER_FILE'. Try 'diagnose compare --help' for help."),
]  # fmt: skip
#: Cases that succeed: a byte-order mark is not an error, and neither is YAML.
GOOD = [["assess", "{tmp}/bom.json", "--kb", "{kb}"], ["assess", "{tmp}/intake.yaml", "--kb", "{kb}"]]


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A folder with every file of FILES and a diagnosis made with the fixture knowledge base."""
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    code, out, _ = run(["assess", str(tmp_path / "intake.json"), "--json", "--kb", KB])
    assert code == 0
    (tmp_path / "diagnosis.json").write_text(out, encoding="utf-8")
    return tmp_path


def fill(args: list[str], tmp: Path) -> list[str]:
    return [a.format(tmp=tmp, kb=KB) for a in args]


@pytest.mark.parametrize(("args", "code", "err"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_failure_is_pinned(scratch: Path, args: list[str], code: int, err: str) -> None:
    stdin = '{"answers": {"mo_1": 1,}}' if "-" in args else None
    assert run(fill(args, scratch), stdin) == (code, "", err.format(tmp=scratch) + "\n")


@pytest.mark.parametrize("args", GOOD)
def test_a_byte_order_mark_and_yaml_are_read(scratch: Path, args: list[str]) -> None:
    code, out, err = run(fill(args, scratch))
    assert (code, err) == (0, "")
    assert "Motiverende gespreksvoering" in out


def test_a_chart_with_another_knowledge_base_says_so(scratch: Path) -> None:
    missing = [
        f
        for f in diagnose.load_knowledge_base().factors
        if f not in ("self_efficacy", "motivation", "health")
    ]
    assert run(["chart", str(scratch / "diagnosis.json")]) == (
        1,
        "",
        f"error: {scratch}/diagnosis.json: profile does not fit the knowledge base (no score for {', '.join(missing)}); "
        "was it scored with another one? Give the knowledge base that made it with --kb.\n",
    )


def test_compare_names_the_command_line_option(scratch: Path, make_kb: MakeKb) -> None:
    other = make_kb(
        {"interventions.yaml": ("    targets: [health]\n", "    targets: [health, motivation]\n")}
    )
    code, out, _ = run(["assess", str(scratch / "intake.json"), "--json", "--kb", str(other)])
    assert code == 0
    (scratch / "other.json").write_text(out, encoding="utf-8")
    first = diagnose.Diagnosis.model_validate_json((scratch / "diagnosis.json").read_text(encoding="utf-8"))
    second = diagnose.Diagnosis.model_validate_json(out)
    args = ["compare", str(scratch / "diagnosis.json"), str(scratch / "other.json"), "--kb", KB]
    assert run(args) == (
        1,
        "",
        f"error: {scratch}/diagnosis.json, {scratch}/other.json: the measurements come from different "
        f"knowledge-base versions (0.1.0 {first.knowledge_base_hash[:19]} and 0.1.0 {second.knowledge_base_hash[:19]}); "
        "give --allow-other-version to compare them anyway\n",
    )
    code, out, _ = run([*args, "--allow-other-version", "--json"])
    assert code == 0
    assert json.loads(out)["factors"][1]["factor"] == "motivation"


def test_an_unreadable_file_is_one_line(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, who may read anything: the refusal is the system's, so it is simulated."""
    opened = Path.open
    secret = scratch / "intake.json"

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == secret:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return opened(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    assert run(["assess", str(secret)]) == (
        1,
        "",
        f"error: {scratch}/intake.json: cannot read the file: Permission denied\n",
    )


def test_an_unwritable_file_is_one_line(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = Path.open

    def refuse(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return opened(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    assert run(["chart", str(scratch / "diagnosis.json"), "--kb", KB, "-o", str(scratch / "c.svg")]) == (
        1,
        "",
        f"error: {scratch}/c.svg: cannot write the file: Permission denied\n",
    )


@pytest.mark.parametrize(
    ("raised", "err"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/srv/kb/instrument.yaml"),
         "error: /srv/kb/instrument.yaml: Permission denied\n"),
        (OSError(errno.EIO, "Input/output error"), "error: Input/output error\n"),
        (OSError(errno.ENOSPC, "No space left on device"), "error: cannot write the output: No space left on device\n"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
         "error: a file is not UTF-8 text (invalid start byte); save it as UTF-8\n"),
        (diagnose.AnswerError([diagnose.AnswerProblem("item", "x", "unknown item")]), "error: item 'x': unknown item\n"),
        (KeyboardInterrupt(), "\nerror: interrupted\n"),
    ],
)  # fmt: skip
def test_the_users_errors_are_caught_in_one_place(
    monkeypatch: pytest.MonkeyPatch, raised: BaseException, err: str
) -> None:
    """Whatever command meets a system error, a file that is not text or bad data: one line, exit 1."""

    def fail(*_: object) -> str:
        raise raised

    monkeypatch.setattr("diagnose.cli._main.render_markdown", fail)
    assert run(["catalog"]) == (1, "", err)


def test_a_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A KeyError is no user's mistake: it is not dressed up as one, so it gets reported and fixed."""

    def fail(*_: object) -> str:
        raise KeyError("self_efficacy")

    monkeypatch.setattr("diagnose.cli._main.render_markdown", fail)
    result = CliRunner().invoke(cli, ["catalog"])
    assert isinstance(result.exception, KeyError)
    assert result.stderr == ""


def test_a_full_disk_behind_stdout_is_one_line() -> None:
    with Path("/dev/full").open("w", encoding="utf-8") as full:
        done = subprocess.run(
            [sys.executable, "-m", "diagnose", "schema", "--result"],
            stdout=full,
            capture_output=False,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )
    assert (done.returncode, done.stderr) == (1, "error: cannot write the output: No space left on device\n")


ROOT = Path(__file__).parents[1]
CONSOLE = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def sessions(page: str) -> list[tuple[str, str, int | None]]:
    """(command, its output, its exit code if an `echo $?` shows it) for each `$ diagnose` line of a page."""
    out: list[tuple[str, str, int | None]] = []
    for block in CONSOLE.findall((ROOT / "docs" / page).read_text(encoding="utf-8")):
        for part in block.split("$ ")[1:]:
            command, _, output = part.partition("\n")
            if command == "echo $?":
                out[-1] = (out[-1][0], out[-1][1], int(output))
            else:
                out.append((command, output, None))
    return out


CLI_PAGE = sessions("cli.md")


@pytest.mark.parametrize(("command", "output", "code"), CLI_PAGE, ids=[c for c, _, _ in CLI_PAGE])
def test_the_failures_shown_in_the_docs_are_exact(
    command: str, output: str, code: int | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console blocks of docs/cli.md run from a folder with examples/ and rules/, as test_docs does."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    stdin = None
    if " | " in command:
        echo, command = command.split(" | ")
        stdin = shlex.split(echo)[1] + "\n"
    assert command.startswith("diagnose ")
    result = CliRunner().invoke(cli, shlex.split(command)[1:], input=stdin)
    assert result.stdout + result.stderr == output
    assert result.exit_code in ({1, 2} if code is None else {code})


def test_the_docs_show_both_exit_codes() -> None:
    assert {code for _, _, code in CLI_PAGE} >= {1, 2}
