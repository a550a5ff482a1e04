"""The cycle commands of `diagnose`: plan, compare, review, evaluate and chart.

They read JSON files that the library wrote (diagnoses, decisions, trajectories). `plan`,
`compare`, `review` and `evaluate` print a table (`--lang nl|en`, Dutch by default) or, with
`--json`, the result's JSON; `-o FILE` writes the JSON to a file for the next step. `chart`
writes SVG. `diagnose.cli` adds them to the command group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import click

from diagnose._base import Record, number
from diagnose.assessment.preferences import Preferences  # noqa: TC001 - pydantic reads it at run time
from diagnose.assessment.recommendation import Diagnosis
from diagnose.chart import profile_chart
from diagnose.cli._cycle_show import print_comparison, print_evaluation, print_plan, print_review, say
from diagnose.cli._io import AS_OF, FILE, OUTPUT, Fail, kb_option, load, read_model, write_output
from diagnose.cycle.evaluation import evaluate
from diagnose.cycle.monitoring import compare, review
from diagnose.cycle.plan import Decision, build_plan
from diagnose.cycle.trajectory import Trajectory

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable
    from pathlib import Path

    from pydantic import BaseModel

    from diagnose._base import Language
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["chart_command", "compare_command", "evaluate_command", "plan_command", "review_command"]


LANG = click.option(
    "--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language of the table."
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print the result's JSON instead of a table.")


def _show(result: BaseModel, output: Path | None, *, as_json: bool, table: Callable[[], None]) -> None:
    """Write the JSON to `output`, or print it (--json), or print the table."""
    if output is not None or as_json:
        write_output(output, result.model_dump_json(indent=2))
    else:
        table()


class _Decisions(Record):
    decisions: tuple[Decision, ...]
    preferences: Preferences | None = None


@click.command("plan")
@click.argument("diagnosis_file", type=FILE)
@click.argument("decisions_file", type=FILE)
@kb_option
@AS_OF
@OUTPUT
@JSON
@LANG
def plan_command(
    diagnosis_file: Path,
    decisions_file: Path,
    kb_path: Path | None,
    as_of: dt.date,
    output: Path | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Make a plan from a diagnosis and the decisions on its advice (JSON: {"decisions": [...]})."""
    kb = load(kb_path)
    diagnosis = read_model(diagnosis_file, Diagnosis, "diagnosis")
    decided = read_model(decisions_file, _Decisions, "decisions file")
    plan = build_plan(
        diagnosis, decided.decisions, as_of=as_of, knowledge_base=kb, preferences=decided.preferences
    )
    title = say(lang, f"Plan van {plan.made_on}", f"Plan of {plan.made_on}")
    _show(plan, output, as_json=as_json, table=lambda: print_plan(kb, plan, lang, title=title))


@click.command("compare")
@click.argument("before_file", type=FILE)
@click.argument("after_file", type=FILE)
@kb_option
@click.option(
    "--allow-other-version", is_flag=True, help="Compare measurements from different knowledge bases."
)
@OUTPUT
@JSON
@LANG
def compare_command(
    before_file: Path,
    after_file: Path,
    kb_path: Path | None,
    *,
    allow_other_version: bool,
    output: Path | None,
    as_json: bool,
    lang: Language,
) -> None:
    """Compare two diagnoses of one client: change per factor and distance travelled."""
    kb = load(kb_path)
    before = read_model(before_file, Diagnosis, "diagnosis")
    after = read_model(after_file, Diagnosis, "diagnosis")
    if before.knowledge_base_hash != after.knowledge_base_hash and not allow_other_version:
        raise Fail(  # the library's own message names its Python argument; this one the option
            f"{before_file}, {after_file}: the measurements come from different knowledge-base versions "
            f"({before.knowledge_base_version} {before.knowledge_base_hash[:19]} and "
            f"{after.knowledge_base_version} {after.knowledge_base_hash[:19]}); "
            "give --allow-other-version to compare them anyway"
        )
    result = compare(before, after, knowledge_base=kb, allow_other_version=allow_other_version)
    dates = f" ({before.assessed_on or '-'} → {after.assessed_on or '-'})"
    title = say(lang, "Verandering", "Change") + dates
    columns = (say(lang, "Voor", "Before"), say(lang, "Na", "After"))

    def table() -> None:
        print_comparison(kb, result, lang, title=title, columns=columns)
        travelled = number(result.distance_travelled, lang, ".2f")
        click.echo(say(lang, f"Afgelegde afstand: {travelled}", f"Distance travelled: {travelled}"))

    _show(result, output, as_json=as_json, table=table)


