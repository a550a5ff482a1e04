"""`diagnose client` and `diagnose caseload`: the whole methodical cycle on a caseload store.

Every command works on the store given by `--store` (default: the `DIAGNOSE_STORE` environment
variable, else `./caseload.sqlite`, created when missing): a path for SQLite or a database URL.
Dates are passed in with `--as-of` (the library never reads the clock). Tables by default,
`--json` for machines, `--lang nl|en`. Every refusal is one line on standard error and exit 1.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from diagnose.assessment.preferences import PreferenceItem, Preferences
from diagnose.assessment.recommendation import Diagnosis, assess
from diagnose.chart import profile_chart
from diagnose.cli._io import Fail as _Fail
from diagnose.cli._io import kb_option, load, read_intake
from diagnose.cli._show import print_diagnosis
from diagnose.cycle.evaluation import evaluate
from diagnose.cycle.monitoring import compare, review
from diagnose.cycle.plan import Decision, Plan, build_plan
from diagnose.errors import DiagnoseError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from diagnose._base import Language
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.store import Caseload

__all__ = ["caseload", "client"]

#: Where the store is when --store is not given.
STORE_VARIABLE = "DIAGNOSE_STORE"
_STEPS = {
    "nl": {
        "intake": "intake",
        "decisions": "besluiten",
        "plan": "plan",
        "measurement": "meting",
        "evaluation": "evaluatie",
        "forget": "gewist",
    },
    "en": {
        "intake": "intake",
        "decisions": "decisions",
        "plan": "plan",
        "measurement": "measurement",
        "evaluation": "evaluation",
        "forget": "erased",
    },
}
_LEVEL = {
    "nl": {"low": "laag", "medium": "midden", "high": "hoog", "not_assessed": "niet gemeten", None: "-"},
    "en": {"low": "low", "medium": "medium", "high": "high", "not_assessed": "not assessed", None: "-"},
}


def _console() -> Console:
    return Console(width=120 if not sys.stdout.isatty() else None)


def _say(lang: Language, nl: str, en: str) -> str:
    return nl if lang == "nl" else en


def _day(value: str | None, option: str = "--as-of") -> dt.date:
    if value is None:
        raise _Fail(f"{option} is required (the library never reads the clock): give a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _Fail(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from exc


def _maybe_day(value: str | None, option: str) -> dt.date | None:
    return None if value is None else _day(value, option)


def _options(*, professional: bool = False, as_of: bool = True, output: bool = True) -> Callable[..., Any]:
    """The options of every store command: --store, --kb, and as asked --as-of, --professional, --json."""

    def wrap(func: Callable[..., None]) -> Callable[..., None]:
        if output:
            func = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
                func
            )
            func = click.option(
                "--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language."
            )(func)
        if professional:
            func = click.option(
                "--professional", required=True, help="Your pseudonymous id, such as km-17 (never a name)."
            )(func)
        if as_of:
            func = click.option(
                "--as-of", "as_of", metavar="YYYY-MM-DD", help="The date of this step (required)."
            )(func)
        func = kb_option(func)
        return click.option(
            "--store",
            "store_path",
            envvar=STORE_VARIABLE,
            default="caseload.sqlite",
            show_default=True,
            help=f"The caseload store: a path (SQLite) or a database URL [env: {STORE_VARIABLE}].",
        )(func)

    return wrap


def _run(func: Callable[..., None]) -> Callable[..., None]:
    """Open the store for a command, close it after, and turn every refusal into one line."""

    @functools.wraps(func)
    def wrapper(store_path: str, kb_path: Path | None, **kwargs: Any) -> None:  # noqa: ANN401 - click's values
        from diagnose.store import open_caseload  # noqa: PLC0415 - SQLAlchemy only for store commands

        kb = load(kb_path)
        try:
            with open_caseload(store_path, knowledge_base=kb) as store:
                func(store, kb, **kwargs)
        except DiagnoseError as exc:
            raise _Fail(str(exc)) from exc

    return wrapper


def _emit(model: BaseModel | list[Any] | dict[str, Any]) -> None:
    if isinstance(model, BaseModel):
        click.echo(model.model_dump_json(indent=2))
    else:
        click.echo(json.dumps(model, indent=2, ensure_ascii=False, default=str))


def _assess_file(
    file: str, kb: KnowledgeBase, day: dt.date, preferences: Preferences | None = None
) -> Diagnosis:
    intake = read_intake(file)
    try:
        return assess(
            intake.answers, knowledge_base=kb, context=intake.context, as_of=day, preferences=preferences
        )
    except DiagnoseError as exc:
        raise _Fail(f"{file}: {exc}") from exc


@click.group("client")
def client() -> None:
    """One client's cycle on the store: new, assess, decide, plan, measure, review, evaluate, show."""


