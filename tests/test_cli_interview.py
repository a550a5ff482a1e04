"""`diagnose interview`, driven by piped input, and `diagnose assess --explain`."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner

import diagnose
from diagnose.cli import _interview as _cli_interview
from diagnose.cli._main import cli

if TYPE_CHECKING:
    import pytest


FIXTURE = str(Path(__file__).parent / "data" / "kb")
EXAMPLE = str(Path(__file__).parent.parent / "examples" / "intake-low-self-efficacy.json")


def run(*args: str, stdin: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output


def test_an_interview_asks_until_nothing_can_change_the_advice(
    tmp_path: Path, fixture_kb: diagnose.KnowledgeBase
) -> None:
    saved = tmp_path / "answers.json"
    code, out = run(
        "interview", "--kb", FIXTURE, "--save", str(saved), stdin="1\n2\n1\n5\n4\n5\n4\n4\n4\n4\n"
    )
    assert code == 0, out
    answers = json.loads(saved.read_text(encoding="utf-8"))["answers"]
    # Motivation low (1, 2, then mo_3 = 1 reversed to 5: mean 2.67 would be medium, so it is asked).
    assert list(answers)[:3] == ["mo_1", "mo_2", "mo_3"]
    assert (
        f"Er zijn geen vragen meer die het advies kunnen veranderen ({len(answers)} van 10 gesteld)." in out
    )
    expected = diagnose.assess(answers, knowledge_base=fixture_kb)
    for rec in expected.recommendations:
        assert rec.name.nl in out
    assert out.count("Vraag ") == len(answers)
    assert f"De antwoorden staan in {saved}." in out


def test_the_scale_labels_are_the_choices_and_w_and_question_mark_are_kept(tmp_path: Path) -> None:
    saved = tmp_path / "answers.json"
    code, out = run("interview", "--kb", FIXTURE, "--save", str(saved), stdin="w\n?\n")
    assert code == 130
    assert out.splitlines()[:9] == [
        "Vraag 1: Ik wil graag (weer) betaald werk.",
        "  1 = Helemaal mee oneens",
        "  2 = Mee oneens",
        "  3 = Niet mee eens en niet mee oneens",
        "  4 = Mee eens",
        "  5 = Helemaal mee eens",
        "  w = wil niet zeggen",
        "  ? = weet niet",
        "Uw antwoord: w",
    ]
    assert json.loads(saved.read_text(encoding="utf-8")) == {
        "answers": {"mo_1": "declined", "mo_2": "unknown"}
    }


def test_a_wrong_answer_is_asked_again() -> None:
    code, out = run("interview", "--kb", FIXTURE, "--lang", "en", stdin="6\nyes\n4\n")
    assert code == 130
    assert out.count("Choose 1 to 5, w or ?.") == 2
    assert "Question 1: I would like to have paid work (again)." in out
    assert "  1 = Strongly disagree" in out


def test_the_end_of_the_input_keeps_what_was_answered() -> None:
    """Like Ctrl-C: it stops, says so, and prints the answers so far as JSON (nothing is lost)."""
    code, out = run("interview", "--kb", FIXTURE, stdin="4\n5\n")
    assert code == 130
    head, _, kept = out.partition("Gestopt na 2 antwoorden.\n")
    assert head
    assert json.loads(kept) == {"answers": {"mo_1": 4, "mo_2": 5}}


def test_ctrl_c_keeps_what_was_answered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = iter([3])

    def ask(*_args: object) -> int | str | None:
        try:
            return next(keys)
        except StopIteration:
            raise KeyboardInterrupt from None  # what Ctrl-C raises while it waits for input

    monkeypatch.setattr(_cli_interview, "_ask", ask)
    saved = tmp_path / "answers.json"
    code, out = run("interview", "--kb", FIXTURE, "--save", str(saved), stdin="")
    assert code == 130
    assert out == f"\nGestopt na 1 antwoorden.\nDe antwoorden staan in {saved}.\n"
    assert json.loads(saved.read_text(encoding="utf-8")) == {"answers": {"mo_1": 3}}


def test_explain_is_printed_after_the_advice() -> None:
    stdin = "1\n2\n1\n5\n4\n5\n4\n4\n4\n4\n"
    code, out = run("interview", "--kb", FIXTURE, "--explain", stdin=stdin)
    assert code == 0, out
    assert "\nUw advies\n\nWat we hebben gemeten\n" in out
    assert out.rstrip().endswith("Daarna beslist u samen wat u gaat doen.")


def test_assess_explain_prints_the_explanation(kb: diagnose.KnowledgeBase) -> None:
    code, out = run("assess", EXAMPLE, "--explain", stdin="")
    assert code == 0, out
    intake = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    text = diagnose.explain(diagnose.assess(intake["answers"], knowledge_base=kb), knowledge_base=kb)
    assert out.endswith("\n" + text)
    code, out = run("assess", EXAMPLE, "--explain", "--lang", "en", stdin="")
    assert out.rstrip().endswith("Then you decide together what you will do.")


def test_a_real_pipe_drives_the_interview() -> None:
    """The installed command, its standard input a pipe (the timeout is only a hang guard)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")}
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "diagnose", "interview", "--kb", FIXTURE],
        input="1\n2\n1\n5\n4\n5\n4\n4\n4\n4\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Er zijn geen vragen meer die het advies kunnen veranderen" in done.stdout