def _trajectory(
    trajectory_file: Path, kb_path: Path | None, as_of: dt.date, step: str
) -> tuple[KnowledgeBase, Trajectory]:
    """The knowledge base and the trajectory; an --as-of before the intake is refused, naming the option."""
    kb, trajectory = load(kb_path), read_model(trajectory_file, Trajectory, "trajectory")
    start = trajectory.intake.assessed_on
    if start is not None and as_of < start:
        raise Fail(
            f"{trajectory_file}: client {trajectory.client!r}: --as-of {as_of} is before the intake "
            f"({start}): there is nothing to {step} yet"
        )
    return kb, trajectory


@click.command("review")
@click.argument("trajectory_file", type=FILE)
@kb_option
@AS_OF
@OUTPUT
@JSON
@LANG
def review_command(
    trajectory_file: Path,
    kb_path: Path | None,
    as_of: dt.date,
    output: Path | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Run the cycle rules over a trajectory: what to re-measure, reconsider, close or evaluate."""
    kb, trajectory = _trajectory(trajectory_file, kb_path, as_of, "review")
    result = review(trajectory, as_of=as_of, knowledge_base=kb)
    table = lambda: print_review(kb, result, lang, client=trajectory.client)  # noqa: E731 - a one-line table
    _show(result, output, as_json=as_json, table=table)


@click.command("evaluate")
@click.argument("trajectory_file", type=FILE)
@kb_option
@AS_OF
@OUTPUT
@JSON
@LANG
def evaluate_command(
    trajectory_file: Path,
    kb_path: Path | None,
    as_of: dt.date,
    output: Path | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Look back on a trajectory: steps done and missing, goals reached, overrides and why.

    An --as-of before the intake is refused: there is nothing to look back on yet.
    """
    kb, trajectory = _trajectory(trajectory_file, kb_path, as_of, "evaluate")
    report = evaluate(trajectory, as_of=as_of, knowledge_base=kb)
    table = lambda: print_evaluation(kb, report, lang, on=as_of)  # noqa: E731 - a one-line table
    _show(report, output, as_json=as_json, table=table)


@click.command("chart")
@click.argument("diagnosis_file", type=FILE)
@click.option(
    "--before", "before_file", type=FILE, default=None, help="An earlier diagnosis, drawn underneath."
)
@kb_option
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
@click.option(
    "--kind", type=click.Choice(["radar", "bars"]), default="radar", show_default=True, help="Radar or bars."
)
@OUTPUT
def chart_command(
    diagnosis_file: Path,
    *,
    before_file: Path | None,
    kb_path: Path | None,
    lang: Language,
    kind: Literal["radar", "bars"],
    output: Path | None,
) -> None:
    """Draw a diagnosis's profile (and an earlier one) as an SVG chart, dated when the diagnoses are."""
    kb = load(kb_path)
    now = read_model(diagnosis_file, Diagnosis, "diagnosis")
    before = read_model(before_file, Diagnosis, "diagnosis") if before_file is not None else None
    try:
        svg = profile_chart(
            kb,
            now.profile,
            before=before.profile if before else None,
            language=lang,
            kind=kind,
            date=now.assessed_on,
            before_date=before.assessed_on if before else None,
        )
    except ValueError as exc:  # the only one left: a profile scored with another knowledge base
        files = ", ".join(str(f) for f in (diagnosis_file, before_file) if f is not None)
        raise Fail(f"{files}: {exc} Give the knowledge base that made it with --kb.") from exc
    write_output(output, svg)
