"""The store's tables, in SQLAlchemy Core: one append-only event log and the events' contents.

`events` holds what happened (which step, for which client, when, by whom, with which
knowledge base) and the two hash chains; `contents` holds the step itself (the model as JSON) and
`summaries` a few facts of it for the indicators, in a table of their own so that counting
100,000 clients reads a few megabytes rather than the models' gigabytes. Erasure deletes a
client's `contents` and `summaries` rows only, so the `events` rows, and with them the chains,
stay as they were written. The `tracked*` tables are derived from the summaries for the
indicators (see `diagnose.store._tracked`); they are no part of the record.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "contents",
    "events",
    "metadata",
    "summaries",
    "tracked",
    "tracked_decisions",
    "tracked_measurements",
]

#: Hashes are written as "sha256:" and 64 hexadecimal digits.
HASH = 71

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("client", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("occurred_on", Date, nullable=True),
    Column("professional", String(64), nullable=True),
    Column("kb_version", String(64), nullable=True),
    Column("kb_hash", String(HASH), nullable=True),
    Column("content_hash", String(HASH), nullable=False),
    Column("prev_hash", String(HASH), nullable=False),
    Column("hash", String(HASH), nullable=False),
    Column("link", String(HASH), nullable=False),
    UniqueConstraint("client", "seq", name="uq_events_client_seq"),
    Index("ix_events_client", "client"),
)

contents = Table(
    "contents",
    metadata,
    Column("position", Integer, ForeignKey("events.position"), primary_key=True),
    Column("body", Text, nullable=False),
)

summaries = Table(
    "summaries",
    metadata,
    Column("position", Integer, ForeignKey("events.position"), primary_key=True),
    Column("summary", Text, nullable=False),
)

tracked = Table(
    "tracked",
    metadata,
    Column("client", String(64), primary_key=True),
    Column("professional", String(64), nullable=True),
    Column("intake_on", Date, nullable=True),
    Column("intake_scores", Text, nullable=False),
    Column("intake_rung", Integer, nullable=True),
    Column("kb_hash", String(HASH), nullable=True),
    Column("mixed", Boolean, nullable=False),
    Column("plan_on", Date, nullable=True),
    Column("first_measured_on", Date, nullable=True),
    Column("evaluated_on", Date, nullable=True),
)

tracked_measurements = Table(
    "tracked_measurements",
    metadata,
    Column("position", Integer, primary_key=True),
    Column("client", String(64), nullable=False),
    Column("measured_on", Date, nullable=True),
    Column("changes", Text, nullable=False),
    Column("rung_up", Boolean, nullable=True),
    Index("ix_tracked_measurements_client", "client"),
)

tracked_decisions = Table(
    "tracked_decisions",
    metadata,
    Column("client", String(64), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("intervention", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Index("ix_tracked_decisions_advice", "intervention", "action"),
)
