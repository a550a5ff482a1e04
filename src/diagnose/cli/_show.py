"""How the command line shows a diagnosis: the profile table, the advice table, what is undecided.

Shared by `diagnose assess` and the store's `diagnose client` commands, so both show the same.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from diagnose._base import number
from diagnose.authoring.catalog import EVIDENCE_LABELS

if TYPE_CHECKING:
    from diagnose._base import Language
    from diagnose.assessment.recommendation import Diagnosis
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["LEVEL_NAMES", "print_diagnosis", "undecided_lines"]

#: Each level's name, per language.
LEVEL_NAMES = {
    "nl": {"low": "laag", "medium": "midden", "high": "hoog", "not_assessed": "niet gemeten"},
    "en": {"low": "low", "medium": "medium", "high": "high", "not_assessed": "not assessed"},
}
_HEAD = {
    "nl": ("Factor", "Niveau", "Score", "Beantwoord", "Advies", "Prioriteit", "Bewijs", "Waarom"),
    "en": ("Factor", "Level", "Score", "Answered", "Advice", "Priority", "Evidence", "Why"),
}

_UNDECIDED = {
    "nl": "Nog niet beslist: {title}, advies {intervention}. Er ontbreekt: {missing}.",
    "en": "Not decided yet: {title}, advice {intervention}. Missing: {missing}.",
}


def undecided_lines(kb: KnowledgeBase, d: Diagnosis, lang: Language) -> list[str]:
    """One line per undecided rule, in the knowledge base's own words (ids only in `--json`).

    The rule's title, the intervention's name, and what is missing: the factors' names and the
    context fields' descriptions. Two rules that would say the same line are shown once.
    """
    lines: list[str] = []
    for undecided in d.trace.undecided_rules:
        rule = kb.rules_by_id[undecided.rule]
        missing = [kb.factors[f].name.get(lang) for f in undecided.not_assessed]
        missing += [kb.context_fields[c].description.get(lang).rstrip(".") for c in undecided.context_missing]
        line = _UNDECIDED[lang].format(
            intervention=kb.interventions[undecided.intervention].name.get(lang),
            title=rule.title.get(lang),
            missing=", ".join(missing),
        )
        if line not in lines:
            lines.append(line)
    return lines


def print_diagnosis(kb: KnowledgeBase, d: Diagnosis, lang: Language) -> None:
    """Print a diagnosis as `diagnose assess` shows it: the profile table, the advice, what is undecided."""
    console = Console(width=120 if not sys.stdout.isatty() else None)
    head = _HEAD[lang]
    profile = Table(title=kb.instrument.title.get(lang), title_justify="left")
    for column in head[:4]:
        profile.add_column(column)
    for factor_id, result in d.profile.scores.items():
        total = len(result.answered) + len(result.missing)
        profile.add_row(
            kb.factors[factor_id].name.get(lang),
            LEVEL_NAMES[lang][result.level],
            "-" if result.score is None else number(result.score, lang, ".2f"),
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
    for line in undecided_lines(kb, d, lang):
        console.print(line, style="dim", markup=False, highlight=False)
    console.print(f"[dim]{d.knowledge_base_id} {d.knowledge_base_version} {d.knowledge_base_hash}[/dim]")