@click.group("caseload")
def caseload() -> None:
    """The whole caseload on the store: indicators, export, import, verify."""


@client.command("new")
@click.argument("client_id", metavar="CLIENT")
@click.argument("intake_file", metavar="INTAKE_FILE")
@click.option(
    "--own-goal", default=None, help="The client's own goal, in their words (it goes into the plan)."
)
@click.option("--wants", "wanted", multiple=True, help="An intervention the client wants (repeatable).")
@click.option("--does-not-want", "unwanted", multiple=True, help="An intervention the client does not want.")
@_options(professional=True)
@_run
def new_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    intake_file: str,
    own_goal: str | None,
    wanted: tuple[str, ...],
    unwanted: tuple[str, ...],
    professional: str,
    as_of: str | None,
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
    diagnosis = _assess_file(intake_file, kb, _day(as_of), prefs if wanted or unwanted or own_goal else None)
    store.record_intake(client_id, diagnosis, professional=professional)
    if as_json:
        _emit(diagnosis)
        return
    click.echo(
        _say(lang, f"{client_id}: intake vastgelegd", f"{client_id}: intake recorded")
        + f" ({diagnosis.assessed_on}, {professional}); "
        + _say(
            lang,
            "zie het hele advies met `diagnose client assess`",
            "see the whole advice with `diagnose client assess`",
        )
    )
    for n, r in enumerate(diagnosis.recommendations, start=1):
        click.echo(
            f"{n}. {r.intervention}: {r.name.get(lang)} ({_say(lang, 'prioriteit', 'priority')} {r.priority})"
        )


@client.command("assess")
@click.argument("client_id", metavar="CLIENT")
@_options()
@_run
def assess_command(
    store: Caseload, kb: KnowledgeBase, client_id: str, as_of: str | None, *, as_json: bool, lang: Language
) -> None:
    """The client's profile and advice: the latest diagnosis on --as-of (default: the latest of all)."""
    t = store.trajectory(client_id)
    day = _maybe_day(as_of, "--as-of")
    chosen = [d for d in (t.intake, *t.measurements) if day is None or (d.assessed_on or day) <= day]
    if not chosen:
        raise _Fail(
            f"client {client_id!r} had no diagnosis yet on {day} (the intake was on {t.intake.assessed_on})"
        )
    if as_json:
        _emit(chosen[-1])
    else:
        print_diagnosis(kb, chosen[-1], lang)


