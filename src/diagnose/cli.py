"""The `diagnose` command: assess an intake, check a knowledge base, print schemas.

Every error ends the command with a message on standard error and a non-zero exit code, never a
traceback: 1 for bad input or a knowledge base with problems, 2 for a wrong command line.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import click
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from diagnose._base import Record
from diagnose._tables import Row, assess_rows, csv_line, read_rows, summary_columns
from diagnose._yaml import read_yaml
from diagnose.analysis import CODES, analyse
from diagnose.batch import _map_chunks
from diagnose.catalog import EVIDENCE_LABELS, render_markdown
from diagnose.chart import profile_chart
from diagnose.checks import run_cases, run_examples
from diagnose.errors import DiagnoseError, KnowledgeBaseError
from diagnose.evaluation import Trajectory, evaluate
from diagnose.knowledge import KnowledgeBase, iter_errors, knowledge_base_schema, load_knowledge_base
from diagnose.monitoring import compare, review
from diagnose.plan import Decision, Preferences, build_plan
from diagnose.recommendation import Diagnosis, assess
from diagnose.scoring import Intake, intake_schema
from diagnose.whatif import compare_knowledge_bases

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from diagnose._base import Language
    from diagnose.analysis import Finding
    from diagnose.errors import KnowledgeBaseProblem

__all__ = ["cli", "main"]

M = TypeVar("M", bound=BaseModel)

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
            EVIDENCE_LABELS[rec.evidence_level][0 if lang == "nl" else 1],
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
    "which",
    flag_value="intake",
    default=True,
    help="The intake (answers and context) of the knowledge base [default].",
)
@click.option("--result", "which", flag_value="result", help="A diagnosis, as `assess --json` prints it.")
@click.option(
    "--knowledge-base",
    "which",
    flag_value="knowledge-base",
    help="The knowledge-base files (rules/schema.json).",
)
def schema_command(kb_path: Path | None, which: str) -> None:
    """Print a JSON Schema: of an intake (default), of a result, or of the knowledge-base files."""
    if which == "result":
        schema: dict[str, object] = Diagnosis.model_json_schema(by_alias=True)
    elif which == "knowledge-base":
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


def _kind(path: Path) -> str:
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


@cli.command("batch")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@_kb_option
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where rejected rows go, as JSON Lines [default: TARGET.errors.jsonl].",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes to use.")
@click.option(
    "--top", type=click.IntRange(1, 10), default=3, show_default=True, help="Advice columns in a CSV summary."
)
def batch_command(  # noqa: PLR0913, PLR0917 - click passes one parameter per option
    source: Path, target: Path, kb_path: Path | None, errors_path: Path | None, workers: int, top: int
) -> None:
    """Assess every intake in SOURCE (JSON Lines or CSV) and write TARGET.

    A .csv TARGET gets one summary row per client (factor levels, top advice); any other gets
    JSON Lines with the whole diagnosis. Rejected rows go, with their row number and the reason,
    to the errors file; they never stop the batch and are never dropped silently.
    """
    kb = _load(kb_path)
    errors_file = errors_path or target.with_name(target.name + ".errors.jsonl")
    counts = {"advised": 0, "rejected": 0}
    csv_summary = _kind(target) == "csv"
    start = time.perf_counter()
    with (
        source.open(encoding="utf-8", newline="") as inp,
        target.open("wb") as out,
        errors_file.open("w", encoding="utf-8") as err,
    ):
        rows: Iterator[Row | tuple[int, str]]
        if _kind(source) == "csv":
            rows = read_rows(inp, "csv")
        else:  # the workers parse JSON Lines: this process only reads and writes
            rows = ((number, line) for number, line in enumerate(inp, start=1) if line.strip())
        if csv_summary:
            out.write(csv_line(summary_columns(list(kb.factors), top)).encode())
        work = functools.partial(assess_rows, csv_summary=csv_summary, top=top)
        progress = Progress(transient=True, console=Console(stderr=True), disable=not sys.stderr.isatty())
        with progress:
            task = progress.add_task("assessing", total=None)
            for chunk, done in _map_chunks(work, rows, kb, workers=workers):
                counts["advised"] += done.advised
                counts["rejected"] += done.rejected
                out.write(done.output)
                err.write(done.errors)
                progress.advance(task, len(chunk))
    seconds = time.perf_counter() - start
    total = counts["advised"] + counts["rejected"]
    click.echo(
        f"{total} rows: {counts['advised']} assessed, {counts['rejected']} rejected"
        + (f" (see {errors_file})" if counts["rejected"] else "")
        + f"; {seconds:.1f} s, {total / seconds if seconds else 0:.0f} rows/s",
        err=True,
    )


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
def compare_kb_command(old: Path, new: Path, caseload: Path, *, as_json: bool, max_cases: int) -> None:
    """Run knowledge bases OLD and NEW over CASELOAD (JSON Lines or CSV) and report what changes."""
    old_kb, new_kb = _load(old), _load(new)
    unreadable: list[tuple[int, str]] = []
    with caseload.open(encoding="utf-8", newline="") as stream:
        rows = []
        for row in read_rows(stream, _kind(caseload)):
            if row.intake is None:
                unreadable.append((row.number, row.problem or "unreadable row"))
            else:
                rows.append((row.client, row.as_intake()))
    report = compare_knowledge_bases(old_kb, new_kb, rows)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    share = f"{100 * report.changed / report.clients:.1f}%" if report.clients else "-"
    click.echo(f"old: {report.old_version}\nnew: {report.new_version}")
    click.echo(f"{report.clients} clients assessed by both; advice changes for {report.changed} ({share})")
    rejected = len(report.rejected) + len(unreadable)
    if rejected:
        click.echo(f"{rejected} rows rejected or unreadable (see --json)")
    if report.shifts:
        table = Table("intervention", "gains", "loses")
        for shift in report.shifts:
            table.add_row(shift.intervention, f"+{shift.gained}", f"-{shift.lost}")
        Console(width=120 if not sys.stdout.isatty() else None).print(table)
    for case in report.cases[:max_cases]:
        who = case.client or f"row {case.row}"
        click.echo(f"{who}: {', '.join(case.before) or '-'}  ->  {', '.join(case.after) or '-'}")
    if len(report.cases) > max_cases:
        click.echo(f"... and {len(report.cases) - max_cases} more (see --json)")


def _read_model(path: Path, model: type[M], what: str) -> M:
    """Read a JSON file written by this library (a diagnosis, plan, decisions, trajectory)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _Fail(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise _Fail(f"{path}: not a valid {what}: {where}: {first['msg']}") from exc


def _date(value: str | None) -> dt.date:
    if value is None:
        raise _Fail("--as-of is required (the library never reads the clock): give a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _Fail(f"--as-of: expected a date as YYYY-MM-DD, got {value!r}") from exc


def _write(output: Path | None, text: str) -> None:
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


_AS_OF = click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="The date to use (required).")
_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead.",
)


