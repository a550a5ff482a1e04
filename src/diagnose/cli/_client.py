"""The `diagnose client` commands: one client's way through the cycle, kept in a store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError
from rich.table import Table

from diagnose.assessment.preferences import PreferenceItem, Preferences
from diagnose.assessment.recommendation import Diagnosis
from diagnose.chart import profile_chart
from diagnose.cli._cycle_show import print_comparison, print_evaluation, print_plan, print_review
from diagnose.cli._io import RUNG
from diagnose.cli._io import Fail as _Fail
from diagnose.cli._show import print_diagnosis
from diagnose.cli._store import (
    STEPS,
    assess_file,
    console,
    emit,
    run_in_store,
    say,
    store_options,
)
from diagnose.cycle.evaluation import evaluate
from diagnose.cycle.monitoring import compare, review
from diagnose.cycle.plan import Decision, Plan, build_plan
from diagnose.errors import DiagnoseError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from diagnose._base import Language
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.store import Caseload

__all__ = ["client"]


@click.group("client")
def client() -> None:
    """One client's cycle on the store: new, assess, decide, plan, measure, review, evaluate, show."""


@client.command("new")
@click.argument("client_id", metavar="CLIENT")
@click.argument("intake_file", metavar="INTAKE_FILE")
@click.option(
    "--own-goal", default=None, help="The client's own goal, in their words (it goes into the plan)."
)
@click.option("--wants", "wanted", multiple=True, help="An intervention the client wants (repeatable).")
@click.option("--does-not-want", "unwanted", multiple=True, help="An intervention the client does not want.")
@RUNG
@store_options(professional=True)
@run_in_store
def new_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    intake_file: str,
    own_goal: str | None,
    wanted: tuple[str, ...],
    unwanted: tuple[str, ...],
    participation_rung: int | None,
    professional: str,
    as_of: dt.date,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 1: assess a new client's intake (INTAKE_FILE, as for `diagnose assess`) and record it."""
    try:
        prefs = Preferences(
            wanted=tuple(PreferenceItem(intervention=i) for i in wanted),
            unwanted=tuple(PreferenceItem(intervention=i) for i in unwanted),
            own_goal=own_goal,
        )
    except ValidationError as exc:
        raise _Fail(f"preferences: {exc.errors(include_url=False)[0]['msg']}") from exc
    wishes = prefs if wanted or unwanted or own_goal else None
    diagnosis = assess_file(intake_file, kb, as_of, wishes, participation_rung)
    store.record_intake(client_id, diagnosis, professional=professional)
    if as_json:
        emit(diagnosis)
        return
    click.echo(
        say(lang, f"{client_id}: intake vastgelegd", f"{client_id}: intake recorded")
        + f" ({diagnosis.assessed_on}, {professional}); "
        + say(
            lang,
            "zie het hele advies met `diagnose client assess`",
            "see the whole advice with `diagnose client assess`",
        )
    )
    for n, r in enumerate(diagnosis.recommendations, start=1):
        click.echo(
            f"{n}. {r.intervention}: {r.name.get(lang)} ({say(lang, 'prioriteit', 'priority')} {r.priority})"
        )


@client.command("assess")
@click.argument("client_id", metavar="CLIENT")
@store_options(as_of="optional")
@run_in_store
def assess_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    as_of: dt.date | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """The client's profile and advice: the latest diagnosis on --as-of (default: the latest of all)."""
    t = store.trajectory(client_id)
    day = as_of
    chosen = [d for d in (t.intake, *t.measurements) if day is None or (d.assessed_on or day) <= day]
    if not chosen:
        raise _Fail(
            f"client {client_id!r} had no diagnosis yet on {day} (the intake was on {t.intake.assessed_on})"
        )
    if as_json:
        emit(chosen[-1])
    else:
        print_diagnosis(kb, chosen[-1], lang)


