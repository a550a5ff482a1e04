"""What-if: run two versions of a knowledge base over the same caseload and show what changes.

A rule change is judged on real intakes before it is adopted: how many clients would get other
advice, which interventions gain or lose how many clients, whose priorities or order change, and
exactly which cases change.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from diagnose._base import LocalizedText, Record
from diagnose.assessment.recommendation import assess
from diagnose.errors import AnswerError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from diagnose._base import Language
    from diagnose.assessment.recommendation import Recommendation
    from diagnose.assessment.scoring import Intake
    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "ChangedCase",
    "InterventionShift",
    "PriorityChange",
    "WhatIfReport",
    "compare_knowledge_bases",
    "render_report",
]


class PriorityChange(Record):
    """An intervention a client is advised under both versions, at another priority (1 is first)."""

    intervention: str
    before: int
    after: int


class ChangedCase(Record):
    """A client whose advice differs.

    Attributes:
        row: Row number in the caseload, from 1.
        client: The client id, if the row has one.
        before: Advice under the old version: intervention ids, most urgent first.
        after: The same under the new version.
        before_priorities: The priority of each intervention in `before`, in the same order.
        after_priorities: The same for `after`.
        added: Interventions in `after` that are not in `before`.
        removed: Interventions in `before` that are not in `after`.
        priorities: Interventions in both whose priority changed.
        reordered: Whether the interventions in both come in another order.
    """

    row: int
    client: str | None
    before: tuple[str, ...]
    after: tuple[str, ...]
    before_priorities: tuple[int, ...] = ()
    after_priorities: tuple[int, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    priorities: tuple[PriorityChange, ...] = ()
    reordered: bool = False


class InterventionShift(Record):
    """How many clients an intervention gains, loses and gets at another priority under the new version."""

    intervention: str
    gained: int
    lost: int
    reprioritised: int = 0


class WhatIfReport(Record):
    """The outcome of a what-if run.

    Attributes:
        old_version: Version and hash of the current knowledge base.
        new_version: Version and hash of the proposed one.
        clients: Rows assessed by both versions.
        changed: Clients whose advice differs: other interventions, another order or another
            priority.
        rejected: Rows that either version rejected, with the row number and reason.
        shifts: Per intervention, clients gained, lost and reprioritised, largest change first.
        cases: Every changed case.
        names: The name of every intervention in `shifts` and `cases` (from the new version, or
            the old one for an intervention the new one dropped).
        warnings: Problems with the comparison itself, such as two versions with the same
            version number but different content.
    """

    old_version: str
    new_version: str
    clients: int
    changed: int
    rejected: tuple[tuple[int, str], ...]
    shifts: tuple[InterventionShift, ...]
    cases: tuple[ChangedCase, ...]
    names: dict[str, LocalizedText] = {}  # noqa: RUF012 - pydantic copies defaults; the model is frozen
    warnings: tuple[LocalizedText, ...] = ()


def _case(
    row: int, client: str | None, old: tuple[Recommendation, ...], new: tuple[Recommendation, ...]
) -> ChangedCase:
    before = {r.intervention: r.priority for r in old}
    after = {r.intervention: r.priority for r in new}
    return ChangedCase(
        row=row,
        client=client,
        before=tuple(before),
        after=tuple(after),
        before_priorities=tuple(before.values()),
        after_priorities=tuple(after.values()),
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        priorities=tuple(
            PriorityChange(intervention=i, before=p, after=after[i])
            for i, p in before.items()
            if i in after and after[i] != p
        ),
        reordered=[i for i in before if i in after] != [i for i in after if i in before],
    )


def _warnings(old: KnowledgeBase, new: KnowledgeBase) -> tuple[LocalizedText, ...]:
    if old.version != new.version or old.content_hash == new.content_hash:
        return ()
    return (
        LocalizedText(
            nl=f"beide kennisbanken hebben versie {old.version}, maar hun inhoud verschilt (een andere "
            "hash): geef de nieuwe een eigen versie, anders is niet te zien welke een advies gaf",
            en=f"both knowledge bases have version {old.version} but different content (another "
            "hash): give the new one its own version, or advice cannot be traced to the one that gave it",
        ),
    )


def compare_knowledge_bases(
    old: KnowledgeBase,
    new: KnowledgeBase,
    intakes: Iterable[tuple[str | None, Mapping[str, object] | Intake]],
) -> WhatIfReport:
    """Assess each intake with both knowledge bases and report the differences.

    A client's advice changes when an intervention is added or removed, when one the client gets
    under both versions gets another priority, or when the order changes.

    Args:
        old: The knowledge base in use.
        new: The proposed knowledge base.
        intakes: (client id or None, intake) pairs; row numbers count from 1.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> report = compare_knowledge_bases(kb, kb, [("c1", {"mo_1": 1, "mo_2": 1})])
        >>> report.clients, report.changed, report.warnings
        (1, 0, ())
    """
    counts: dict[str, list[int]] = {}  # intervention -> [gained, lost, reprioritised]
    cases: list[ChangedCase] = []
    rejected: list[tuple[int, str]] = []
    clients = 0
    for row, (client, intake) in enumerate(intakes, start=1):
        try:
            before = assess(intake, knowledge_base=old).recommendations
            after = assess(intake, knowledge_base=new).recommendations
        except AnswerError as exc:
            rejected.append((row, str(exc)))
            continue
        clients += 1
        case = _case(row, client, before, after)
        if case.added or case.removed or case.priorities or case.reordered:
            cases.append(case)
            for column, interventions in enumerate(
                (case.added, case.removed, [p.intervention for p in case.priorities])
            ):
                for intervention in interventions:
                    counts.setdefault(intervention, [0, 0, 0])[column] += 1
    shifts = sorted(
        (
            InterventionShift(intervention=name, gained=g, lost=lo, reprioritised=p)
            for name, (g, lo, p) in counts.items()
        ),
        key=lambda s: (-(s.gained + s.lost + s.reprioritised), s.intervention),
    )
    mentioned = {*counts, *(i for case in cases for i in (*case.before, *case.after))}
    return WhatIfReport(
        old_version=f"{old.version} {old.content_hash[:19]}",
        new_version=f"{new.version} {new.content_hash[:19]}",
        clients=clients,
        changed=len(cases),
        rejected=tuple(rejected),
        shifts=tuple(shifts),
        cases=tuple(cases),
        names={i: (new.interventions.get(i) or old.interventions[i]).name for i in sorted(mentioned)},
        warnings=_warnings(old, new),
    )


_WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "old": "oud",
        "new": "nieuw",
        "warning": "waarschuwing",
        "summary": "{clients} klanten door beide beoordeeld; advies verandert voor {changed} ({share})",
        "rejected": "{n} rijen afgewezen of onleesbaar (zie --json)",
        "row": "rij {row}",
        "none": "geen advies",
        "added": "erbij",
        "removed": "eraf",
        "priority": "andere prioriteit",
        "reordered": "andere volgorde",
        "more": "... en nog {n} (zie --json)",
    },
    "en": {
        "old": "old",
        "new": "new",
        "warning": "warning",
        "summary": "{clients} clients assessed by both; advice changes for {changed} ({share})",
        "rejected": "{n} rows rejected or unreadable (see --json)",
        "row": "row {row}",
        "none": "no advice",
        "added": "added",
        "removed": "removed",
        "priority": "other priority",
        "reordered": "other order",
        "more": "... and {n} more (see --json)",
    },
}

_HEADS: dict[Language, tuple[str, ...]] = {
    "nl": ("interventie", "id", "erbij", "eraf", "andere prioriteit"),
    "en": ("intervention", "id", "gains", "loses", "other priority"),
}


def render_report(  # noqa: C901 - one flat sequence of optional report parts
    report: WhatIfReport, language: Language, *, max_cases: int = 20
) -> str:
    """The report as text for a terminal, with intervention names in `language`.

    Args:
        report: What `compare_knowledge_bases` returned.
        language: `nl` or `en`.
        max_cases: Changed cases to list; the rest are counted.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> report = compare_knowledge_bases(kb, kb, [("c1", {"mo_1": 1, "mo_2": 1})])
        >>> print(render_report(report, "en").splitlines()[2])
        1 clients assessed by both; advice changes for 0 (0.0%)
    """
    words = _WORDS[language]

    def name(intervention: str) -> str:
        return report.names[intervention].get(language) if intervention in report.names else intervention

    def advice(interventions: tuple[str, ...], priorities: tuple[int, ...]) -> str:
        shown = [f"{name(i)} ({p})" for i, p in zip(interventions, priorities, strict=False)]
        return ", ".join(shown) or words["none"]

    width = max(len(words["old"]), len(words["new"])) + 1
    lines = [
        f"{words['old'] + ':':<{width}} {report.old_version}",
        f"{words['new'] + ':':<{width}} {report.new_version}",
    ]
    lines += [f"{words['warning']}: {w.get(language)}" for w in report.warnings]
    share = f"{100 * report.changed / report.clients:.1f}%" if report.clients else "-"
    lines.append(words["summary"].format(clients=report.clients, changed=report.changed, share=share))
    if report.rejected:
        lines.append(words["rejected"].format(n=len(report.rejected)))
    if report.shifts:
        table = Table(*_HEADS[language])
        for s in report.shifts:
            table.add_row(
                name(s.intervention), s.intervention, f"+{s.gained}", f"-{s.lost}", str(s.reprioritised)
            )
        out = io.StringIO()
        Console(file=out, width=120, color_system=None).print(table)
        lines.append(out.getvalue().rstrip("\n"))
    for case in report.cases[:max_cases]:
        lines.append(case.client or words["row"].format(row=case.row))
        lines.append(f"  {words['old'] + ':':<{width}} {advice(case.before, case.before_priorities)}")
        lines.append(f"  {words['new'] + ':':<{width}} {advice(case.after, case.after_priorities)}")
        if case.added:
            lines.append(f"  {words['added']}: {', '.join(name(i) for i in case.added)}")
        if case.removed:
            lines.append(f"  {words['removed']}: {', '.join(name(i) for i in case.removed)}")
        if case.priorities:
            changes = ", ".join(f"{name(p.intervention)} {p.before} -> {p.after}" for p in case.priorities)
            lines.append(f"  {words['priority']}: {changes}")
        if case.reordered:
            lines.append(f"  {words['reordered']}")
    if len(report.cases) > max_cases:
        lines.append(words["more"].format(n=len(report.cases) - max_cases))
    return "\n".join(lines)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
