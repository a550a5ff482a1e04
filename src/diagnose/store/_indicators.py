"""The caseload's indicators from the events' summaries: the same numbers, without reading every model.

`caseload_indicators` needs whole trajectories; reading 100,000 of them back from JSON takes
minutes. Each event keeps a summary of the few facts the indicators use (dates, scores, the
plan's decisions), and the numbers are computed from those with the same arithmetic. The steps
were checked against the knowledge base when they were written; when the indicators are asked
for with another knowledge base (or a trajectory holds a measurement from another version), the
trajectories are read whole and `caseload_indicators` itself counts them, so that it refuses
what does not fit, exactly as it would in memory.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import select

from diagnose.cycle.evaluation import STEPS, CaseloadIndicators, caseload_indicators, indicators_from_counts
from diagnose.store._schema import events, summaries

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.engine import Connection

    from diagnose.cycle.trajectory import Trajectory
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["indicators"]

_ACTIONS = ("accept", "adapt", "decline")


class _Client:
    __slots__ = ("evaluated", "intake", "intake_on", "measurements", "plan", "professional")

    def __init__(self) -> None:
        self.intake: dict[str, float | None] = {}
        self.intake_on: str | None = None  # ISO dates compare as strings
        self.professional: str | None = None
        self.plan: dict[str, object] | None = None
        self.measurements: list[tuple[str, dict[str, float | None]]] = []
        self.evaluated: str | None = None


def _read(conn: Connection, kb_hash: str) -> tuple[dict[str, _Client], bool]:
    """Each client's summaries, and whether all of them were made with `kb_hash`."""
    erased = select(events.c.client).where(events.c.kind == "forget")
    query = (
        select(
            events.c.client,
            events.c.kind,
            events.c.professional,
            events.c.kb_hash,
            summaries.c.summary,
        )
        .join(summaries, summaries.c.position == events.c.position)
        .where(
            events.c.kind.in_(("intake", "plan", "measurement", "evaluation")), events.c.client.not_in(erased)
        )
        .order_by(events.c.position)  # a client's events are in order of position too
    )
    found: dict[str, _Client] = {}
    same = True
    loads = json.loads
    for client, kind, professional, made_with, summary in conn.execute(query):
        c = found.get(client)
        if c is None:
            c = found[client] = _Client()
        data = loads(summary)
        if kind == "intake":
            c.intake, c.intake_on, c.professional = data["scores"], data["on"], professional
            same = same and made_with == kb_hash
        elif kind == "measurement":
            c.measurements.append((data["on"], data["scores"]))
            same = same and made_with == kb_hash
        elif kind == "plan":
            c.plan = data
            same = same and made_with == kb_hash
        else:
            c.evaluated = data["on"]
    return found, same


def indicators(  # noqa: PLR0913 - the filters, by name
    conn: Connection,
    trajectory: Callable[[str], Trajectory],
    *,
    as_of: dt.date,
    kb: KnowledgeBase,
    professional: str | None,
    since: dt.date | None,
    until: dt.date | None,
) -> CaseloadIndicators:
    """The indicators over the clients that pass the filters (see `Caseload.indicators`)."""
    found, same = _read(conn, kb.content_hash)
    first = since.isoformat() if since is not None else None
    last = until.isoformat() if until is not None else None
    chosen = [
        name
        for name, c in found.items()
        if (professional is None or c.professional == professional)
        and (first is None or (c.intake_on is not None and c.intake_on >= first))
        and (last is None or (c.intake_on is not None and c.intake_on <= last))
    ]
    if not same:
        return caseload_indicators((trajectory(c) for c in sorted(chosen)), as_of=as_of, knowledge_base=kb)
    day = as_of.isoformat()
    influenceable = [f.id for f in kb.factors.values() if f.influenceable]
    minimal = {f: kb.cycle.minimal_change_for(f) - 1e-9 for f in influenceable}
    count = complete = 0
    steps = dict.fromkeys(STEPS, 0)
    improved = dict.fromkeys(influenceable, 0)
    twice = dict.fromkeys(influenceable, 0)
    decided: dict[str, list[int]] = {}
    for name in chosen:
        c = found[name]
        count += 1
        steps["intake"] += 1
        done = 1
        plan = c.plan
        if plan is not None and str(plan["on"]) <= day:
            steps["plan"] += 1
            done += 1
        measured = [scores for on, scores in c.measurements if on <= day]
        if measured:
            steps["monitoring"] += 1
            done += 1
            final = measured[-1]
            for factor in influenceable:
                a, b = c.intake.get(factor), final.get(factor)
                if a is not None and b is not None:
                    twice[factor] += 1
                    improved[factor] += b - a >= minimal[factor]
        if c.evaluated is not None and c.evaluated <= day:
            steps["evaluation"] += 1
            done += 1
        complete += done == len(STEPS)
        for intervention, action in plan["decisions"] if plan is not None else ():  # type: ignore[attr-defined]
            row = decided.setdefault(intervention, [0, 0, 0])
            row[_ACTIONS.index(action)] += 1
    return indicators_from_counts(count, complete, steps, improved, twice, decided)