@client.command("decide")
@click.argument("client_id", metavar="CLIENT")
@click.argument("intervention")
@click.argument("action", type=click.Choice(["accept", "adapt", "decline"]))
@click.option("--reason", default=None, help="Why (required to adapt or decline): a reason code.")
@click.option("--note", default="", help="A note (required with reason 'other').")
@store_options(professional=True)
@run_in_store
def decide_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    intervention: str,
    action: str,
    reason: str | None,
    note: str,
    professional: str,
    as_of: dt.date,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 2: record your decision on one piece of advice (accept, adapt or decline, with a reason)."""
    del kb
    at = dt.datetime.combine(as_of, dt.time(0), tzinfo=dt.UTC)
    try:
        decision = Decision.model_validate(
            {
                "intervention": intervention,
                "action": action,
                "reason": reason,
                "note": note,
                "professional": professional,
                "decided_at": at,
            }
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _Fail(
            f"decision: {where + ': ' if where else ''}{first['msg'].removeprefix('Value error, ')}"
        ) from exc
    store.record_decisions(client_id, [decision])
    if as_json:
        emit(decision)
        return
    why = f" ({reason}{': ' + note if note else ''})" if reason else ""
    click.echo(f"{client_id}: {intervention}: {action}{why}, {professional}, {at.date()}")
    del lang


@client.command("plan")
@click.argument("client_id", metavar="CLIENT")
@store_options(professional=True)
@run_in_store
def plan_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    professional: str,
    as_of: dt.date,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 2: make the plan from your decisions (with the own goal from the intake) and record it."""
    t = store.trajectory(client_id)
    try:
        plan = build_plan(
            t.intake,
            store.decisions(client_id),
            as_of=as_of,
            knowledge_base=kb,
            preferences=t.intake.preferences,
        )
    except DiagnoseError as exc:
        raise _Fail(f"client {client_id!r}: {exc}") from exc
    store.record_plan(client_id, plan, professional=professional)
    if as_json:
        emit(plan)
        return
    print_plan(kb, plan, lang, title=f"Plan {client_id}, {plan.made_on}")


@client.command("measure")
@click.argument("client_id", metavar="CLIENT")
@click.argument("intake_file", metavar="INTAKE_FILE")
@click.option("--allow-other-version", is_flag=True, help="Accept a measurement with another knowledge base.")
@RUNG
@store_options(professional=True)
@run_in_store
def measure_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    intake_file: str,
    participation_rung: int | None,
    professional: str,
    as_of: dt.date,
    *,
    allow_other_version: bool,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 3: assess the client again (INTAKE_FILE), record it, and compare it with the intake."""
    diagnosis = assess_file(intake_file, kb, as_of, participation_rung=participation_rung)
    store.record_measurement(
        client_id, diagnosis, professional=professional, allow_other_version=allow_other_version
    )
    change = compare(
        store.trajectory(client_id).intake,
        diagnosis,
        knowledge_base=kb,
        allow_other_version=allow_other_version,
    )
    if as_json:
        emit(change)
        return
    title = say(lang, "Verandering sinds de intake", "Change since the intake")
    print_comparison(kb, change, lang, title=title, columns=("Intake", say(lang, "Nu", "Now")))


@client.command("review")
@click.argument("client_id", metavar="CLIENT")
@store_options()
@run_in_store
def review_command(
    store: Caseload, kb: KnowledgeBase, client_id: str, as_of: dt.date, *, as_json: bool, lang: Language
) -> None:
    """Step 3: the cycle rules' suggestions on --as-of (re-measure, reconsider, close a goal, evaluate)."""
    result = review(store.trajectory(client_id), as_of=as_of, knowledge_base=kb)
    if as_json:
        emit(result)
        return
    print_review(kb, result, lang, client=client_id)


