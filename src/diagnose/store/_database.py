"""Opening a database: SQLite (a path, WAL mode) or PostgreSQL (a URL), migrated to the current schema."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from diagnose.errors import StoreError

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from sqlalchemy.engine import Connection, Engine

__all__ = ["describe_url", "make_engine", "migrate", "writing"]

T = TypeVar("T")
#: How long SQLite waits for another writer's lock, in milliseconds, before a retry.
_BUSY_MS = 30_000
_RETRIES = 8
#: The PostgreSQL advisory lock that serializes writers (the store chain has one head).
_LOCK = 0x6469_6167  # "diag"
_MIGRATIONS = Path(__file__).parent / "migrations"


def _url(target: str | os.PathLike[str]) -> str:
    if isinstance(target, str) and "://" in target:
        if target.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + target.split("://", 1)[1]
        return target
    path = Path(target).expanduser().resolve()
    if path.is_dir():
        raise StoreError(f"{target}: is a folder; give the path of the store file, such as caseload.sqlite")
    if not path.parent.is_dir():
        raise StoreError(f"{target}: the folder {path.parent} does not exist")
    return f"sqlite:///{path}"


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable URL>"


def make_engine(target: str | os.PathLike[str]) -> Engine:
    """An engine for a path (SQLite, created if missing) or a database URL."""
    url = _url(target)
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"{describe_url(url)}: not a database URL this store can use: {exc}") from exc
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"{describe_url(url)}: the database driver is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'diagnose[postgres]'"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    elif engine.dialect.name != "postgresql":
        engine.dispose()
        raise StoreError(f"{describe_url(url)}: only SQLite and PostgreSQL are supported")
    return engine


def _sqlite_connect(dbapi_connection: Any, record: object) -> None:  # noqa: ANN401 - a DB-API connection
    del record
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (IMMEDIATE for writers)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("diagnose_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writing(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run `work` in one write transaction, the only writer at a time, retried when the database is busy.

    SQLite takes its write lock at the start (BEGIN IMMEDIATE, waiting up to 30 s); PostgreSQL
    takes an advisory lock for the transaction. Either way the whole step is written or nothing.
    """
    for attempt in range(_RETRIES):
        try:
            with engine.connect().execution_options(diagnose_write=True) as conn, conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
                return work(conn)
        except OperationalError as exc:
            busy = "locked" in str(exc.orig) or "busy" in str(exc.orig)
            if not busy or attempt == _RETRIES - 1:
                raise StoreError(f"{describe_url(str(engine.url))}: the database failed: {exc.orig}") from exc
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def migrate(engine: Engine) -> None:
    """Create the tables of a new store, or upgrade an older one; refuse one made by a newer version."""
    from alembic import command  # noqa: PLC0415 - only when a store is opened
    from alembic.config import Config  # noqa: PLC0415
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    known = {r.revision for r in script.walk_revisions()}
    where = describe_url(str(engine.url))

    def upgrade(conn: Connection) -> None:
        current = set(MigrationContext.configure(conn).get_current_heads())
        if current == heads:
            return
        if current - known:
            raise StoreError(
                f"{where}: made by a newer version of diagnose (schema {', '.join(sorted(current))}); "
                "upgrade diagnose to open it"
            )
        if not current and inspect(conn).get_table_names():
            raise StoreError(f"{where}: the database has tables but is not a diagnose caseload store")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    try:
        writing(engine, upgrade)
    except DBAPIError as exc:
        raise StoreError(f"{where}: cannot open the store: {exc.orig}") from exc
