"""The `Caseload`: the methodical cycle recorded in a database, one event per step."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Self

from sqlalchemy import delete, select

import diagnose.store._audit as _audit  # noqa: PLR0402 - the module itself, not the package (no import circle)
import diagnose.store._indicators as _indicators  # noqa: PLR0402 - as above
from diagnose._consistency import check_as_of, check_trajectory, describe
from diagnose.assessment.recommendation import Diagnosis
from diagnose.cycle.plan import Decision, Plan, build_plan
from diagnose.cycle.trajectory import Trajectory
from diagnose.errors import CycleError, StoreError
from diagnose.store._database import describe_url, writing
from diagnose.store._events import Event, Kind, VerifyReport, check_id
from diagnose.store._schema import contents, events, summaries
from diagnose.store._state import ClientState, Decisions, Evaluated, Forgotten, load_state, parse

#: What one event recorded, as `Caseload.steps` gives it back.
Step = Diagnosis | Plan | tuple[Decision, ...] | dt.date

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from sqlalchemy.engine import Connection, Engine

    from diagnose.cycle.evaluation import CaseloadIndicators
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["Caseload"]


def _fail(exc: CycleError) -> StoreError:
    return StoreError(str(exc))


class Caseload:
    """A caseload in a database: every step of every client's cycle, as a tamper-evident event log.

    Nothing is updated in place: each `record_*` appends one event, hash-chained to the client's
    previous one. A step that does not fit the trajectory so far is refused with a `StoreError`
    that says what and why, and nothing is written. Read-backs give the same models as in memory.
    Open it with `diagnose.open_caseload`; close it (or use it in a `with` block) when done.

    Examples:
        >>> import datetime as dt, tempfile, pathlib, diagnose
        >>> store = diagnose.open_caseload(pathlib.Path(tempfile.mkdtemp()) / "caseload.sqlite")
        >>> intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
        >>> store.record_intake("c-0042", intake, professional="km-17")
        >>> early = diagnose.assess({"mo_1": 3, "mo_2": 3}, as_of=dt.date(2026, 3, 1))
        >>> store.record_measurement("c-0042", early)
        Traceback (most recent call last):
        ...
        diagnose.errors.StoreError: client 'c-0042': measurement 1 (2026-03-01) is dated before the intake ...
        >>> store.clients(), len(store.history("c-0042"))
        (('c-0042',), 1)
        >>> store.close()
    """

    def __init__(self, engine: Engine, knowledge_base: KnowledgeBase) -> None:
        """Wrap an engine whose database is migrated (use `open_caseload`)."""
        self._engine = engine
        self.knowledge_base = knowledge_base

    @property
    def url(self) -> str:
        """The database URL, without a password."""
        return describe_url(str(self._engine.url))

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        """Use the store in a `with` block; it is closed at the end."""
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the store."""
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def _append(  # noqa: PLR0913 - the event's fields, by name
        self,
        conn: Connection,
        state: ClientState,
        kind: Kind,
        model: Diagnosis | Plan | Decisions | Evaluated | Forgotten,
        *,
        on: dt.date | None,
        professional: str | None,
    ) -> None:
        kb = self.knowledge_base
        _audit.append_step(conn, state, kind, model, on=on, professional=professional, kb=kb)

    def _known(self, conn: Connection, client: str) -> ClientState:
        state = load_state(conn, check_id(client))
        if state.seq == 0:
            raise StoreError(f"unknown client {client!r}: record its intake first")
        if state.forgotten:
            on = f" on {state.forgotten_on}" if state.forgotten_on else ""
            raise StoreError(f"client {client!r} was erased{on}; nothing more can be recorded or read for it")
        return state

    def _check(self, t: Trajectory, *, allow_other_version: bool = False) -> None:
        try:
            check_trajectory(t, self.knowledge_base, allow_other_version=allow_other_version)
        except CycleError as exc:
            raise _fail(exc) from exc

    def _dated(self, d: object, what: str, client: str) -> Diagnosis:
        if not isinstance(d, Diagnosis):
            raise StoreError(f"client {client!r}: {what}: expected a Diagnosis, got {describe(d)}")
        if d.assessed_on is None:
            raise StoreError(f"client {client!r}: {what} has no date: assess it with as_of=...")
        return d

    def record_intake(self, client: str, diagnosis: Diagnosis, *, professional: str) -> None:
        """Record step 1: a new client's intake diagnosis (made with `as_of`).

        Raises:
            StoreError: the id looks like a name or a BSN, the client already has an intake or
                was erased, the diagnosis has no date or comes from another knowledge base.
        """
        check_id(client)
        check_id(professional, "professional id")
        d = self._dated(diagnosis, "the intake", client)
        if d.knowledge_base_hash != self.knowledge_base.content_hash:
            kb = self.knowledge_base
            raise StoreError(
                f"client {client!r}: the intake was made with knowledge base {d.knowledge_base_version} "
                f"{d.knowledge_base_hash[:19]}, but the caseload is opened with {kb.version} "
                f"{kb.content_hash[:19]}; open it with the knowledge base that made the intake"
            )
        self._check(Trajectory(client=client, intake=d))

        def work(conn: Connection) -> None:
            state = load_state(conn, client)
            if state.forgotten:
                raise StoreError(f"client {client!r} was erased; a new trajectory needs a new id")
            if state.intake is not None:
                raise StoreError(
                    f"client {client!r} already has an intake (on {state.intake.assessed_on}); "
                    "record a measurement instead"
                )
            self._append(conn, state, "intake", d, on=d.assessed_on, professional=professional)

        writing(self._engine, work)

    def record_decisions(self, client: str, decisions: Sequence[Decision]) -> None:
        """Record the professional's decisions on the intake's advice, with their coded reasons.

        A later decision on the same intervention replaces the earlier one for `decisions()`.

        Raises:
            StoreError: an unknown or erased client, no decisions, decisions by more than one
                professional, on advice the intake did not give, twice on one, or dated before
                the intake.
        """
        check_id(client)
        chosen = list(decisions)
        for n, d in enumerate(chosen, start=1):
            if not isinstance(d, Decision):
                raise StoreError(f"client {client!r}: decision {n}: expected a Decision, got {describe(d)}")
        if not chosen:
            raise StoreError(f"client {client!r}: no decisions to record")
        who = sorted({d.professional for d in chosen})
        if len(who) > 1:
            raise StoreError(
                f"client {client!r}: decisions by more than one professional ({', '.join(who)}); "
                "record each professional's decisions separately"
            )
        check_id(who[0], "professional id")
        last = max(d.decided_at.date() for d in chosen)

        def work(conn: Connection) -> None:
            state = self._known(conn, client)
            assert state.intake is not None  # noqa: S101 - a known client has an intake
            try:
                day = max(last, state.intake.assessed_on or last)  # so the decisions' own dates are checked
                build_plan(state.intake, chosen, as_of=day, knowledge_base=self.knowledge_base)
            except CycleError as exc:
                raise StoreError(f"client {client!r}: {exc}") from exc
            self._append(
                conn, state, "decisions", Decisions(decisions=tuple(chosen)), on=last, professional=who[0]
            )

        writing(self._engine, work)

    def record_plan(self, client: str, plan: Plan, *, professional: str | None = None) -> None:
        """Record step 2: the trajectory plan (a later plan replaces the earlier one).

        `professional` defaults to the one who made the plan's decisions, when that is one person.

        Raises:
            StoreError: an unknown or erased client, a plan from another knowledge base, dated
                before the intake, or after which the measurements or evaluation would be out of order.
        """
        check_id(client)
        if not isinstance(plan, Plan):
            raise StoreError(f"client {client!r}: expected a Plan, got {describe(plan)}")
        if professional is None:
            who = {d.professional for d in plan.decisions}
            professional = who.pop() if len(who) == 1 else None
        if professional is not None:
            check_id(professional, "professional id")

        def work(conn: Connection) -> None:
            state = self._known(conn, client)
            self._check(state.trajectory().model_copy(update={"plan": plan}))
            self._append(conn, state, "plan", plan, on=plan.made_on, professional=professional)

        writing(self._engine, work)

    def record_measurement(
        self,
        client: str,
        diagnosis: Diagnosis,
        *,
        professional: str | None = None,
        allow_other_version: bool = False,
    ) -> None:
        """Record step 3: a re-measurement (a diagnosis made with `as_of`).

        Raises:
            StoreError: an unknown or erased client, no date, dated before the previous step, or
                made with another knowledge base than the trajectory's (unless `allow_other_version`).
        """
        check_id(client)
        if professional is not None:
            check_id(professional, "professional id")
        d = self._dated(diagnosis, "the measurement", client)

        def work(conn: Connection) -> None:
            state = self._known(conn, client)
            t = state.trajectory()
            self._check(
                t.model_copy(update={"measurements": (*t.measurements, d)}),
                allow_other_version=allow_other_version,
            )
            self._append(conn, state, "measurement", d, on=d.assessed_on, professional=professional)

        writing(self._engine, work)

    def record_evaluation(self, client: str, *, on: dt.date, professional: str) -> None:
        """Record step 4: the trajectory was looked back on, on a date.

        Raises:
            StoreError: an unknown or erased client, no plan yet, `on` not a date or before the
                plan or the last measurement.
        """
        check_id(client)
        check_id(professional, "professional id")
        try:
            check_as_of(on, "on")
        except CycleError as exc:
            raise StoreError(f"client {client!r}: {exc}") from exc

        def work(conn: Connection) -> None:
            state = self._known(conn, client)
            if state.plan is None:
                raise StoreError(f"client {client!r} has no plan yet: record a plan before the evaluation")
            self._check(state.trajectory().model_copy(update={"evaluated_on": on}))
            self._append(
                conn, state, "evaluation", Evaluated(evaluated_on=on), on=on, professional=professional
            )

        writing(self._engine, work)

    def forget(self, client: str, *, on: dt.date | None = None, professional: str | None = None) -> int:
        """Erase one client's personal data (GDPR art. 17); returns how many events were erased.

        The contents of the client's events (diagnoses, decisions, plans, dates of evaluation)
        are deleted; the events' hashes stay, so `verify` still passes, and a `forget` event,
        which holds nothing personal, records the erasure.

        Raises:
            StoreError: an unknown or already erased client, `on` not a date.
        """
        check_id(client)
        if professional is not None:
            check_id(professional, "professional id")
        if on is not None:
            try:
                check_as_of(on, "on")
            except CycleError as exc:
                raise StoreError(f"client {client!r}: {exc}") from exc

        def work(conn: Connection) -> int:
            state = self._known(conn, client)
            erased = len(state.positions)
            self._append(
                conn, state, "forget", Forgotten(erased_events=erased), on=on, professional=professional
            )
            conn.execute(delete(contents).where(contents.c.position.in_(state.positions)))
            conn.execute(delete(summaries).where(summaries.c.position.in_(state.positions)))
            return erased

        return writing(self._engine, work)

    # -- reading ---------------------------------------------------------------------------

    def _read(self, client: str) -> ClientState:
        with self._engine.connect() as conn:
            return self._known(conn, client)

    def trajectory(self, client: str) -> Trajectory:
        """One client's trajectory, equal to the one built in memory from the same steps.

        Raises:
            StoreError: an unknown or erased client.
        """
        return self._read(client).trajectory()

    def intake(self, client: str) -> Diagnosis:
        """The client's intake diagnosis, as recorded.

        Raises:
            StoreError: an unknown or erased client.

        Examples:
            >>> import datetime as dt, tempfile, pathlib, diagnose
            >>> store = diagnose.open_caseload(pathlib.Path(tempfile.mkdtemp()) / "caseload.sqlite")
            >>> first = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
            >>> store.record_intake("c-0042", first, professional="km-17")
            >>> later = diagnose.assess({"mo_1": 3, "mo_2": 4}, as_of=dt.date(2026, 4, 20))
            >>> store.record_measurement("c-0042", later)
            >>> store.intake("c-0042") == first, store.measurements("c-0042") == (later,)
            (True, True)
            >>> store.plan("c-0042") is None
            True
            >>> store.close()
        """
        intake = self._read(client).intake
        assert intake is not None  # noqa: S101 - a known client has an intake
        return intake

    def measurements(self, client: str) -> tuple[Diagnosis, ...]:
        """The client's re-measurements, oldest first (see `intake` for an example).

        Raises:
            StoreError: an unknown or erased client.
        """
        return tuple(self._read(client).measurements)

    def plan(self, client: str) -> Plan | None:
        """The client's current plan (the latest recorded), or None before the first.

        Raises:
            StoreError: an unknown or erased client.
        """
        return self._read(client).plan

    def decisions(self, client: str) -> tuple[Decision, ...]:
        """The client's decisions so far, the latest on each intervention, in the order first made."""
        return tuple(self._read(client).decisions.values())

    def clients(self) -> tuple[str, ...]:
        """The pseudonymous ids of the clients in the store (erased ones left out), sorted."""
        with self._engine.connect() as conn:
            erased = select(events.c.client).where(events.c.kind == "forget")
            query = select(events.c.client).where(events.c.seq == 1, events.c.client.not_in(erased))
            return tuple(sorted(conn.execute(query).scalars()))

    def history(self, client: str) -> tuple[Event, ...]:
        """Every event of one client, oldest first: what, when, who, knowledge base, hashes.

        Erased clients keep their history (without contents): it is the proof of the erasure.

        Raises:
            StoreError: an unknown client.
        """
        check_id(client)
        with self._engine.connect() as conn:
            found = _audit.history(conn, client)
        if not found:
            raise StoreError(f"unknown client {client!r}: record its intake first")
        return found

    def steps(self, client: str) -> tuple[tuple[Event, Step | None], ...]:
        """Every event of one client with what it recorded, oldest first (None once erased).

        What was recorded is the model given: a `Diagnosis` (intake, measurement), a `Plan`,
        the `Decision`s of a `decisions` event as a tuple, the date of an evaluation.

        Raises:
            StoreError: an unknown client.
        """
        check_id(client)
        with self._engine.connect() as conn:
            found = _audit.history_with_contents(conn, client)
        if not found:
            raise StoreError(f"unknown client {client!r}: record its intake first")
        out: list[tuple[Event, Step | None]] = []
        for event, body in found:
            model = parse(event.kind, body) if body is not None and event.kind != "forget" else None
            step: Step | None
            if isinstance(model, Decisions):
                step = model.decisions
            elif isinstance(model, Evaluated):
                step = model.evaluated_on
            else:
                step = model  # type: ignore[assignment]  # a Diagnosis, a Plan or None
            out.append((event, step))
        return tuple(out)

    def indicators(
        self,
        *,
        as_of: dt.date,
        knowledge_base: KnowledgeBase | None = None,
        professional: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> CaseloadIndicators:
        """The caseload's indicators on a date: equal to `caseload_indicators` over the trajectories.

        Args:
            as_of: The date to count on.
            knowledge_base: The knowledge base (default: the one the store was opened with).
            professional: Only the clients whose intake this professional recorded.
            since: Only the clients whose intake was on or after this date.
            until: Only the clients whose intake was on or before this date.

        Raises:
            StoreError: a date that is not a date, or a trajectory that does not fit the knowledge base.
        """
        kb = knowledge_base if knowledge_base is not None else self.knowledge_base
        try:
            check_as_of(as_of)
            for name, value in (("since", since), ("until", until)):
                if value is not None:
                    check_as_of(value, name)
            with self._engine.connect() as conn:
                return _indicators.indicators(
                    conn,
                    self.trajectory,
                    as_of=as_of,
                    kb=kb,
                    professional=professional,
                    since=since,
                    until=until,
                )
        except CycleError as exc:
            raise _fail(exc) from exc

    # -- the audit log ---------------------------------------------------------------------

    def verify(self, *, head: str | None = None) -> VerifyReport:
        """Check every event and both hash chains; raise for the first event changed or removed.

        Args:
            head: A `VerifyReport.head` noted earlier: it must still be in the chain, which proves
                that no event written up to then was removed (not even the last ones).

        Raises:
            StoreError: naming the first event (by client and number) that was changed or removed.
        """
        with self._engine.connect() as conn:
            return _audit.verify(conn, head=head)

    def export_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write every event to a JSON Lines file (after `verify`); returns how many events.

        The file keeps each event's hashes, so `import_jsonl` checks it before it writes anything.
        """
        self.verify()
        with self._engine.connect() as conn:
            return _audit.export_jsonl(conn, os.fspath(path))

    def import_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Add the clients of a file written by `export_jsonl`; returns how many events.

        Raises:
            StoreError: an unreadable file, a line that is not an event, a chain that does not
                verify (naming the line), or a client that is already in this store.
        """
        grouped = _audit.read_export(os.fspath(path))

        def work(conn: Connection) -> int:
            return _audit.write_import(conn, grouped, os.fspath(path))

        return writing(self._engine, work)
