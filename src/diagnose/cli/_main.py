"""The `diagnose` command: assess an intake, check a knowledge base, print schemas.

Every mistake the user can make ends the command with one line on standard error, `error: `
followed by where and what was expected, and an exit code, never a traceback: 1 for the data
(files, answers, knowledge bases, the disk), 2 for the command line. `Group` in `_cli_io` does
this in one place; the cycle commands live in `_cli_cycle`.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - click reads the annotations at run time
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from diagnose.assessment.recommendation import Diagnosis, assess
from diagnose.assessment.scoring import intake_schema
from diagnose.authoring.analysis import CODES, analyse
from diagnose.authoring.catalog import render_markdown
from diagnose.authoring.checks import run_cases, run_examples
from diagnose.authoring.whatif import compare_knowledge_bases, render_report
from diagnose.batch._files import read_rows, table_kind
from diagnose.cli._batch import batch_command
from diagnose.cli._caseload import caseload as _caseload_group
from diagnose.cli._client import client as _client_group
from diagnose.cli._cycle import chart_command, compare_command, evaluate_command, plan_command, review_command
from diagnose.cli._interview import interview_command, print_explanation
from diagnose.cli._io import INTAKE_DATE, RUNG, Group, NamedPath, is_device, read_intake
from diagnose.cli._io import Fail as _Fail
from diagnose.cli._io import kb_option as _kb_option
from diagnose.cli._io import load as _load
from diagnose.cli._quality import audit_command, quality_command
from diagnose.cli._show import print_diagnosis
from diagnose.errors import DiagnoseError
from diagnose.knowledge._load import iter_errors, load_knowledge_base
from diagnose.knowledge.schema import knowledge_base_schema

if TYPE_CHECKING:
    from diagnose._base import Language
    from diagnose.authoring.analysis import Finding
    from diagnose.errors import KnowledgeBaseProblem

__all__ = ["cli", "main"]


@click.group("diagnose", cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="diagnose")
def cli() -> None:
    """Evidence-based intake diagnosis for Work & Income: advice that explains itself."""


@cli.command("assess")
@click.argument("file", type=NamedPath())
@_kb_option
@click.option("--json", "as_json", is_flag=True, help="Print the whole diagnosis as JSON.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
@INTAKE_DATE
@RUNG
@click.option(
    "--explain", "with_explanation", is_flag=True, help="Also print the explanation for the client."
)
def assess_command(
    file: str,
    kb_path: Path | None,
    *,
    as_json: bool,
    lang: Language,
    as_of: dt.date | None,
    participation_rung: int | None,
    with_explanation: bool,
) -> None:
    """Assess the intake in FILE (JSON or YAML: answers and optional context; - for stdin)."""
    kb = _load(kb_path)
    intake = read_intake(file)
    try:
        diagnosis = assess(
            intake.answers,
            knowledge_base=kb,
            context=intake.context,
            as_of=as_of,
            participation_rung=participation_rung,
        )
    except DiagnoseError as exc:
        raise _Fail(f"{'<stdin>' if file == '-' else file}: {exc}") from exc
    if as_json:
        click.echo(diagnosis.model_dump_json(indent=2))
    else:
        print_diagnosis(kb, diagnosis, lang)
        if with_explanation:
            print_explanation(kb, diagnosis, lang)


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
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option(
    "--ignore",
    "ignored",
    multiple=True,
    type=click.Choice(sorted(code for code, severity in CODES.items() if severity == "warning")),
    help="Leave out warnings with this code (repeatable); errors cannot be ignored.",
)
def check_command(
    directory: Path | None, output: Literal["text", "json"], *, strict: bool, ignored: tuple[str, ...]
) -> None:
    """Check the knowledge base in DIRECTORY (default: the packaged one).

    Reports every problem at once: YAML and schema errors, broken references and the fairness
    guard (as file:line:col: path: message); then the static analysis of the rules; then runs every
    rule's worked examples and every case in cases/. Exits 1 on any error (or warning, --strict).
    """
    report = _check(directory, set(ignored), strict=strict)
    failing = (
        report.problems or report.failures or any(f.severity == "error" or strict for f in report.findings)
    )
    if output == "json":
        click.echo(json.dumps(report.as_json(ok=not failing), indent=2, ensure_ascii=False))
    else:
        report.print_text()
    if failing:
        sys.exit(1)


class _Report:
    """Everything `diagnose check` found, ready to print."""

    def __init__(self) -> None:
        self.problems: list[KnowledgeBaseProblem] = []
        self.findings: list[Finding] = []
        self.failures: list[tuple[str, str]] = []  # (file, message)
        self.summary = ""

    def as_json(self, *, ok: bool) -> dict[str, object]:
        return {
            "ok": ok,
            "problems": [
                {"file": p.file, "line": p.line, "column": p.column, "path": p.path, "message": p.message}
                for p in self.problems
            ],
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "file": f.origin.file,
                    "line": f.origin.line,
                    "column": f.origin.column,
                    "path": f.origin.path,
                    "message": f.message,
                }
                for f in self.findings
            ],
            "failures": [{"file": file, "message": message} for file, message in self.failures],
        }

    def print_text(self) -> None:
        lines: list[tuple[str, str]] = [(p.file, str(p)) for p in self.problems]
        lines += [(f.origin.file, str(f)) for f in self.findings]
        lines += self.failures
        current = None
        for file, line in sorted(lines, key=lambda pair: pair[0]):
            if file != current:
                current = file
                click.echo(file)
            click.echo(f"  {line}")
        if self.summary:
            click.echo(self.summary)


def _check(directory: Path | None, ignored: set[str], *, strict: bool) -> _Report:
    report = _Report()
    report.problems = list(iter_errors(directory))
    if report.problems:
        report.summary = f"failed: {len(report.problems)} problem(s); the knowledge base could not be loaded"
        return report
    kb = load_knowledge_base(directory)
    report.findings = [f for f in analyse(kb) if f.code not in ignored]
    try:
        examples, cases = run_examples(kb), run_cases(kb)
    except DiagnoseError as exc:
        raise _Fail(str(exc)) from exc
    for r in examples:
        if not r.passed:
            origin = kb.origins[f"example:{r.rule}:{r.index}"]
            described = f" ({r.description})" if r.description else ""
            expected = "fires" if r.expected else "does not fire"
            actual = "fired" if r.actual else "did not fire"
            report.failures.append(
                (
                    origin.file,
                    f"{origin}: rule {r.rule!r} example{described}: expected {expected}, but it {actual}",
                )
            )
    for c in cases:
        case_origin = kb.origins.get(f"case:{c.file}:{c.case}")
        where = str(case_origin) if case_origin else c.file
        report.failures += [(c.file, f"{where}: case {c.case!r}: {problem}") for problem in c.problems]
    counts = f"{len(kb.factors)} factors, {len(kb.items)} items, {len(kb.interventions)} interventions, "
    counts += f"{len(kb.rules)} rules, {len(examples)} examples, {len(cases)} cases"
    warnings = sum(f.severity == "warning" for f in report.findings)
    errors = sum(f.severity == "error" for f in report.findings) + len(report.failures)
    verdict = "failed" if errors or (strict and warnings) else "ok"
    tally = f"{errors} error(s), {warnings} warning(s)"
    report.summary = f"{verdict}: {kb.id} {kb.version}: {counts}; {tally}; {kb.content_hash}"
    return report


@cli.command("schema")
@_kb_option
@click.option(
    "--intake",
    "intake",
    is_flag=True,
    help="The intake (answers and context) of the knowledge base [default].",
)
@click.option("--result", "result", is_flag=True, help="A diagnosis, as `assess --json` prints it.")
@click.option(
    "--knowledge-base", "knowledge_base", is_flag=True, help="The knowledge-base files (rules/schema.json)."
)
def schema_command(kb_path: Path | None, *, intake: bool, result: bool, knowledge_base: bool) -> None:
    """Print a JSON Schema: of an intake (default), of a result, or of the knowledge-base files."""
    given = [
        name
        for name, on in (("--intake", intake), ("--result", result), ("--knowledge-base", knowledge_base))
        if on
    ]
    if len(given) > 1:
        both = f"{', '.join(given[:-1])} and {given[-1]}"
        message = f"{both} cannot be combined: give one of --intake, --result, --knowledge-base."
        raise click.UsageError(message, click.get_current_context())
    if result:
        schema: dict[str, object] = Diagnosis.model_json_schema(by_alias=True)
    elif knowledge_base:
        schema = knowledge_base_schema()
    else:
        schema = intake_schema(_load(kb_path))
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@cli.command("catalog")
@_kb_option
@click.option(
    "--format",
    "output",
    type=click.Choice(["markdown"]),
    default="markdown",
    show_default=True,
    help="Output format.",
)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
def catalog_command(kb_path: Path | None, output: str, lang: Language) -> None:
    """Print the knowledge base as a catalogue: factors, items, interventions with evidence, rules."""
    del output  # one format for now; the option keeps room for more
    click.echo(render_markdown(_load(kb_path), lang), nl=False)


cli.add_command(batch_command)


@cli.command("compare-kb")
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("caseload", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option(
    "--cases",
    "max_cases",
    type=click.IntRange(0),
    default=20,
    show_default=True,
    help="Changed cases to list.",
)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
def compare_kb_command(
    old: Path, new: Path, caseload: Path, *, as_json: bool, max_cases: int, lang: Language
) -> None:
    """Run knowledge bases OLD and NEW over CASELOAD (JSON Lines or CSV) and report what changes.

    A client's advice changes when an intervention is added or removed, or gets another priority
    or place in the order. Warns when both have the same version but different content.
    """
    old_kb, new_kb = _load(old), _load(new)
    if is_device(caseload):
        raise click.UsageError(f"{caseload}: a device, not a file of rows; give a file", ctx=None)
    unreadable: list[tuple[int, str]] = []
    numbers: list[int] = []  # the file's row number of each row passed on
    with caseload.open(encoding="utf-8", newline="") as stream:
        rows = []
        for row in read_rows(stream, table_kind(caseload)):
            if row.intake is None:
                unreadable.append((row.number, row.problem or "unreadable row"))
            else:
                rows.append((row.client, row.as_intake()))
                numbers.append(row.number)
    report = compare_knowledge_bases(old_kb, new_kb, rows)
    # Row numbers in the report count the rows passed on; give them the file's numbers, and the
    # unreadable rows their place among the rejected, so that --json loses none.
    report = report.model_copy(
        update={
            "cases": tuple(c.model_copy(update={"row": numbers[c.row - 1]}) for c in report.cases),
            "rejected": tuple(sorted([*((numbers[n - 1], why) for n, why in report.rejected), *unreadable])),
        }
    )
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo(render_report(report, lang, max_cases=max_cases))


for _command in (chart_command, compare_command, evaluate_command, plan_command, review_command):
    cli.add_command(_command)
cli.add_command(interview_command)
cli.add_command(_client_group)
cli.add_command(_caseload_group)
cli.add_command(quality_command)
cli.add_command(audit_command)


def main() -> None:
    """Run the command line; every user mistake is one line on stderr and an exit code (see Group)."""
    cli.main()
