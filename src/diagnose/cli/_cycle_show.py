"""How the command line shows the cycle's results: a plan, a comparison, a review, an evaluation.

Shared by the file commands (`diagnose plan`, `compare`, `review`, `evaluate`) and the store's
`diagnose client plan|measure|review|evaluate`, so both show the same tables, in Dutch or English.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from diagnose._base import number
from diagnose.cli._show import LEVEL_NAMES

if TYPE_CHECKING:
    import datetime as dt

    from diagnose._base import Language
    from diagnose.cycle.evaluation import EvaluationReport
    from diagnose.cycle.monitoring import Comparison, Review
    from diagnose.cycle.plan import Plan
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["STEP_NAMES", "print_comparison", "print_evaluation", "print_plan", "print_review", "say"]

#: The cycle's steps (and the store's event kinds), per language.
STEP_NAMES = {
    "nl": {
        "intake": "intake",
        "decisions": "besluiten",
        "plan": "plan",
        "monitoring": "monitoring",
        "measurement": "meting",
        "evaluation": "evaluatie",
        "forget": "gewist",
    },
    "en": {
        "intake": "intake",
        "decisions": "decisions",
        "plan": "plan",
        "monitoring": "monitoring",
        "measurement": "measurement",
        "evaluation": "evaluation",
        "forget": "erased",
    },
}


def say(lang: Language, nl: str, en: str) -> str:
    """The Dutch or the English text."""
    return nl if lang == "nl" else en


def _console() -> Console:
    return Console(width=120 if not sys.stdout.isatty() else None)


def print_plan(kb: KnowledgeBase, plan: Plan, lang: Language, *, title: str) -> None:
    """The plan: a title line, a table of its goals (what, with which support, review on), the own goal."""
    click.echo(title)
    table = Table()
    for head in (
        say(lang, "Doel", "Goal"),
        say(lang, "Ondersteuning", "Support"),
        say(lang, "Herzien op", "Review on"),
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
    click.echo(say(lang, f"Eigen doel van de klant: {own}", f"The client's own goal: {own}"))


def print_comparison(
    kb: KnowledgeBase, change: Comparison, lang: Language, *, title: str, columns: tuple[str, str]
) -> None:
    """The change per factor: before, after, the difference and its direction."""
    click.echo(title)
    table = Table()
    for head in ("Factor", *columns, say(lang, "Verschil", "Change"), say(lang, "Richting", "Direction")):
        table.add_column(head)
    words = {
        "better": say(lang, "beter", "better"),
        "worse": say(lang, "slechter", "worse"),
        "same": say(lang, "gelijk", "same"),
        None: "-",
    }
    for f in change.factors:
        table.add_row(
            kb.factors[f.factor].name.get(lang),
            LEVEL_NAMES[lang][f.before_level],
            LEVEL_NAMES[lang][f.after_level],
            "-" if f.change is None else number(f.change, lang, "+.2f"),
            words[f.direction],
        )
    _console().print(table)
    rungs = change.participation_change
    if rungs is not None:
        click.echo(
            say(lang, f"Participatieladder: {rungs:+d} treden", f"Participation ladder: {rungs:+d} rungs")
        )


def print_review(kb: KnowledgeBase, result: Review, lang: Language, *, client: str) -> None:
    """The cycle rules' suggestions, one a line (or that there are none)."""
    if not result.suggestions:
        click.echo(
            say(
                lang,
                f"{client}: geen suggesties op {result.as_of}",
                f"{client}: no suggestions on {result.as_of}",
            )
        )
    for s in result.suggestions:
        goal = f" ({kb.factors[s.goal].name.get(lang)})" if s.goal else ""
        click.echo(f"- {s.action}{goal}: {s.rationale.get(lang)}")


def print_evaluation(kb: KnowledgeBase, report: EvaluationReport, lang: Language, *, on: dt.date) -> None:
    """The look back: steps done (and still to do), each goal reached or not, the overrides and why."""
    names = STEP_NAMES[lang]
    steps = ", ".join(names.get(s, s) for s in report.steps_done)
    client = report.client
    click.echo(
        say(lang, f"{client} op {on}: stappen gedaan: {steps}", f"{client} on {on}: steps done: {steps}")
    )
    if report.steps_missing:
        missing = ", ".join(names.get(s, s) for s in report.steps_missing)
        click.echo(say(lang, f"nog niet gedaan: {missing}", f"not done yet: {missing}"))
    if report.evaluation_due:
        click.echo(say(lang, "de evaluatie is aan de beurt", "the evaluation is due"))
    yes, no = say(lang, "bereikt", "reached"), say(lang, "niet bereikt", "not reached")
    for g in report.goals:
        state = "-" if g.reached is None else (yes if g.reached else no)
        click.echo(f"- {kb.factors[g.factor].name.get(lang)} → {LEVEL_NAMES[lang][g.target_level]}: {state}")
    for d in report.overrides:
        click.echo(f"- {d.intervention}: {d.action} ({d.reason})")
