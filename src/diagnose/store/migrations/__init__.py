"""Alembic migrations of the caseload store, run by `diagnose.open_caseload` (no alembic.ini needed)."""
