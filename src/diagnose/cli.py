"""The `diagnose` command: assess an intake, check a knowledge base, print schemas.

Every error ends the command with a message on standard error and a non-zero exit code, never a
traceback: 1 for bad input or a knowledge base with problems, 2 for a wrong command line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click
from rich.console import Console
from rich.table import Table

from diagnose._yaml import read_yaml
from diagnose.checks import run_examples
from diagnose.errors import DiagnoseError, KnowledgeBaseError
from diagnose.knowledge import KnowledgeBase, iter_errors, load_knowledge_base
from diagnose.recommendation import assess
from diagnose.scoring import Intake, intake_schema

if TYPE_CHECKING:
    from collections.abc import Callable

    from diagnose._base import Language
    from diagnose.errors import KnowledgeBaseProblem
    from diagnose.recommendation import Diagnosis

__all__ = ["cli", "main"]

_LEVEL_NAMES = {
    "nl": {"low": "laag", "medium": "midden", "high": "hoog", "not_assessed": "niet gemeten"},
    "en": {"low": "low", "medium": "medium", "high": "high", "not_assessed": "not assessed"},
}
_HEAD = {
    "nl": ("Factor", "Niveau", "Score", "Beantwoord", "Advies", "Prioriteit", "Bewijs", "Waarom"),
    "en": ("Factor", "Level", "Score", "Answered", "Advice", "Priority", "Evidence", "Why"),
}


class _Fail(click.ClickException):
    """A clean one-line failure (exit 1)."""

    def show(self, file: object = None) -> None:  # noqa: ARG002 - click's signature
        click.echo(f"error: {self.message}", err=True)


def _kb_option(func: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--kb",
        "kb_path",
        type=click.Path(path_type=Path),
        default=None,
        help="Knowledge-base folder (default: the packaged one).",
    )(func)


def _load(kb_path: Path | None) -> KnowledgeBase:
    try:
        return load_knowledge_base(kb_path)
    except KnowledgeBaseError as exc:
        count = len(exc.problems)
        raise _Fail(
            f"the knowledge base has {count} problem(s); run 'diagnose check' to see them\n{exc}"
        ) from exc


def _read_intake(path: str) -> Intake:
    name = "<stdin>" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _Fail(f"{name}: cannot read the file: {exc.strerror or exc}") from exc
    doc, problems = read_yaml(text, name)  # YAML is a superset of JSON, read safely either way
    if problems or doc is None:
        raise _Fail("\n".join(str(p) for p in problems))
    data = doc.data
    if not isinstance(data, dict) or "answers" not in data:
        raise _Fail(f"{name}: expected a mapping with 'answers' (and optionally 'context')")
    unknown = sorted(set(data) - {"answers", "context"})
    if unknown:
        raise _Fail(f"{name}: unknown key {unknown[0]!r}; an intake has 'answers' and 'context'")
    for key in ("answers", "context"):
        if key in data and not isinstance(data[key], dict):
            line, column = doc.locate((key,))
            raise _Fail(f"{name}:{line}:{column}: {key}: expected a mapping of id to value")
    return Intake.model_construct(answers=data["answers"], context=data.get("context") or {})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="diagnose")
def cli() -> None:
    """Evidence-based intake diagnosis for Work & Income: advice that explains itself."""


@cli.command("assess")
@click.argument("file", type=str)
@_kb_option
@click.option("--json", "as_json", is_flag=True, help="Print the whole diagnosis as JSON.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
def assess_command(file: str, kb_path: Path | None, *, as_json: bool, lang: Language) -> None:
    """Assess the intake in FILE (JSON or YAML: answers and optional context; - for stdin)."""
    kb = _load(kb_path)
    intake = _read_intake(file)
    try:
        diagnosis = assess(intake.answers, knowledge_base=kb, context=intake.context)
    except DiagnoseError as exc:
        raise _Fail(f"{file}: {exc}") from exc
    if as_json:
        click.echo(diagnosis.model_dump_json(indent=2))
    else:
        _print_diagnosis(kb, diagnosis, lang)


def _print_diagnosis(kb: KnowledgeBase, d: Diagnosis, lang: Language) -> None:
    console = Console(width=120 if not sys.stdout.isatty() else None)
    head = _HEAD[lang]
    profile = Table(title=kb.instrument.title.get(lang), title_justify="left")
    for column in head[:4]:
        profile.add_column(column)
    for factor_id, result in d.profile.scores.items():
        total = len(result.answered) + len(result.missing)
        profile.add_row(
            kb.factors[factor_id].name.get(lang),
            _LEVEL_NAMES[lang][result.level],
            "-" if result.score is None else f"{result.score:.2f}",
            f"{len(result.answered)}/{total}",
        )
    console.print(profile)
    advice = Table(show_lines=True)
    for column in ("#", head[4], head[5], head[6], head[7]):
        advice.add_column(column, overflow="fold")
    for rank, rec in enumerate(d.recommendations, start=1):
        advice.add_row(
            str(rank),
            rec.name.get(lang),
            str(rec.priority),
            rec.evidence_level,
            rec.rationale.get(lang),
        )
    console.print(advice)
    for undecided in d.trace.undecided_rules:
        missing = ", ".join(undecided.not_assessed + undecided.context_missing)
        note = "niet beslist, ontbreekt" if lang == "nl" else "undecided, missing"
        console.print(f"[dim]{undecided.rule} ({undecided.intervention}): {note}: {missing}[/dim]")
    console.print(f"[dim]{d.knowledge_base_id} {d.knowledge_base_version} {d.knowledge_base_hash}[/dim]")


@cli.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Problems as text grouped per file, or as JSON for editors and CI.",
)
def check_command(directory: Path | None, output: Literal["text", "json"]) -> None:
    """Check the knowledge base in DIRECTORY (default: the packaged one); exit 1 on any problem."""
    problems: list[KnowledgeBaseProblem] = list(iter_errors(directory))
    failures: list[str] = []
    kb = None
    if not problems:
        kb = load_knowledge_base(directory)
        try:
            results = run_examples(kb)
        except DiagnoseError as exc:
            raise _Fail(str(exc)) from exc
        failures = [
            f"rule {r.rule!r} example {r.index}"
            + (f" ({r.description})" if r.description else "")
            + f": expected {'fires' if r.expected else 'does not fire'}, "
            f"but it {'fired' if r.actual else 'did not fire'}"
            for r in results
            if not r.passed
        ]
    if output == "json":
        payload = {
            "ok": not problems and not failures,
            "problems": [
                {
                    "file": p.file,
                    "line": p.line,
                    "column": p.column,
                    "path": p.path,
                    "message": p.message,
                }
                for p in problems
            ],
            "example_failures": failures,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        current = None
        for problem in problems:
            if problem.file != current:
                current = problem.file
                click.echo(problem.file)
            click.echo(f"  {problem}")
        for failure in failures:
            click.echo(f"  {failure}")
        if kb is not None and not failures:
            click.echo(
                f"ok: {kb.id} {kb.version}: {len(kb.factors)} factors, {len(kb.items)} items, "
                f"{len(kb.interventions)} interventions, {len(kb.rules)} rules; {kb.content_hash}"
            )
    if problems or failures:
        sys.exit(1)


@cli.command("schema")
@_kb_option
def schema_command(kb_path: Path | None) -> None:
    """Print the JSON Schema of an intake (answers and context) for the knowledge base."""
    click.echo(json.dumps(intake_schema(_load(kb_path)), indent=2, ensure_ascii=False))


def main() -> None:
    """Run the command line; errors become a message and an exit code, never a traceback."""
    try:
        cli.main(standalone_mode=True)
    except DiagnoseError as exc:  # pragma: no cover - every command catches its own
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