def _asked(kb: diagnose.KnowledgeBase, context: dict[str, object], value: int) -> list[str]:
    """The items an interview asks, in order, when every answer is `value`."""
    asked: dict[str, object] = {}
    while not (nq := diagnose.next_questions(asked, knowledge_base=kb, context=context)).done:
        asked[nq.questions[0].item] = value
    return list(asked)


def test_the_context_given_decides_what_is_asked_and_is_kept(
    tmp_path: Path, kb: diagnose.KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a context file: the client has just started work (job coaching then depends on work experience)
    context = tmp_path / "context.yaml"
    context.write_text("started_work: true\n", encoding="utf-8")
    with_context, without = _asked(kb, {"started_work": True}, 4), _asked(kb, {}, 4)
    assert with_context != without  # the context changes what is worth asking
    seen: dict[str, object] = {}

    def assess(answers: object, **options: object) -> diagnose.Diagnosis:
        seen.update(options)
        return diagnose.assess(answers, **options)  # type: ignore[arg-type]  # what the command passes

    monkeypatch.setattr(_cli_interview, "assess", assess)
    saved = tmp_path / "intake.json"
    # WHEN the interview runs with it and a date, every answer 4
    code, out = run(
        "interview",
        "--context",
        str(context),
        "--as-of",
        "2026-03-02",
        "--save",
        str(saved),
        stdin="4\n" * 80,
    )
    # THEN it asks what next_questions asks with that context, and assesses with the context and date
    assert code == 0, out
    intake = json.loads(saved.read_text(encoding="utf-8"))
    assert list(intake["answers"]) == with_context
    assert intake["context"] == {"started_work": True}
    assert seen["context"] == {"started_work": True}
    assert seen["as_of"] == dt.date(2026, 3, 2)
    # AND the saved file is an intake that assess reads back to the same advice
    code, again = run("assess", str(saved), stdin="")
    assert code == 0
    assert again in out


def test_a_wrong_context_or_date_is_refused_before_the_first_question(tmp_path: Path) -> None:
    context = tmp_path / "context.yaml"
    context.write_text("started_wrk: true\n", encoding="utf-8")
    listed = tmp_path / "list.yaml"
    listed.write_text("- started_work\n", encoding="utf-8")
    for args, message in (
        (
            ("--context", str(context)),
            f"error: {context}: context 'started_wrk': unknown context field (did you mean 'started_work'?)\n",
        ),
        (("--context", str(listed)), f"error: {listed}: expected a mapping of context field to value\n"),
        (
            ("--context", "-"),
            "error: Invalid value for '--context': the answers come from standard input; give a file. "
            "Try 'diagnose interview --help' for help.\n",
        ),
        (
            ("--as-of", "2026-13-01"),
            "error: Invalid value for '--as-of': expected a date as YYYY-MM-DD, got '2026-13-01'. "
            "Try 'diagnose interview --help' for help.\n",
        ),
    ):
        result = CliRunner().invoke(cli, ["interview", *args], input="4\n")
        assert result.exit_code in {1, 2}, args
        assert (result.stdout, result.stderr) == ("", message), args