@client.command("evaluate")
@click.argument("client_id", metavar="CLIENT")
@store_options(professional=True)
@run_in_store
def evaluate_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    professional: str,
    as_of: dt.date,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 4: record the evaluation on --as-of and look back: steps, goals reached, overrides."""
    on = as_of
    store.record_evaluation(client_id, on=on, professional=professional)
    report = evaluate(store.trajectory(client_id), as_of=on, knowledge_base=kb)
    if as_json:
        emit(report)
        return
    print_evaluation(kb, report, lang, on=on)


def _timeline(store: Caseload, client_id: str, kb: KnowledgeBase, lang: Language) -> Iterator[str]:
    t = store.trajectory(client_id)
    for e, step in store.steps(client_id):
        detail = ""
        if isinstance(step, Diagnosis) and e.kind == "intake":
            advice = ", ".join(kb.interventions[r.intervention].name.get(lang) for r in step.recommendations)
            detail = say(lang, "advies: ", "advice: ") + (advice or "-")
        elif isinstance(step, Diagnosis):
            improved = compare(t.intake, step, knowledge_base=kb, allow_other_version=True).improved
            names = ", ".join(kb.factors[f].name.get(lang) for f in improved) or "-"
            detail = say(lang, f"beter: {names}", f"improved: {names}")
        elif isinstance(step, Plan):
            detail = "; ".join(g.description.get(lang) for g in step.goals) or "-"
            if step.own_goal:
                detail += say(lang, f"; eigen doel: {step.own_goal}", f"; own goal: {step.own_goal}")
        elif isinstance(step, tuple):
            detail = "; ".join(
                f"{d.intervention}: {d.action}" + (f" ({d.reason})" if d.reason else "") for d in step
            )
        who = e.professional or "-"
        yield f"{e.occurred_on or '-'}  {STEPS[lang][e.kind]:<11} {who:<8} {detail}".rstrip()


@client.command("show")
@click.argument("client_id", metavar="CLIENT")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the profile chart (SVG) here: the last measurement over the intake.",
)
@store_options(as_of=None)
@run_in_store
def show_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    chart_path: Path | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """The client's trajectory as a timeline (and, with --chart, the profile chart)."""
    t = store.trajectory(client_id)
    if chart_path is not None:
        last = t.measurements[-1] if t.measurements else t.intake
        before = t.intake.profile if t.measurements else None
        chart_path.write_text(profile_chart(kb, last.profile, before=before, language=lang), encoding="utf-8")
    if as_json:
        emit(t)
        return
    for line in _timeline(store, client_id, kb, lang):
        click.echo(line)


@client.command("history")
@click.argument("client_id", metavar="CLIENT")
@store_options(as_of=None)
@run_in_store
def history_command(
    store: Caseload, kb: KnowledgeBase, client_id: str, *, as_json: bool, lang: Language
) -> None:
    """Every event of the client: what, when, who, knowledge base and hash (also after erasure)."""
    del kb
    events = store.history(client_id)
    if as_json:
        emit([e.model_dump(mode="json") for e in events])
        return
    table = Table(
        "#",
        say(lang, "Stap", "Step"),
        say(lang, "Datum", "Date"),
        say(lang, "Wie", "Who"),
        say(lang, "Kennisbank", "Knowledge base"),
        "Hash",
    )
    for e in events:
        erased = say(lang, " (gewist)", " (erased)") if e.erased else ""
        table.add_row(
            str(e.seq),
            STEPS[lang][e.kind] + erased,
            str(e.occurred_on or "-"),
            e.professional or "-",
            e.knowledge_base_version or "-",
            e.hash[7:19],
        )
    console().print(table)


@client.command("forget")
@click.argument("client_id", metavar="CLIENT")
@click.option("--professional", default=None, help="Your pseudonymous id (recorded with the erasure).")
@click.option("--yes", "confirmed", is_flag=True, help="Confirm: the client's data are erased for good.")
@store_options(as_of="optional", output=False)
@run_in_store
def forget_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    professional: str | None,
    as_of: dt.date | None,
    *,
    confirmed: bool,
) -> None:
    """Erase the client's personal data (GDPR art. 17); the erasure itself is recorded."""
    del kb
    if not confirmed:
        raise _Fail(f"this erases client {client_id!r} for good; add --yes to confirm")
    erased = store.forget(client_id, on=as_of, professional=professional)
    click.echo(f"{client_id}: {erased} events erased; the erasure is recorded")
