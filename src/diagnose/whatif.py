"""What-if: run two versions of a knowledge base over the same caseload and show what changes.

A rule change is judged on real intakes before it is adopted: how many clients would get other
advice, which interventions gain or lose how many clients, and exactly which cases change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnose._base import Record
from diagnose.errors import AnswerError
from diagnose.recommendation import assess

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from diagnose.knowledge import KnowledgeBase
    from diagnose.scoring import Intake

__all__ = ["ChangedCase", "InterventionShift", "WhatIfReport", "compare_knowledge_bases"]


class ChangedCase(Record):
    """A client whose advice differs: row number, client id, advice before and after (in order)."""

    row: int
    client: str | None
    before: tuple[str, ...]
    after: tuple[str, ...]


class InterventionShift(Record):
    """How many clients an intervention gains and loses under the new version."""

    intervention: str
    gained: int
    lost: int


class WhatIfReport(Record):
    """The outcome of a what-if run.

    Attributes:
        old_version: Version and hash of the current knowledge base.
        new_version: Version and hash of the proposed one.
        clients: Rows assessed by both versions.
        changed: Clients whose advice (the interventions, in order) differs.
        rejected: Rows that either version rejected, with the row number and reason.
        shifts: Per intervention, clients gained and lost, largest change first.
        cases: Every changed case.
    """

    old_version: str
    new_version: str
    clients: int
    changed: int
    rejected: tuple[tuple[int, str], ...]
    shifts: tuple[InterventionShift, ...]
    cases: tuple[ChangedCase, ...]


def compare_knowledge_bases(
    old: KnowledgeBase,
    new: KnowledgeBase,
    intakes: Iterable[tuple[str | None, Mapping[str, object] | Intake]],
) -> WhatIfReport:
    """Assess each intake with both knowledge bases and report the differences.

    Args:
        old: The knowledge base in use.
        new: The proposed knowledge base.
        intakes: (client id or None, intake) pairs; row numbers count from 1.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> report = compare_knowledge_bases(kb, kb, [("c1", {"mo_1": 1, "mo_2": 1})])
        >>> report.clients, report.changed
        (1, 0)
    """
    gained: dict[str, int] = {}
    lost: dict[str, int] = {}
    cases: list[ChangedCase] = []
    rejected: list[tuple[int, str]] = []
    clients = 0
    for row, (client, intake) in enumerate(intakes, start=1):
        try:
            before = tuple(r.intervention for r in assess(intake, knowledge_base=old).recommendations)
            after = tuple(r.intervention for r in assess(intake, knowledge_base=new).recommendations)
        except AnswerError as exc:
            rejected.append((row, str(exc)))
            continue
        clients += 1
        if before != after:
            cases.append(ChangedCase(row=row, client=client, before=before, after=after))
            for intervention in set(after) - set(before):
                gained[intervention] = gained.get(intervention, 0) + 1
            for intervention in set(before) - set(after):
                lost[intervention] = lost.get(intervention, 0) + 1
    shifts = sorted(
        (
            InterventionShift(intervention=name, gained=gained.get(name, 0), lost=lost.get(name, 0))
            for name in {*gained, *lost}
        ),
        key=lambda s: (-(s.gained + s.lost), s.intervention),
    )
    return WhatIfReport(
        old_version=f"{old.version} {old.content_hash[:19]}",
        new_version=f"{new.version} {new.content_hash[:19]}",
        clients=clients,
        changed=len(cases),
        rejected=tuple(rejected),
        shifts=tuple(shifts),
        cases=tuple(cases),
    )
