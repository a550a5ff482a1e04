"""The `diagnose caseload` commands: indicators over a store, export, import and verification."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from diagnose.cli._store import (
    STEPS,
    console,
    date_option,
    emit,
    run_in_store,
    say,
    store_options,
)

if TYPE_CHECKING:
    import datetime as dt

    from diagnose._base import Language
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.store import Caseload

__all__ = ["caseload"]


@click.group("caseload")
def caseload() -> None:
    """The whole caseload on the store: indicators, export, import, verify."""


@caseload.command("indicators")
@click.option("--professional", default=None, help="Only clients whose intake this professional recorded.")
@date_option("--since", "Only clients with an intake on or after this date.")
@date_option("--until", "Only clients with an intake on or before this date.")
@store_options()
@run_in_store
def indicators_command(
    store: Caseload,
    kb: KnowledgeBase,
    professional: str | None,
    since: dt.date | None,
    until: dt.date | None,
    as_of: dt.date,
    *,
    as_json: bool,
    lang: Language,
) -> None:
    """The process indicators of the caseload on --as-of: steps done, improvement, advice followed."""
    found = store.indicators(
        as_of=as_of,
        professional=professional,
        since=since,
        until=until,
    )
    if as_json:
        emit(found)
        return
    click.echo(
        say(
            lang,
            f"{found.trajectories} trajecten op {as_of}",
            f"{found.trajectories} trajectories on {as_of}",
        )
    )
    table = Table(say(lang, "Indicator", "Indicator"), say(lang, "Aandeel", "Share"))
    table.add_row(say(lang, "alle vier stappen", "all four steps"), f"{found.all_four_steps:.0%}")
    for step, share in found.per_step.items():
        table.add_row(say(lang, f"stap {STEPS['nl'].get(step, step)}", f"step {step}"), f"{share:.0%}")
    for factor, share in found.improved.items():
        n = found.measured_twice[factor]
        table.add_row(
            say(
                lang,
                f"beter: {kb.factors[factor].name.nl} (n={n})",
                f"improved: {kb.factors[factor].name.en} (n={n})",
            ),
            f"{share:.0%}",
        )
    if found.up_a_rung is not None:
        n = found.rung_measured_twice
        table.add_row(
            say(
                lang, f"een trede hoger op de participatieladder (n={n})", f"up a participation rung (n={n})"
            ),
            f"{found.up_a_rung:.0%}",
        )
    for r in found.interventions:
        table.add_row(
            say(
                lang,
                f"advies gevolgd: {r.intervention} (n={r.decided})",
                f"advice accepted: {r.intervention} (n={r.decided})",
            ),
            f"{r.acceptance_rate:.0%}",
        )
    console().print(table)


@caseload.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@store_options(as_of=None, output=False)
@run_in_store
def export_command(store: Caseload, kb: KnowledgeBase, file: Path) -> None:
    """Verify the store and write every event to FILE (JSON Lines), hashes included."""
    del kb
    click.echo(f"{store.export_jsonl(file)} events written to {file}")


@caseload.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_options(as_of=None, output=False)
@run_in_store
def import_command(store: Caseload, kb: KnowledgeBase, file: Path) -> None:
    """Add the clients in FILE (written by `caseload export`), after checking every hash."""
    del kb
    click.echo(f"{store.import_jsonl(file)} events imported from {file}")


@caseload.command("verify")
@click.option(
    "--head", default=None, help="A head printed by an earlier verify: it must still be in the chain."
)
@store_options(as_of=None, output=False)
@run_in_store
def verify_command(store: Caseload, kb: KnowledgeBase, head: str | None) -> None:
    """Check every event and both hash chains; exit 1 naming the first event changed or removed."""
    del kb
    report = store.verify(head=head)
    click.echo(
        f"ok: {report.events} events, {report.clients} clients ({report.erased} erased); head {report.head}"
    )
