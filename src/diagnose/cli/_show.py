"""How the command line shows a diagnosis: the profile table, the advice table, what is undecided.

Shared by `diagnose assess` and the store's `diagnose client` commands, so both show the same.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from diagnose._base import number
from diagnose.authoring.catalog import GRADE_LABELS, RECOGNITION_LABELS

if TYPE_CHECKING:
    from diagnose._base import Language
    from diagnose.assessment.recommendation import Diagnosis, Recommendation
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["LEVEL_NAMES", "print_diagnosis", "undecided_lines"]

#: Each level's name, per language.
LEVEL_NAMES = {
    "nl": {"low": "laag", "medium": "midden", "high": "hoog", "not_assessed": "niet gemeten"},
    "en": {"low": "low", "medium": "medium", "high": "high", "not_assessed": "not assessed"},
}
_HEAD = {
    "nl": ("Factor", "Niveau", "Score", "Beantwoord", "Advies", "Wanneer", "Prioriteit", "Bewijs", "Waarom"),
    "en": ("Factor", "Level", "Score", "Answered", "Advice", "When", "Priority", "Evidence", "Why"),
}
_WORDS = {
    "nl": {
        "now": "nu",
        "later": "later",
        "ladder": "Participatieladder: trede",
        "warning": "Let op",
        "basis": "Waar het advies op steunt",
        "nl_status": "NL",
        "no_status": "geen erkenning vastgelegd",
        "international": "internationaal",
        "no_grade": "geen samenvatting",
        "checked": "geraadpleegd",
        "sources": "Bronnen",
    },
    "en": {
        "now": "now",
        "later": "later",
        "ladder": "Participation ladder: rung",
        "warning": "Note",
        "basis": "What the advice rests on",
        "nl_status": "NL",
        "no_status": "no recognition recorded",
        "international": "international",
        "no_grade": "no summary",
        "checked": "checked",
        "sources": "Sources",
    },
}


def _evidence_cell(rec: Recommendation, lang: Language) -> str:
    """The Dutch status and the grade of the international evidence, in two short lines."""
    words, n = _WORDS[lang], 0 if lang == "nl" else 1
    status = words["no_status"] if rec.recognition is None else RECOGNITION_LABELS[rec.recognition.level][n]
    grade = words["no_grade"] if rec.evidence is None else GRADE_LABELS[rec.evidence.grade][n]
    return f"{words['nl_status']}: {status}\n{words['international']}: {grade}"


def _basis(kb: KnowledgeBase, d: Diagnosis, lang: Language) -> list[str]:
    """Per recommendation: the evidence summary, the Dutch status with its page, and the sources."""
    words = _WORDS[lang]
    out = [f"[bold]{words['basis']}[/bold]"]
    for rank, rec in enumerate(d.recommendations, start=1):
        out.append(f"{rank}. {escape(rec.name.get(lang))} ({words[rec.phase]})")
        if rec.evidence is not None:
            grade = GRADE_LABELS[rec.evidence.grade][0 if lang == "nl" else 1]
            out.append(f"   {words['international']} ({grade}): {escape(rec.evidence.summary.get(lang))}")
        r = rec.recognition
        if r is not None:
            label = RECOGNITION_LABELS[r.level][0 if lang == "nl" else 1]
            checked = f"{words['checked']} {r.checked}"
            out.append(f"   {words['nl_status']}: {label}; {escape(r.databank)}; {r.url} ({checked})")
        sources = dict.fromkeys(
            (
                *(rec.evidence.reviews if rec.evidence is not None else ()),
                *rec.sources,
                *(s for rule in rec.rules for s in kb.rules_by_id[rule].sources),
            )
        )
        if sources:
            out += [f"   {words['sources']}:", *(f"   - {escape(source)}" for source in sources)]
    return out


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
    words = _WORDS[lang]
    if d.participation_rung is not None and kb.instrument.participation_ladder is not None:
        rung = kb.instrument.participation_ladder.rungs[d.participation_rung - 1]
        console.print(f"{words['ladder']} {rung.rung} ({escape(rung.name.get(lang))})")
    for warning in d.warnings:
        console.print(f"[bold]{words['warning']}:[/bold] {escape(warning.message.get(lang))}")
    advice = Table(show_lines=True)
    for column in ("#", *head[4:]):
        advice.add_column(column, overflow="fold")
    for rank, rec in enumerate(d.recommendations, start=1):
        advice.add_row(
            str(rank),
            rec.name.get(lang),
            words[rec.phase],
            str(rec.priority),
            _evidence_cell(rec, lang),
            rec.rationale.get(lang),
        )
    console.print(advice)
    reasons = dict.fromkeys(r.phase_reason.get(lang) for r in d.recommendations if r.phase_reason is not None)
    for reason in reasons:
        console.print(f"{words['later'].capitalize()}: {escape(reason)}")
    if d.recommendations:
        console.print("\n".join(_basis(kb, d, lang)), soft_wrap=True)
    for line in undecided_lines(kb, d, lang):
        console.print(line, style="dim", markup=False, highlight=False)
    console.print(f"[dim]{d.knowledge_base_id} {d.knowledge_base_version} {d.knowledge_base_hash}[/dim]")
