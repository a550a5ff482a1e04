"""Opening a caseload store: a path for SQLite or a database URL, migrated to the current schema."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from diagnose.assessment.recommendation import Diagnosis
from diagnose.cycle.plan import Decision, Plan
from diagnose.knowledge._load import load_knowledge_base
from diagnose.store._caseload import Caseload
from diagnose.store._database import make_engine, migrate

#: What one event recorded, as `Caseload.steps` gives it back.
Step = Diagnosis | Plan | tuple[Decision, ...] | dt.date

if TYPE_CHECKING:
    import os

    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["open_caseload"]


def open_caseload(target: str | os.PathLike[str], *, knowledge_base: KnowledgeBase | None = None) -> Caseload:
    """Open a caseload store: a path is an SQLite file (created if missing), or a database URL.

    The store is created, or upgraded from an older version of the library, on opening; one made
    by a newer version is refused rather than misread.

    Args:
        target: A file path (SQLite) or a URL such as `postgresql://user@host/db`.
        knowledge_base: The knowledge base the steps are checked against (default: the packaged one).

    Raises:
        StoreError: the folder does not exist, the URL or its driver is unusable, the database
            cannot be reached, or it holds something else or a newer store.

    Examples:
        >>> import tempfile, pathlib, diagnose
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with diagnose.open_caseload(folder / "caseload.sqlite") as store:
        ...     store.clients()
        ()
    """
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    engine = make_engine(target)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Caseload(engine, kb)
