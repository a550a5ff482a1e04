"""The caseload store: the methodical cycle recorded in a database (a klantvolgsysteem).

SQLite is the default (one file, nothing to install); PostgreSQL serves a team sharing one
caseload. Every step is an append-only event, hash-chained per client and across the store, with
who took it, when (passed in, never the clock) and with which knowledge base. Read-backs are the
same models the pure functions use: `trajectory()` equals the one built in memory and
`indicators()` equals `caseload_indicators` over the stored trajectories.

Examples:
    >>> import datetime as dt, tempfile, pathlib, diagnose
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "caseload.sqlite"
    >>> store = diagnose.open_caseload(path)
    >>> intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
    >>> store.record_intake("c-0042", intake, professional="km-17")
    >>> store.trajectory("c-0042").intake == intake
    True
    >>> [e.kind for e in store.history("c-0042")], store.verify().events
    (['intake'], 1)
    >>> store.close()
"""

from diagnose.errors import StoreError
from diagnose.store._caseload import Caseload
from diagnose.store._events import Event, VerifyReport, check_id
from diagnose.store._open import open_caseload

__all__ = ["Caseload", "Event", "StoreError", "VerifyReport", "check_id", "open_caseload"]


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
