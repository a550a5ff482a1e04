"""The documented walk through one client's whole cycle, run as a test."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import diagnose
from diagnose import Decision, Trajectory
from diagnose.cli._main import cli
from diagnose.cycle.monitoring import review
from tests.conftest import default_kb

SCRIPT = Path(__file__).parents[1] / "examples" / "cycle_walkthrough.py"


def walkthrough() -> Any:  # noqa: ANN401 - the example script's module
    spec = importlib.util.spec_from_file_location("cycle_walkthrough", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_whole_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = walkthrough().main(tmp_path)
    assert outcome["intake"] == [
        "success_experiences",
        "group_job_search_course",
        "motivational_interviewing",
    ]  # the client's wish first
    assert outcome["goals"] == ["self_efficacy", "motivation"]
    assert outcome["first_review"] == [
        ("reconsider_intervention", "motivation"),
        ("close_goal", "self_efficacy"),
    ]
    assert "evaluate" in outcome["overdue_review"]
    assert outcome["improved"] == ("self_efficacy", "motivation")
    assert outcome["steps"] == ("intake", "plan", "monitoring", "evaluation")
    assert outcome["reached"] == [("self_efficacy", True), ("motivation", True)]
    assert (
        "3 review: ['reconsider_intervention motivation goal_setting_coaching', 'close_goal self_efficacy']"
        in capsys.readouterr().out
    )
    stored = Trajectory.model_validate_json((tmp_path / "4-trajectory.json").read_text(encoding="utf-8"))
    assert (
        diagnose.evaluate(stored, as_of=dt.date(2026, 9, 1), knowledge_base=default_kb()).steps_missing == ()
    )
    assert (tmp_path / "profile.svg").read_text(encoding="utf-8").startswith("<svg")


def trajectory_file(tmp_path: Path) -> Path:
    walkthrough().main(tmp_path)
    return tmp_path / "4-trajectory.json"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cycle_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = trajectory_file(tmp_path)
    capsys.readouterr()
    code, out, _ = run("review", str(path), "--as-of", "2026-04-20", "--json")
    assert code == 0
    assert [s["action"] for s in json.loads(out)["suggestions"]] == ["reconsider_intervention", "close_goal"]
    code, out, _ = run("evaluate", str(path), "--as-of", "2026-09-01", "--json")
    assert (code, json.loads(out)["steps_missing"]) == (0, [])
    code, out, _ = run(
        "compare", str(tmp_path / "1-intake.json"), str(tmp_path / "3-measurement-2.json"), "--json"
    )
    assert (code, json.loads(out)["improved"]) == (0, ["self_efficacy", "motivation"])
    code, out, _ = run(
        "chart",
        str(tmp_path / "3-measurement-2.json"),
        "--before",
        str(tmp_path / "1-intake.json"),
        "--lang",
        "en",
    )
    assert code == 0
    assert "Before" in out
    decisions = tmp_path / "decisions.json"
    decisions.write_text(
        json.dumps({"decisions": [{"intervention": "motivational_interviewing", "action": "decline", "reason": "timing",
                                   "professional": "km-17", "decided_at": "2026-03-02T10:00:00+00:00"}]}),
        encoding="utf-8",
    )  # fmt: skip
    code, out, _ = run(
        "plan", str(tmp_path / "1-intake.json"), str(decisions), "--as-of", "2026-03-02", "--json"
    )
    assert code == 0
    assert json.loads(out)["goals"] == []


#: (command, arguments after the file names, language, the whole output), on the walkthrough's files.
TABLES = [
    (
        "evaluate",
        ("--as-of", "2026-09-01"),
        "nl",
        "c-0042 op 2026-09-01: stappen gedaan: intake, plan, monitoring, evaluatie\n"
        "- Geloof in eigen kunnen → midden: bereikt\n"
        "- Motivatie om te werken → midden: bereikt\n",
    ),
    (
        "evaluate",
        ("--as-of", "2026-04-01", "--lang", "en"),
        "en",
        "c-0042 on 2026-04-01: steps done: intake, plan\n"
        "not done yet: monitoring, evaluation\n"
        "- Job-search self-efficacy → medium: -\n"
        "- Motivation to work → medium: -\n",
    ),
    (
        "review",
        ("--as-of", "2026-04-20", "--lang", "en"),
        "en",
        "- reconsider_intervention (Motivation to work): By the review date there is no meaningful step "
        "forward. Discuss with the client whether another approach fits better; the next alternative for "
        "this factor is given.\n"
        "- close_goal (Job-search self-efficacy): The goal has been reached. Close it, name the progress "
        "together with the client, and choose a next goal if needed.\n",
    ),
    ("review", ("--as-of", "2026-03-02"), "nl", "c-0042: geen suggesties op 2026-03-02\n"),
]


@pytest.mark.parametrize(
    ("command", "args", "lang", "expected"), TABLES, ids=[f"{t[0]} {t[2]}" for t in TABLES]
)
def test_review_and_evaluate_print_readable_text_by_default(
    tmp_path: Path, command: str, args: tuple[str, ...], lang: str, expected: str
) -> None:
    del lang
    path = trajectory_file(tmp_path)
    assert run(command, str(path), *args) == (0, expected, "")


def row(table: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is `first`."""
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{table}")