@client.command("decide")
@click.argument("client_id", metavar="CLIENT")
@click.argument("intervention")
@click.argument("action", type=click.Choice(["accept", "adapt", "decline"]))
@click.option("--reason", default=None, help="Why (required to adapt or decline): a reason code.")
@click.option("--note", default="", help="A note (required with reason 'other').")
@_options(professional=True)
@_run
def decide_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    intervention: str,
    action: str,
    reason: str | None,
    note: str,
    professional: str,
    as_of: str | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 2: record your decision on one piece of advice (accept, adapt or decline, with a reason)."""
    del kb
    at = dt.datetime.combine(_day(as_of), dt.time(0), tzinfo=dt.UTC)
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
        _emit(decision)
        return
    why = f" ({reason}{': ' + note if note else ''})" if reason else ""
    click.echo(f"{client_id}: {intervention}: {action}{why}, {professional}, {at.date()}")
    del lang


@client.command("plan")
@click.argument("client_id", metavar="CLIENT")
@_options(professional=True)
@_run
def plan_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    professional: str,
    as_of: str | None,
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
            as_of=_day(as_of),
            knowledge_base=kb,
            preferences=t.intake.preferences,
        )
    except DiagnoseError as exc:
        raise _Fail(f"client {client_id!r}: {exc}") from exc
    store.record_plan(client_id, plan, professional=professional)
    if as_json:
        _emit(plan)
        return
    click.echo(f"Plan {client_id}, {plan.made_on}")
    table = Table()
    for head in (
        _say(lang, "Doel", "Goal"),
        _say(lang, "Ondersteuning", "Support"),
        _say(lang, "Herzien op", "Review on"),
    ):
        table.add_column(head)
    for goal in plan.goals:
        table.add_row(
            goal.description.get(lang),
            ", ".join(kb.interventions[i].name.get(lang) for i in goal.interventions),
            str(goal.review_date),
        )
    _console().print(table)
    own = plan.own_goal or "-"
    click.echo(_say(lang, f"Eigen doel van de klant: {own}", f"The client's own goal: {own}"))


@client.command("measure")
@click.argument("client_id", metavar="CLIENT")
@click.argument("intake_file", metavar="INTAKE_FILE")
@click.option("--allow-other-version", is_flag=True, help="Accept a measurement with another knowledge base.")
@_options(professional=True)
@_run
def measure_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    intake_file: str,
    professional: str,
    as_of: str | None,
    *,
    allow_other_version: bool,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 3: assess the client again (INTAKE_FILE), record it, and compare it with the intake."""
    diagnosis = _assess_file(intake_file, kb, _day(as_of))
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
        _emit(change)
        return
    click.echo(_say(lang, "Verandering sinds de intake", "Change since the intake"))
    table = Table()
    for head in (
        "Factor",
        _say(lang, "Intake", "Intake"),
        _say(lang, "Nu", "Now"),
        _say(lang, "Verschil", "Change"),
        _say(lang, "Richting", "Direction"),
    ):
        table.add_column(head)
    words = {
        "better": _say(lang, "beter", "better"),
        "worse": _say(lang, "slechter", "worse"),
        "same": _say(lang, "gelijk", "same"),
        None: "-",
    }
    for f in change.factors:
        table.add_row(
            kb.factors[f.factor].name.get(lang),
            _LEVEL[lang][f.before_level],
            _LEVEL[lang][f.after_level],
            "-" if f.change is None else f"{f.change:+.2f}",
            words[f.direction],
        )
    _console().print(table)


@client.command("review")
@click.argument("client_id", metavar="CLIENT")
@_options()
@_run
def review_command(
    store: Caseload, kb: KnowledgeBase, client_id: str, as_of: str | None, *, as_json: bool, lang: Language
) -> None:
    """Step 3: the cycle rules' suggestions on --as-of (re-measure, reconsider, close a goal, evaluate)."""
    result = review(store.trajectory(client_id), as_of=_day(as_of), knowledge_base=kb)
    if as_json:
        _emit(result)
        return
    if not result.suggestions:
        click.echo(
            _say(
                lang,
                f"{client_id}: geen suggesties op {result.as_of}",
                f"{client_id}: no suggestions on {result.as_of}",
            )
        )
    for s in result.suggestions:
        goal = f" ({kb.factors[s.goal].name.get(lang)})" if s.goal else ""
        click.echo(f"- {s.action}{goal}: {s.rationale.get(lang)}")


