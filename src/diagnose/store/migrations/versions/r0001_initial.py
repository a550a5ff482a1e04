"""The first schema: the event log, the events' contents and their summaries.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "events",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=True),
        sa.Column("professional", sa.String(64), nullable=True),
        sa.Column("kb_version", sa.String(64), nullable=True),
        sa.Column("kb_hash", sa.String(71), nullable=True),
        sa.Column("content_hash", sa.String(71), nullable=False),
        sa.Column("prev_hash", sa.String(71), nullable=False),
        sa.Column("hash", sa.String(71), nullable=False),
        sa.Column("link", sa.String(71), nullable=False),
        sa.UniqueConstraint("client", "seq", name="uq_events_client_seq"),
    )
    op.create_index("ix_events_client", "events", ["client"])
    op.create_table(
        "contents",
        sa.Column("position", sa.Integer, sa.ForeignKey("events.position"), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "summaries",
        sa.Column("position", sa.Integer, sa.ForeignKey("events.position"), primary_key=True),
        sa.Column("summary", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("summaries")
    op.drop_table("contents")
    op.drop_index("ix_events_client", table_name="events")
    op.drop_table("events")
