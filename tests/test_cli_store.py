"""`diagnose client` and `diagnose caseload` on a store, on SQLite and (given a server) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

import diagnose
from diagnose.cli._main import cli
from tests.store_backends import BACKENDS, database

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).parents[1]
INTAKE = "examples/intake-low-self-efficacy.json"
LATER = "examples/remeasurement-low-self-efficacy.json"


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIAGNOSE_STORE", raising=False)
    yield from database(request.param, tmp_path)


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--store", url])


def ok(url: str, *args: str) -> str:
    result = run(url, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def fails(url: str, *args: str) -> str:
    result = run(url, *args)
    assert result.exit_code == 1, (args, result.output)
    assert result.stdout == ""
    return result.stderr


def whole_cycle(url: str) -> None:
    km = ("--professional", "km-17")
    ok(
        url,
        "client",
        "new",
        "c-0042",
        INTAKE,
        "--as-of",
        "2026-03-02",
        *km,
        "--own-goal",
        "Werken in een winkel",
    )
    ok(url, "client", "decide", "c-0042", "success_experiences", "accept", "--as-of", "2026-03-02", *km)
    ok(
        url,
        "client",
        "decide",
        "c-0042",
        "job_search_training",
        "decline",
        "--reason",
        "timing",
        "--as-of",
        "2026-03-02",
        *km,
    )
    ok(url, "client", "plan", "c-0042", "--as-of", "2026-03-02", *km)
    ok(url, "client", "measure", "c-0042", LATER, "--as-of", "2026-04-20", *km)
    ok(url, "client", "evaluate", "c-0042", "--as-of", "2026-08-31", *km)


def test_one_client_from_intake_to_evaluation_with_the_cli_alone(url: str) -> None:
    whole_cycle(url)
    shown = json.loads(ok(url, "client", "show", "c-0042", "--json", "--chart", "profile.svg"))
    stored = diagnose.Trajectory.model_validate(shown)
    assert stored.plan is not None
    assert stored.plan.own_goal == "Werken in een winkel"  # the own goal flows from the intake to the plan
    assert [(d.intervention, d.action, d.reason) for d in stored.plan.decisions] == [
        ("success_experiences", "accept", None),
        ("job_search_training", "decline", "timing"),
    ]
    assert stored.evaluated_on == dt.date(2026, 8, 31)
    assert [m.assessed_on for m in stored.measurements] == [dt.date(2026, 4, 20)]
    assert Path("profile.svg").read_text(encoding="utf-8").startswith("<svg")
    kb = diagnose.load_knowledge_base()
    indicators = diagnose.CaseloadIndicators.model_validate_json(
        ok(url, "caseload", "indicators", "--as-of", "2026-09-01", "--json")
    )
    assert indicators == diagnose.caseload_indicators([stored], as_of=dt.date(2026, 9, 1), knowledge_base=kb)
    history = json.loads(ok(url, "client", "history", "c-0042", "--json"))
    assert [e["kind"] for e in history] == [
        "intake",
        "decisions",
        "decisions",
        "plan",
        "measurement",
        "evaluation",
    ]
    assert ok(url, "caseload", "verify").startswith("ok: 6 events, 1 clients (0 erased); head sha256:")


def test_tables_speak_dutch_by_default_and_english_on_request(url: str) -> None:
    whole_cycle(url)
    dutch = ok(url, "client", "show", "c-0042")
    english = ok(url, "client", "show", "c-0042", "--lang", "en")
    assert (
        dutch.splitlines()[3]
        == "2026-03-02  plan        km-17    Geloof in eigen kunnen: van laag naar midden; eigen doel: Werken in een winkel"
    )
    assert (
        english.splitlines()[3]
        == "2026-03-02  plan        km-17    Job-search self-efficacy: from low to medium; own goal: Werken in een winkel"
    )
    assert ok(url, "client", "review", "c-0042", "--as-of", "2026-09-01", "--lang", "en").startswith(
        "- close_goal (Job-search self-efficacy): The goal has been reached."
    )
    ok(url, "client", "new", "c-2", INTAKE, "--as-of", "2026-03-02", "--professional", "km-17")
    assert (
        ok(url, "client", "review", "c-2", "--as-of", "2026-03-02") == "c-2: geen suggesties op 2026-03-02\n"
    )


def test_assess_shows_the_latest_diagnosis_on_a_date(url: str) -> None:
    whole_cycle(url)
    at_intake = json.loads(ok(url, "client", "assess", "c-0042", "--as-of", "2026-04-19", "--json"))
    latest = json.loads(ok(url, "client", "assess", "c-0042", "--json"))
    assert (at_intake["assessed_on"], latest["assessed_on"]) == ("2026-03-02", "2026-04-20")
    assert "Success experiences" in ok(
        url, "client", "assess", "c-0042", "--as-of", "2026-03-02", "--lang", "en"
    )


REFUSED = [
    (
        ("client", "plan", "c-1", "--as-of", "2026-03-02", "--professional", "km-17"),
        "error: unknown client 'c-1': record its intake first\n",
    ),
    (
        ("client", "new", "Jan Jansen", INTAKE, "--as-of", "2026-03-02", "--professional", "km-17"),
        "error: client id 'Jan Jansen': expected 1 to 64 letters, digits, '.', '_', ':' or '-' (no spaces), starting with a letter or digit; use a pseudonymous id such as 'c-0042'\n",
    ),
    (
        (
            "client",
            "decide",
            "c-0042",
            "job_search_training",
            "decline",
            "--as-of",
            "2026-03-02",
            "--professional",
            "km-17",
        ),
        "error: decision: a decline needs a reason: one of client_preference, not_available, already_in_progress, professional_judgement, timing, other\n",
    ),
    (
        ("client", "measure", "c-0042", LATER, "--as-of", "2026-03-01", "--professional", "km-17"),
        "error: client 'c-0042': measurement 1 (2026-03-01) is dated before the intake (2026-03-02)\n",
    ),
    (
        ("client", "evaluate", "c-0042", "--as-of", "2026-09-01", "--professional", "km-17"),
        "error: client 'c-0042' has no plan yet: record a plan before the evaluation\n",
    ),
    (
        ("client", "plan", "c-0042", "--as-of", "2026-03-01", "--professional", "km-17"),
        "error: client 'c-0042': the plan date 2026-03-01 is before the intake on 2026-03-02\n",
    ),
    (("client", "forget", "c-0042"), "error: this erases client 'c-0042' for good; add --yes to confirm\n"),
    (
        ("client", "assess", "c-0042", "--as-of", "2026-03-01"),
        "error: client 'c-0042' had no diagnosis yet on 2026-03-01 (the intake was on 2026-03-02)\n",
    ),
]


@pytest.mark.parametrize(
    ("args", "message"), REFUSED, ids=[" ".join(a[:2]) + f" {n}" for n, (a, _) in enumerate(REFUSED)]
)
def test_refusals_are_one_line_and_exit_1(url: str, args: tuple[str, ...], message: str) -> None:
    ok(url, "client", "new", "c-0042", INTAKE, "--as-of", "2026-03-02", "--professional", "km-17")
    assert fails(url, *args) == message
    assert len(json.loads(ok(url, "client", "history", "c-0042", "--json"))) == 1


def test_forget_export_import_and_verify(url: str, tmp_path: Path) -> None:
    whole_cycle(url)
    assert ok(url, "caseload", "export", "backup.jsonl") == "6 events written to backup.jsonl\n"
    copy = str(tmp_path / "copy.sqlite")
    assert ok(copy, "caseload", "import", "backup.jsonl") == "6 events imported from backup.jsonl\n"
    assert ok(copy, "client", "show", "c-0042", "--json") == ok(url, "client", "show", "c-0042", "--json")
    assert (
        fails(copy, "caseload", "import", "backup.jsonl")
        == "error: backup.jsonl:2: client 'c-0042' is already in this store; nothing imported\n"
    )
    head = ok(url, "caseload", "verify").split("head ")[1].strip()
    assert (
        ok(url, "client", "forget", "c-0042", "--as-of", "2026-10-01", "--yes")
        == "c-0042: 6 events erased; the erasure is recorded\n"
    )
    assert (
        fails(url, "client", "show", "c-0042")
        == "error: client 'c-0042' was erased on 2026-10-01; nothing more can be recorded or read for it\n"
    )
    assert ok(url, "caseload", "verify", "--head", head).startswith(
        "ok: 7 events, 1 clients (1 erased); head "
    )
    assert "(erased)" in ok(url, "client", "history", "c-0042", "--lang", "en")


def test_the_store_comes_from_the_environment_else_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    args = ["client", "new", "c-1", INTAKE, "--as-of", "2026-03-02", "--professional", "km-17"]
    monkeypatch.delenv("DIAGNOSE_STORE", raising=False)
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert (tmp_path / "caseload.sqlite").exists()
    monkeypatch.setenv("DIAGNOSE_STORE", str(tmp_path / "team.sqlite"))
    assert CliRunner().invoke(cli, [*args[:2], "c-2", *args[3:]]).exit_code == 0
    with diagnose.open_caseload(tmp_path / "team.sqlite") as store:
        assert store.clients() == ("c-2",)


#: Every store command that takes a date: its arguments, the date option, and whether it is required.
DATED = [
    (("client", "new", "c-2", INTAKE, "--professional", "km-17"), "--as-of", True),
    (("client", "assess", "c-0042"), "--as-of", False),
    (
        ("client", "decide", "c-0042", "success_experiences", "accept", "--professional", "km-17"),
        "--as-of",
        True,
    ),
    (("client", "plan", "c-0042", "--professional", "km-17"), "--as-of", True),
    (("client", "measure", "c-0042", LATER, "--professional", "km-17"), "--as-of", True),
    (("client", "review", "c-0042"), "--as-of", True),
    (("client", "evaluate", "c-0042", "--professional", "km-17"), "--as-of", True),
    (("client", "forget", "c-0042", "--yes"), "--as-of", False),
    (("caseload", "indicators"), "--as-of", True),
    (("caseload", "indicators", "--as-of", "2026-09-01"), "--since", False),
    (("caseload", "indicators", "--as-of", "2026-09-01"), "--until", False),
]


@pytest.mark.parametrize("bad", ["2 maart", "2026-02-30", "1-april", ""])
@pytest.mark.parametrize(
    ("args", "option", "required"), DATED, ids=[f"{' '.join(a[:2])} {o}" for a, o, _ in DATED]
)
def test_a_bad_date_is_a_usage_error_before_the_store_is_opened(
    tmp_path: Path, args: tuple[str, ...], option: str, bad: str, *, required: bool
) -> None:
    del required
    store = tmp_path / "caseload.sqlite"
    result = CliRunner().invoke(cli, [*args, option, bad, "--store", str(store)])
    command = " ".join(args[:2])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"error: Invalid value for '{option}': expected a date as YYYY-MM-DD, got {bad!r}. "
        f"Try 'diagnose {command} --help' for help.\n",
    )
    assert not store.exists()


@pytest.mark.parametrize(
    ("args", "option"), [(a, o) for a, o, r in DATED if r], ids=[" ".join(a[:2]) for a, _, r in DATED if r]
)
def test_a_missing_date_is_a_usage_error_where_the_step_needs_one(
    tmp_path: Path, args: tuple[str, ...], option: str
) -> None:
    store = tmp_path / "caseload.sqlite"
    result = CliRunner().invoke(cli, [*args, "--store", str(store)])
    command = " ".join(args[:2])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"error: Missing option '{option}': give the date as YYYY-MM-DD (the library never reads the clock). "
        f"Try 'diagnose {command} --help' for help.\n",
    )
    assert not store.exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [(a, o) for a, o, r in DATED if not r],
    ids=[f"{' '.join(a[:2])} {o}" for a, o, r in DATED if not r],
)
def test_an_optional_date_may_be_left_out(url: str, args: tuple[str, ...], option: str) -> None:
    del option
    ok(url, "client", "new", "c-0042", INTAKE, "--as-of", "2026-03-02", "--professional", "km-17")
    ok(url, *args)


def test_rungs_recorded_on_the_command_line_are_counted(url: str) -> None:
    km = ("--professional", "km-17")
    ok(url, "client", "new", "c-1", INTAKE, "--as-of", "2026-03-02", "--rung", "2", *km)
    shown = ok(
        url, "client", "measure", "c-1", LATER, "--as-of", "2026-04-20", "--rung", "3", *km, "--lang", "en"
    )
    assert shown.splitlines()[-1] == "Participation ladder: +1 rungs"
    found = json.loads(ok(url, "caseload", "indicators", "--as-of", "2026-05-01", "--json"))
    assert (found["up_a_rung"], found["rung_measured_twice"]) == (1.0, 1)
    assert fails(url, "client", "new", "c-2", INTAKE, "--as-of", "2026-03-02", "--rung", "9", *km) == (
        f"error: {INTAKE}: argument 'participation_rung': expected a whole number from 1 to 6 "
        "(a rung of the ladder), got builtins.int 9\n"
    )
