"""The databases the store's tests run on: SQLite always, PostgreSQL when a server is given.

`.ci/run` starts a throwaway PostgreSQL server and sets DIAGNOSE_TEST_POSTGRES_URL to it; each
test then gets a database of its own on that server, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: Where .ci/run's throwaway PostgreSQL server is; unset, the PostgreSQL runs are skipped.
POSTGRES = os.environ.get("DIAGNOSE_TEST_POSTGRES_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            POSTGRES is None,
            reason="no PostgreSQL server: set DIAGNOSE_TEST_POSTGRES_URL (.ci/run starts one and sets it)",
        ),
    ),
]


def _admin_url() -> str:
    assert POSTGRES is not None
    return POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1)


def database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test: an SQLite path, or a new PostgreSQL database's URL."""
    if backend == "sqlite":
        yield str(tmp_path / "caseload.sqlite")
        return
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES
    assert base is not None
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