class _Decisions(Record):
    decisions: tuple[Decision, ...]
    preferences: Preferences | None = None


@cli.command("plan")
@click.argument("diagnosis_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("decisions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_kb_option
@_AS_OF
@_OUTPUT
def plan_command(
    diagnosis_file: Path, decisions_file: Path, kb_path: Path | None, as_of: str | None, output: Path | None
) -> None:
    """Make a plan from a diagnosis and the decisions on its advice (JSON: {"decisions": [...]})."""
    kb = _load(kb_path)
    diagnosis = _read_model(diagnosis_file, Diagnosis, "diagnosis")
    decided = _read_model(decisions_file, _Decisions, "decisions file")
    try:
        plan = build_plan(
            diagnosis,
            decided.decisions,
            as_of=_date(as_of),
            knowledge_base=kb,
            preferences=decided.preferences,
        )
    except DiagnoseError as exc:
        raise _Fail(str(exc)) from exc
    _write(output, plan.model_dump_json(indent=2))


@cli.command("compare")
@click.argument("before_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("after_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_kb_option
@click.option(
    "--allow-other-version", is_flag=True, help="Compare measurements from different knowledge bases."
)
@_OUTPUT
def compare_command(
    before_file: Path,
    after_file: Path,
    kb_path: Path | None,
    *,
    allow_other_version: bool,
    output: Path | None,
) -> None:
    """Compare two diagnoses of one client: change per factor and distance travelled."""
    kb = _load(kb_path)
    before = _read_model(before_file, Diagnosis, "diagnosis")
    after = _read_model(after_file, Diagnosis, "diagnosis")
    try:
        result = compare(before, after, knowledge_base=kb, allow_other_version=allow_other_version)
    except DiagnoseError as exc:
        raise _Fail(str(exc)) from exc
    _write(output, result.model_dump_json(indent=2))


def _on_trajectory(
    step: Callable[..., BaseModel],
    trajectory_file: Path,
    kb_path: Path | None,
    as_of: str | None,
    output: Path | None,
) -> None:
    """Read a trajectory, run a cycle step on it on a date, write the result as JSON."""
    kb = _load(kb_path)
    trajectory = _read_model(trajectory_file, Trajectory, "trajectory")
    try:
        result = step(trajectory, as_of=_date(as_of), knowledge_base=kb)
    except DiagnoseError as exc:
        raise _Fail(str(exc)) from exc
    _write(output, result.model_dump_json(indent=2))


@cli.command("review")
@click.argument("trajectory_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_kb_option
@_AS_OF
@_OUTPUT
def review_command(
    trajectory_file: Path, kb_path: Path | None, as_of: str | None, output: Path | None
) -> None:
    """Run the cycle rules over a trajectory: what to re-measure, reconsider, close or evaluate."""
    _on_trajectory(review, trajectory_file, kb_path, as_of, output)


@cli.command("evaluate")
@click.argument("trajectory_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_kb_option
@_AS_OF
@_OUTPUT
def evaluate_command(
    trajectory_file: Path, kb_path: Path | None, as_of: str | None, output: Path | None
) -> None:
    """Look back on a trajectory: steps done and missing, goals reached, overrides and why."""
    _on_trajectory(evaluate, trajectory_file, kb_path, as_of, output)


@cli.command("chart")
@click.argument("diagnosis_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--before",
    "before_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="An earlier diagnosis, drawn underneath.",
)
@_kb_option
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
@_OUTPUT
def chart_command(
    diagnosis_file: Path, before_file: Path | None, kb_path: Path | None, lang: Language, output: Path | None
) -> None:
    """Draw a diagnosis's profile (and an earlier one) as an SVG radar chart."""
    kb = _load(kb_path)
    now = _read_model(diagnosis_file, Diagnosis, "diagnosis")
    before = _read_model(before_file, Diagnosis, "diagnosis") if before_file is not None else None
    svg = profile_chart(kb, now.profile, before=before.profile if before else None, language=lang)
    _write(output, svg)


def main() -> None:
    """Run the command line; errors become a message and an exit code, never a traceback."""
    try:
        cli.main(standalone_mode=True)
    except DiagnoseError as exc:  # pragma: no cover - every command catches its own
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


# The store's commands, registered last: diagnose.cli_store uses this module's helpers.
from diagnose.cli_store import caseload as _caseload_group  # noqa: E402 - after cli is defined
from diagnose.cli_store import client as _client_group  # noqa: E402 - after cli is defined

cli.add_command(_client_group)
cli.add_command(_caseload_group)
