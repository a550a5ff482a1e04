"""`diagnose interview`: ask the questions that can still change the advice, in that order.

Each question shows the item's text and its answer scale's labels; `w` is "wil niet zeggen"
(`declined`) and `?` is "weet niet" (`unknown`). It stops when nothing left can change the advice
(`diagnose.next_questions`), then prints the advice as `diagnose assess` does, and with
`--explain` the client's explanation. Ctrl-C, or the end of the input, stops it early: the
answers given so far are kept (written to `--save`, or printed as JSON) and nothing is lost.
Also `print_explanation`, for `diagnose assess --explain`.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, TextIO

import click

from diagnose.assessment.explain import explain
from diagnose.assessment.questions import next_questions
from diagnose.assessment.recommendation import assess
from diagnose.cli._io import FILE, INTAKE_DATE, Fail, kb_option, load, read_context, write_output
from diagnose.cli._show import print_diagnosis
from diagnose.errors import DiagnoseError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping
    from pathlib import Path

    from diagnose._base import Language
    from diagnose.assessment.recommendation import Diagnosis
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Item

__all__ = ["interview_command", "print_explanation"]

_WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "question": "Vraag {n}: {text}",
        "declined": "wil niet zeggen",
        "unknown": "weet niet",
        "prompt": "Uw antwoord",
        "again": "Kies {lo} tot {hi}, w of ?.",
        "done": "Er zijn geen vragen meer die het advies kunnen veranderen ({n} van {total} gesteld).",
        "stopped": "Gestopt na {n} antwoorden.",
        "saved": "De antwoorden staan in {path}.",
        "explanation": "Uitleg voor de klant",
    },
    "en": {
        "question": "Question {n}: {text}",
        "declined": "prefer not to say",
        "unknown": "do not know",
        "prompt": "Your answer",
        "again": "Choose {lo} to {hi}, w or ?.",
        "done": "No question left could change the advice ({n} of {total} asked).",
        "stopped": "Stopped after {n} answers.",
        "saved": "The answers are in {path}.",
        "explanation": "Explanation for the client",
    },
}


def print_explanation(kb: KnowledgeBase, diagnosis: Diagnosis, lang: Language) -> None:
    """Print the client's explanation after a blank line (`--explain`)."""
    click.echo()
    click.echo(explain(diagnosis, knowledge_base=kb, lang=lang), nl=False)


def _ask(item: Item, number: int, lang: Language, stdin: TextIO) -> int | str | None:
    """One question; the answer, or None at the end of the input."""
    words = _WORDS[lang]
    scale = item.scale
    click.echo(words["question"].format(n=number, text=item.text.get(lang)))
    for value in range(scale.min, scale.max + 1):
        click.echo(f"  {value} = {scale.label(value).get(lang)}")
    click.echo(f"  w = {words['declined']}")
    click.echo(f"  ? = {words['unknown']}")
    while True:
        click.echo(f"{words['prompt']}: ", nl=False)
        line = stdin.readline()
        if not stdin.isatty():  # piped in: show the answer, so the transcript reads as typed
            click.echo(line.rstrip("\n"))
        if not line:
            return None
        answer = line.strip().lower()
        if answer == "w":
            return "declined"
        if answer == "?":
            return "unknown"
        if answer.isdigit() and scale.min <= int(answer) <= scale.max:
            return int(answer)
        click.echo(words["again"].format(lo=scale.min, hi=scale.max))


def _keep(
    answers: dict[str, object], context: Mapping[str, object], save: Path | None, lang: Language
) -> None:
    """Write the answers so far, with the context if any (an intake `assess` reads), to `save` or stdout."""
    intake = {"answers": answers, "context": dict(context)} if context else {"answers": answers}
    text = json.dumps(intake, indent=2, ensure_ascii=False)
    write_output(save, text)
    if save is not None:
        click.echo(_WORDS[lang]["saved"].format(path=save))


@click.command("interview")
@kb_option
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
@click.option(
    "--explain", "with_explanation", is_flag=True, help="Also print the explanation for the client."
)
@click.option(
    "--save", type=FILE, default=None, help="Write the answers here (JSON), also when stopped early."
)
@click.option(
    "--context",
    "context_file",
    type=FILE,
    default=None,
    help="Context values (JSON or YAML: field to value, as an intake's context); they stay as given.",
)
@INTAKE_DATE
def interview_command(
    kb_path: Path | None,
    lang: Language,
    *,
    with_explanation: bool,
    save: Path | None,
    context_file: Path | None,
    as_of: dt.date | None,
) -> None:
    """Ask the intake's questions in the order that decides most, until nothing left can change the advice.

    Answer with a number on the scale, w (prefer not to say) or ? (do not know). Ctrl-C or the end
    of the input stops early; the answers so far are kept (--save, or printed as JSON).
    """
    kb = load(kb_path)
    if context_file is not None and str(context_file) == "-":
        message = "Invalid value for '--context': the answers come from standard input; give a file."
        raise click.UsageError(message)
    context = read_context(context_file) if context_file is not None else {}
    try:
        next_questions({}, knowledge_base=kb, context=context)
    except DiagnoseError as exc:  # checked before the first question, not after the last
        raise Fail(f"{context_file}: {exc}") from exc
    words = _WORDS[lang]
    answers: dict[str, object] = {}
    stdin = sys.stdin  # one stream for every question: a new wrapper would read ahead on its own
    ended = False
    try:
        while not (nq := next_questions(answers, knowledge_base=kb, context=context)).done:
            answer = _ask(kb.item(nq.questions[0].item), len(answers) + 1, lang, stdin)
            if answer is None:  # the end of the input: stop as with Ctrl-C
                ended = True
                break
            answers[nq.questions[0].item] = answer
    except KeyboardInterrupt:
        ended = True
        click.echo()
    if ended:
        click.echo(words["stopped"].format(n=len(answers)))
        _keep(answers, context, save, lang)
        raise SystemExit(130)
    click.echo(words["done"].format(n=len(answers), total=len(kb.items)))
    click.echo()
    try:
        diagnosis = assess(answers, knowledge_base=kb, context=context, as_of=as_of)
    except DiagnoseError as exc:  # pragma: no cover - the answers were checked one by one
        raise Fail(str(exc)) from exc
    print_diagnosis(kb, diagnosis, lang)
    if with_explanation:
        print_explanation(kb, diagnosis, lang)
    if save is not None:
        _keep(answers, context, save, lang)