@client.command("evaluate")
@click.argument("client_id", metavar="CLIENT")
@_options(professional=True)
@_run
def evaluate_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    professional: str,
    as_of: str | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """Step 4: record the evaluation on --as-of and look back: steps, goals reached, overrides."""
    day = _day(as_of)
    store.record_evaluation(client_id, on=day, professional=professional)
    report = evaluate(store.trajectory(client_id), as_of=day, knowledge_base=kb)
    if as_json:
        _emit(report)
        return
    steps = ", ".join(_STEPS[lang].get(s, s) for s in report.steps_done)
    click.echo(
        _say(
            lang,
            f"{client_id} op {day}: stappen gedaan: {steps}",
            f"{client_id} on {day}: steps done: {steps}",
        )
    )
    yes, no = _say(lang, "bereikt", "reached"), _say(lang, "niet bereikt", "not reached")
    for g in report.goals:
        state = "-" if g.reached is None else (yes if g.reached else no)
        click.echo(f"- {kb.factors[g.factor].name.get(lang)} → {_LEVEL[lang][g.target_level]}: {state}")
    for d in report.overrides:
        click.echo(f"- {d.intervention}: {d.action} ({d.reason})")


def _timeline(store: Caseload, client_id: str, kb: KnowledgeBase, lang: Language) -> Iterator[str]:
    t = store.trajectory(client_id)
    for e, step in store.steps(client_id):
        detail = ""
        if isinstance(step, Diagnosis) and e.kind == "intake":
            advice = ", ".join(kb.interventions[r.intervention].name.get(lang) for r in step.recommendations)
            detail = _say(lang, "advies: ", "advice: ") + (advice or "-")
        elif isinstance(step, Diagnosis):
            improved = compare(t.intake, step, knowledge_base=kb, allow_other_version=True).improved
            names = ", ".join(kb.factors[f].name.get(lang) for f in improved) or "-"
            detail = _say(lang, f"beter: {names}", f"improved: {names}")
        elif isinstance(step, Plan):
            detail = "; ".join(g.description.get(lang) for g in step.goals) or "-"
            if step.own_goal:
                detail += _say(lang, f"; eigen doel: {step.own_goal}", f"; own goal: {step.own_goal}")
        elif isinstance(step, tuple):
            detail = "; ".join(
                f"{d.intervention}: {d.action}" + (f" ({d.reason})" if d.reason else "") for d in step
            )
        who = e.professional or "-"
        yield f"{e.occurred_on or '-'}  {_STEPS[lang][e.kind]:<11} {who:<8} {detail}".rstrip()


@client.command("show")
@click.argument("client_id", metavar="CLIENT")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the profile chart (SVG) here: the last measurement over the intake.",
)
@_options(as_of=False)
@_run
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
        _emit(t)
        return
    for line in _timeline(store, client_id, kb, lang):
        click.echo(line)


@client.command("history")
@click.argument("client_id", metavar="CLIENT")
@_options(as_of=False)
@_run
def history_command(
    store: Caseload, kb: KnowledgeBase, client_id: str, *, as_json: bool, lang: Language
) -> None:
    """Every event of the client: what, when, who, knowledge base and hash (also after erasure)."""
    del kb
    events = store.history(client_id)
    if as_json:
        _emit([e.model_dump(mode="json") for e in events])
        return
    table = Table(
        "#",
        _say(lang, "Stap", "Step"),
        _say(lang, "Datum", "Date"),
        _say(lang, "Wie", "Who"),
        _say(lang, "Kennisbank", "Knowledge base"),
        "Hash",
    )
    for e in events:
        erased = _say(lang, " (gewist)", " (erased)") if e.erased else ""
        table.add_row(
            str(e.seq),
            _STEPS[lang][e.kind] + erased,
            str(e.occurred_on or "-"),
            e.professional or "-",
            e.knowledge_base_version or "-",
            e.hash[7:19],
        )
    _console().print(table)