def test_plan_and_compare_print_tables_and_write_json_with_output(tmp_path: Path) -> None:
    trajectory_file(tmp_path)
    intake, later = str(tmp_path / "1-intake.json"), str(tmp_path / "3-measurement-2.json")
    code, out, _ = run("compare", intake, later)
    lines = out.splitlines()
    assert (code, lines[0], lines[-1]) == (
        0,
        "Verandering (2026-03-02 → 2026-06-22)",
        "Afgelegde afstand: 2,58",
    )
    assert row(out, "Geloof in eigen kunnen") == [
        "Geloof in eigen kunnen",
        "laag",
        "midden",
        "+1,25",
        "beter",
    ]
    code, out, _ = run("compare", intake, later, "--lang", "en")
    assert (code, out.splitlines()[-1]) == (0, "Distance travelled: 2.58")
    assert row(out, "Job-search self-efficacy") == [
        "Job-search self-efficacy",
        "low",
        "medium",
        "+1.25",
        "better",
    ]
    decisions = tmp_path / "decisions.json"
    decisions.write_text(
        json.dumps({"decisions": [{"intervention": "success_experiences", "action": "accept",
                                   "professional": "km-17", "decided_at": "2026-03-02T10:00:00+00:00"}]}),
        encoding="utf-8",
    )  # fmt: skip
    code, out, _ = run("plan", intake, str(decisions), "--as-of", "2026-03-02", "--lang", "en")
    lines = out.splitlines()
    assert (code, lines[0], lines[-1]) == (
        0,
        "Plan of 2026-03-02",
        "The client's own goal: Werken in een winkel",
    )
    assert row(out, "Job-search self-efficacy: from low to medium") == [
        "Job-search self-efficacy: from low to medium",
        "Success experiences",
        "2026-04-13",
    ]
    written = tmp_path / "2-plan.json"
    assert run("plan", intake, str(decisions), "--as-of", "2026-03-02", "-o", str(written)) == (0, "", "")
    assert diagnose.Plan.model_validate_json(written.read_text(encoding="utf-8")).made_on == dt.date(
        2026, 3, 2
    )


@pytest.mark.parametrize("command", ["review", "evaluate"])
def test_a_date_before_the_intake_is_refused(tmp_path: Path, command: str) -> None:
    path = trajectory_file(tmp_path)
    assert run(command, str(path), "--as-of", "2026-03-01") == (
        1,
        "",
        f"error: {path}: client 'c-0042': --as-of 2026-03-01 is before the intake (2026-03-02): "
        f"there is nothing to {command} yet\n",
    )


def test_cycle_command_errors(tmp_path: Path) -> None:
    path = trajectory_file(tmp_path)
    assert run("review", str(path))[::2] == (
        2,
        "error: Missing option '--as-of': give the date as YYYY-MM-DD (the library never reads the clock). "
        "Try 'diagnose review --help' for help.\n",
    )
    assert run("review", str(path), "--as-of", "1 april")[::2] == (
        2,
        "error: Invalid value for '--as-of': expected a date as YYYY-MM-DD, got '1 april'. "
        "Try 'diagnose review --help' for help.\n",
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"client": "c", "intake": {}}', encoding="utf-8")
    code, _, err = run("evaluate", str(bad), "--as-of", "2026-09-01")
    assert code == 1
    fields = (
        "profile",
        "recommendations",
        "trace",
        "knowledge_base_id",
        "knowledge_base_version",
        "knowledge_base_hash",
    )
    assert err == f"error: {bad}: not a valid trajectory: 6 problems\n" + "".join(
        f"  {bad}:1:27: intake.{field}: Field required\n" for field in fields
    )
    decisions = tmp_path / "decisions.json"
    decisions.write_text(
        json.dumps(
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
        ),
        encoding="utf-8",
    )
    code, _, err = run("plan", str(tmp_path / "1-intake.json"), str(decisions), "--as-of", "2026-03-02")
    assert (code, err) == (
        1,
        "error: decision 1: 'job_matching' was not recommended (the diagnosis recommends: success_experiences, group_job_search_course, motivational_interviewing)\n",
    )


def test_review_without_a_plan_only_looks_at_the_trajectory() -> None:
    intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
    result = review(
        Trajectory(client="c", intake=intake), as_of=dt.date(2027, 1, 1), knowledge_base=default_kb()
    )
    assert result.facts == {"": {"planned": False, "evaluated": False, "evaluation_overdue": False}}
    assert result.suggestions == ()


def test_no_progress_by_the_review_date_suggests_the_next_alternative() -> None:
    intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
    yes = Decision(
        intervention="motivational_interviewing",
        action="accept",
        professional="km",
        decided_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )
    plan = diagnose.build_plan(intake, [yes], as_of=dt.date(2026, 3, 2))
    same = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 4, 20))
    t = Trajectory(client="c", intake=intake, plan=plan, measurements=(same,))
    result = review(t, as_of=dt.date(2026, 4, 20), knowledge_base=default_kb())
    assert result.facts["motivation"]["progress"] == "none"
    ((suggestion),) = result.suggestions
    assert (suggestion.action, suggestion.goal, suggestion.alternative) == (
        "reconsider_intervention",
        "motivation",
        "goal_setting_coaching",
    )
