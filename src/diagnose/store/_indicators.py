"""The caseload's indicators counted in the database: a few aggregate queries, the same numbers.

`caseload_indicators` needs whole trajectories; reading 100,000 of them back from JSON takes
minutes. The `tracked*` tables (see `diagnose.store._tracked`) keep the few facts the indicators
use, and the database does the counting: one query counts the steps, one groups the clients'
changes from the intake to their last measurement by `as_of` (equal changes together, so a few
hundred groups rather than a row per client and factor) with whether the participation rung
went up, one counts the plans' decisions. The
groups are compared with the thresholds here, with the same arithmetic as in memory (the
changes are the same floats). The steps were checked against the knowledge base when they were written; when
the indicators are asked for with another knowledge base (or a chosen trajectory holds a part
from another version), the trajectories are read whole and `caseload_indicators` itself counts
them, so that it refuses what does not fit, exactly as it would in memory.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, or_, select

from diagnose.cycle.evaluation import STEPS, CaseloadIndicators, caseload_indicators, indicators_from_counts
from diagnose.store._schema import tracked, tracked_decisions, tracked_measurements

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.engine import Connection

    from diagnose.cycle.trajectory import Trajectory
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["indicators"]

_ACTIONS = ("accept", "adapt", "decline")


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


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
    chosen: list[ColumnElement[bool]] = []
    if professional is not None:
        chosen.append(tracked.c.professional == professional)
    if since is not None:
        chosen.append(tracked.c.intake_on >= since)
    if until is not None:
        chosen.append(tracked.c.intake_on <= until)
    t = tracked.c
    planned, measured, evaluated = t.plan_on <= as_of, t.first_measured_on <= as_of, t.evaluated_on <= as_of
    steps_query = select(
        func.count(),
        _count(planned),
        _count(measured),
        _count(evaluated),
        _count(and_(planned, measured, evaluated)),
        _count(or_(t.kb_hash != kb.content_hash, t.kb_hash.is_(None), t.mixed)),
    ).where(*chosen)
    count, plan, monitoring, evaluation, complete, other = conn.execute(steps_query).one()
    if other:
        names = conn.execute(select(t.client).where(*chosen).order_by(t.client)).scalars()
        return caseload_indicators((trajectory(c) for c in names), as_of=as_of, knowledge_base=kb)
    steps = dict(zip(STEPS, (count, plan, monitoring, evaluation), strict=True))
    improved, twice, rungs = _improvement(conn, as_of, kb, chosen)
    return indicators_from_counts(
        count, complete, steps, improved, twice, _decided(conn, chosen), rungs=rungs
    )


def _improvement(
    conn: Connection, as_of: dt.date, kb: KnowledgeBase, chosen: list[ColumnElement[bool]]
) -> tuple[dict[str, int], dict[str, int], tuple[int, int]]:
    """Per influenceable factor how many improved and were measured twice; the rungs (twice, up)."""
    influenceable = [f.id for f in kb.factors.values() if f.influenceable]
    improved = dict.fromkeys(influenceable, 0)
    twice = dict.fromkeys(influenceable, 0)
    minimal = {f: kb.cycle.minimal_change_for(f) - 1e-9 for f in influenceable}
    both = up_a_rung = 0  # with a rung at intake and at the last measurement; of them, up
    for changes, up, n in conn.execute(_changes(as_of, chosen)):
        if up is not None:
            both += n
            up_a_rung += n if up else 0
        found = json.loads(changes)
        for factor, threshold in minimal.items():
            change = found.get(factor)
            if change is not None:
                twice[factor] += n
                improved[factor] += n if change >= threshold else 0
    return improved, twice, (both, up_a_rung)


def _decided(conn: Connection, chosen: list[ColumnElement[bool]]) -> dict[str, list[int]]:
    """Per intervention, how often the chosen clients' plans accepted, adapted and declined it."""
    decided: dict[str, list[int]] = {}
    query = select(tracked_decisions.c.intervention, tracked_decisions.c.action, func.count())
    if chosen:  # the chosen clients' ids, looked up in the decisions' primary key
        query = query.where(tracked_decisions.c.client.in_(select(tracked.c.client).where(*chosen)))
    for intervention, action, n in conn.execute(
        query.group_by(tracked_decisions.c.intervention, tracked_decisions.c.action)
    ):
        decided.setdefault(intervention, [0, 0, 0])[_ACTIONS.index(action)] += n
    return decided


def _changes(as_of: dt.date, chosen: list[ColumnElement[bool]]) -> Select[Any]:
    """Each distinct set of changes at the chosen clients' last measurement by `as_of`, and how many."""
    m = tracked_measurements.c
    last = select(m.client, func.max(m.position).label("position")).where(m.measured_on <= as_of)
    if chosen:
        last = last.where(m.client.in_(select(tracked.c.client).where(*chosen)))
    latest = last.group_by(m.client).subquery()
    return (
        select(m.changes, m.rung_up, func.count())
        .join(latest, latest.c.position == m.position)
        .group_by(m.changes, m.rung_up)
    )