@client.command("forget")
@click.argument("client_id", metavar="CLIENT")
@click.option("--professional", default=None, help="Your pseudonymous id (recorded with the erasure).")
@click.option("--yes", "confirmed", is_flag=True, help="Confirm: the client's data are erased for good.")
@_options(output=False)
@_run
def forget_command(
    store: Caseload,
    kb: KnowledgeBase,
    client_id: str,
    professional: str | None,
    as_of: str | None,
    *,
    confirmed: bool,
) -> None:
    """Erase the client's personal data (GDPR art. 17); the erasure itself is recorded."""
    del kb
    if not confirmed:
        raise _Fail(f"this erases client {client_id!r} for good; add --yes to confirm")
    erased = store.forget(client_id, on=_maybe_day(as_of, "--as-of"), professional=professional)
    click.echo(f"{client_id}: {erased} events erased; the erasure is recorded")


@caseload.command("indicators")
@click.option("--professional", default=None, help="Only clients whose intake this professional recorded.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Only clients with an intake on or after.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Only clients with an intake on or before.")
@_options()
@_run
def indicators_command(
    store: Caseload,
    kb: KnowledgeBase,
    professional: str | None,
    since: str | None,
    until: str | None,
    as_of: str | None,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """The process indicators of the caseload on --as-of: steps done, improvement, advice followed."""
    found = store.indicators(
        as_of=_day(as_of),
        professional=professional,
        since=_maybe_day(since, "--since"),
        until=_maybe_day(until, "--until"),
    )
    if as_json:
        _emit(found)
        return
    click.echo(
        _say(
            lang,
            f"{found.trajectories} trajecten op {as_of}",
            f"{found.trajectories} trajectories on {as_of}",
        )
    )
    table = Table(_say(lang, "Indicator", "Indicator"), _say(lang, "Aandeel", "Share"))
    table.add_row(_say(lang, "alle vier stappen", "all four steps"), f"{found.all_four_steps:.0%}")
    for step, share in found.per_step.items():
        table.add_row(_say(lang, f"stap {_STEPS['nl'].get(step, step)}", f"step {step}"), f"{share:.0%}")
    for factor, share in found.improved.items():
        n = found.measured_twice[factor]
        table.add_row(
            _say(
                lang,
                f"beter: {kb.factors[factor].name.nl} (n={n})",
                f"improved: {kb.factors[factor].name.en} (n={n})",
            ),
            f"{share:.0%}",
        )
    for r in found.interventions:
        table.add_row(
            _say(
                lang,
                f"advies gevolgd: {r.intervention} (n={r.decided})",
                f"advice accepted: {r.intervention} (n={r.decided})",
            ),
            f"{r.acceptance_rate:.0%}",
        )
    _console().print(table)


@caseload.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_options(as_of=False, output=False)
@_run
def export_command(store: Caseload, kb: KnowledgeBase, file: Path) -> None:
    """Verify the store and write every event to FILE (JSON Lines), hashes included."""
    del kb
    click.echo(f"{store.export_jsonl(file)} events written to {file}")


@caseload.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_options(as_of=False, output=False)
@_run
def import_command(store: Caseload, kb: KnowledgeBase, file: Path) -> None:
    """Add the clients in FILE (written by `caseload export`), after checking every hash."""
    del kb
    click.echo(f"{store.import_jsonl(file)} events imported from {file}")


@caseload.command("verify")
@click.option(
    "--head", default=None, help="A head printed by an earlier verify: it must still be in the chain."
)
@_options(as_of=False, output=False)
@_run
def verify_command(store: Caseload, kb: KnowledgeBase, head: str | None) -> None:
    """Check every event and both hash chains; exit 1 naming the first event changed or removed."""
    del kb
    report = store.verify(head=head)
    click.echo(
        f"ok: {report.events} events, {report.clients} clients ({report.erased} erased); head {report.head}"
    )
