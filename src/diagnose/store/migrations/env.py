"""Alembic's environment: runs on the connection that `diagnose.store` passes in, in its transaction.

Importing it outside a migration (as the docstring tests do) does nothing.
"""

from __future__ import annotations

from alembic import context

from diagnose.store._schema import metadata


def run() -> None:
    """Run the migrations on the connection in `config.attributes["connection"]`."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:
    run()
