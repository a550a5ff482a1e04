"""The indicators' tables, derived from the events' summaries and filled from the events already there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from diagnose.store._tracked import rebuild

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the tables and fill them from the events (a later change to them rebuilds them too)."""
    op.create_table(
        "tracked",
        sa.Column("client", sa.String(64), primary_key=True),
        sa.Column("professional", sa.String(64), nullable=True),
        sa.Column("intake_on", sa.Date, nullable=True),
        sa.Column("intake_scores", sa.Text, nullable=False),
        sa.Column("intake_rung", sa.Integer, nullable=True),
        sa.Column("kb_hash", sa.String(71), nullable=True),
        sa.Column("mixed", sa.Boolean, nullable=False),
        sa.Column("plan_on", sa.Date, nullable=True),
        sa.Column("first_measured_on", sa.Date, nullable=True),
        sa.Column("evaluated_on", sa.Date, nullable=True),
    )
    op.create_table(
        "tracked_measurements",
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("measured_on", sa.Date, nullable=True),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("rung_up", sa.Boolean, nullable=True),
    )
    op.create_index("ix_tracked_measurements_client", "tracked_measurements", ["client"])
    op.create_table(
        "tracked_decisions",
        sa.Column("client", sa.String(64), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("intervention", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
    )
    op.create_index("ix_tracked_decisions_advice", "tracked_decisions", ["intervention", "action"])
    rebuild(op.get_bind())


def downgrade() -> None:
    """Drop the tables."""
    for name in ("tracked_decisions", "tracked_measurements", "tracked"):
        op.drop_table(name)
