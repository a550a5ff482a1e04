"""The indicators' own tables: a few facts per client, kept up to date in each write's transaction.

`tracked` holds one row per client that has an intake and was not erased (who recorded the
intake, its date and scores, the knowledge base, when the plan was made, first measured and
evaluated); `tracked_measurements` one row per measurement with the change per factor from the
intake (as JSON with sorted keys, so that the database can group equal changes) and whether
the participation rung went up (None unless both record one), and
`tracked_decisions` the current plan's decisions. They are derived from the events' summaries
and written nowhere else: `rebuild` makes them again from the events (the migration that adds
them does so for an older store). The event log stays the record; these tables only make
counting a caseload a few aggregate queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from diagnose.store._schema import (
    events,
    summaries,
    tracked,
    tracked_decisions,
    tracked_measurements,
)

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.engine import Connection

__all__ = ["erase", "rebuild", "track"]

_KINDS = ("intake", "plan", "measurement", "evaluation")
_BATCH = 5_000


@dataclass
class _Rows:
    """The derived rows of some clients, to insert in bulk."""

    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    measurements: list[dict[str, Any]] = field(default_factory=list)
    decisions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(  # noqa: PLR0913 - the event's fields, by name
        self,
        *,
        position: int,
        client: str,
        kind: str,
        professional: str | None,
        kb_hash: str | None,
        summary: str,
    ) -> None:
        """Take one event (in the order written) into the rows."""
        data = json.loads(summary)
        if kind == "intake":
            self.clients[client] = _client_row(client, professional, kb_hash, data)
            return
        row = self.clients.get(client)
        if row is None:
            return  # no intake: not a trajectory (the store never writes this)
        if kind == "plan":
            row["mixed"] = row["mixed"] or kb_hash != row["kb_hash"]
            row["plan_on"] = _date(data["on"])
            self.decisions[client] = _decision_rows(client, data)
        elif kind == "measurement":
            row["mixed"] = row["mixed"] or kb_hash != row["kb_hash"]
            on = _date(data["on"])
            first = row["first_measured_on"]
            row["first_measured_on"] = on if first is None or on < first else first
            changes = _changes(json.loads(row["intake_scores"]), data["scores"])
            start, end = row["intake_rung"], data.get("rung")
            up = None if start is None or end is None else end > start
            self.measurements.append(
                {"position": position, "client": client, "measured_on": on, "changes": changes, "rung_up": up}
            )
        elif kind == "evaluation":
            row["evaluated_on"] = _date(data["on"])

    def write(self, conn: Connection) -> None:
        """Insert the rows."""
        decided = [r for rows in self.decisions.values() for r in rows]
        for table, rows in (
            (tracked, list(self.clients.values())),
            (tracked_measurements, self.measurements),
            (tracked_decisions, decided),
        ):
            for start in range(0, len(rows), _BATCH):
                conn.execute(insert(table), rows[start : start + _BATCH])


def _date(text: str | None) -> dt.date | None:
    import datetime as dt  # noqa: PLC0415 - only the type is needed at import time

    return dt.date.fromisoformat(text) if text is not None else None


def _client_row(
    client: str, professional: str | None, kb_hash: str | None, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "client": client,
        "professional": professional,
        "intake_on": _date(data["on"]),
        "intake_scores": json.dumps(data["scores"], sort_keys=True),
        "intake_rung": data.get("rung"),
        "kb_hash": kb_hash,
        "mixed": False,
        "plan_on": None,
        "first_measured_on": None,
        "evaluated_on": None,
    }


def _decision_rows(client: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"client": client, "n": n, "intervention": intervention, "action": action}
        for n, (intervention, action) in enumerate(data["decisions"])
    ]


def _changes(intake: dict[str, float | None], scores: dict[str, float | None]) -> str:
    """The change per factor scored at both the intake and the measurement (the same float arithmetic).

    As JSON with sorted keys: a float's JSON is its `repr`, which reads back as the same float.
    """
    out = {}
    for factor, b in scores.items():
        a = intake.get(factor)
        if a is not None and b is not None:
            out[factor] = b - a
    return json.dumps(out, sort_keys=True, separators=(",", ":"))


def track(  # noqa: PLR0913 - the event's fields, by name
    conn: Connection,
    *,
    position: int,
    client: str,
    kind: str,
    professional: str | None,
    kb_hash: str | None,
    summary: str | None,
) -> None:
    """Bring the tables up to date with one event just written (in its transaction)."""
    if kind == "forget":
        erase(conn, client)
        return
    if summary is None or kind not in _KINDS:
        return
    found = None
    if kind != "intake":
        found = conn.execute(select(tracked).where(tracked.c.client == client)).mappings().first()
        if found is None:
            return
    rows = _Rows() if found is None else _Rows(clients={client: dict(found)})
    rows.add(
        position=position,
        client=client,
        kind=kind,
        professional=professional,
        kb_hash=kb_hash,
        summary=summary,
    )
    if found is None:
        rows.write(conn)
        return
    changed = {k: v for k, v in rows.clients[client].items() if v != found[k]}
    if changed:
        conn.execute(update(tracked).where(tracked.c.client == client).values(changed))
    if client in rows.decisions:
        conn.execute(delete(tracked_decisions).where(tracked_decisions.c.client == client))
    rows.clients.clear()
    rows.write(conn)


def erase(conn: Connection, client: str) -> None:
    """Remove an erased client's rows."""
    conn.execute(delete(tracked_measurements).where(tracked_measurements.c.client == client))
    conn.execute(delete(tracked_decisions).where(tracked_decisions.c.client == client))
    conn.execute(delete(tracked).where(tracked.c.client == client))


def _derive(conn: Connection) -> _Rows:
    """The rows the events say, for every client not erased."""
    erased = select(events.c.client).where(events.c.kind == "forget")
    query = (
        select(
            events.c.position,
            events.c.client,
            events.c.kind,
            events.c.professional,
            events.c.kb_hash,
            summaries.c.summary,
        )
        .join(summaries, summaries.c.position == events.c.position)
        .where(events.c.kind.in_(_KINDS), events.c.client.not_in(erased))
        .order_by(events.c.position)
    )
    rows = _Rows()
    for position, client, kind, professional, kb_hash, summary in conn.execute(query):
        rows.add(
            position=position,
            client=client,
            kind=kind,
            professional=professional,
            kb_hash=kb_hash,
            summary=summary,
        )
    return rows


def rebuild(conn: Connection) -> None:
    """Make the tables again from the events (after a bulk load, or for a store made before them)."""
    for table in (tracked_measurements, tracked_decisions, tracked):
        conn.execute(delete(table))
    _derive(conn).write(conn)
