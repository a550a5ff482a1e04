"""The audit log: each client's history, `verify` over both chains, and export and import as JSON Lines."""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic needs it at run time
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import insert, select

from diagnose._base import Record
from diagnose.assessment.recommendation import Diagnosis
from diagnose.cycle.plan import Plan
from diagnose.errors import StoreError
from diagnose.store._events import (
    GENESIS,
    Event,
    Kind,
    VerifyReport,
    check_id,
    content_hash,
    event_hash,
    link_hash,
)
from diagnose.store._schema import contents, events, summaries
from diagnose.store._state import ClientState, Decisions, Evaluated, Forgotten, parse, summary_of
from diagnose.store._tracked import track

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.engine import Connection

    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "append_step",
    "export_jsonl",
    "history",
    "history_with_contents",
    "read_export",
    "verify",
    "write_event",
    "write_import",
]

#: The first line of an export.
FORMAT = {"format": "diagnose-caseload", "version": 1}


def _joined() -> list[ColumnElement[Any]]:
    return [
        events.c.position,
        events.c.client,
        events.c.seq,
        events.c.kind,
        events.c.occurred_on,
        events.c.professional,
        events.c.kb_version,
        events.c.kb_hash,
        events.c.content_hash,
        events.c.prev_hash,
        events.c.hash,
        events.c.link,
        contents.c.body,
        summaries.c.summary,
    ]


def _select_all() -> Select[Any]:
    return select(*_joined()).select_from(
        events.outerjoin(contents, contents.c.position == events.c.position).outerjoin(
            summaries, summaries.c.position == events.c.position
        )
    )


def history(conn: Connection, client: str) -> tuple[Event, ...]:
    """The client's events, oldest first."""
    return tuple(e for e, _ in history_with_contents(conn, client))


def history_with_contents(conn: Connection, client: str) -> list[tuple[Event, str | None]]:
    """The client's events, oldest first, each with its stored content (None once erased)."""
    rows = conn.execute(_select_all().where(events.c.client == client).order_by(events.c.seq))
    return [
        (
            Event(
                client=r.client,
                seq=r.seq,
                kind=r.kind,
                occurred_on=r.occurred_on,
                professional=r.professional,
                knowledge_base_version=r.kb_version,
                knowledge_base_hash=r.kb_hash,
                content_hash=r.content_hash,
                prev_hash=r.prev_hash,
                hash=r.hash,
                erased=r.body is None,
            ),
            r.body,
        )
        for r in rows
    ]


def verify(conn: Connection, *, head: str | None) -> VerifyReport:
    """Check every event's hash, both chains and every content; raise for the first broken one."""
    erased = set(conn.execute(select(events.c.client).where(events.c.kind == "forget")).scalars())
    chains: dict[str, tuple[int, str]] = {}
    link = GENESIS
    count = 0
    seen_head = head is None
    for r in conn.execute(_select_all().order_by(events.c.position)):
        count += 1
        where = f"event {r.seq} of client {r.client!r} ({r.kind}, at position {r.position})"
        seq, prev = chains.get(r.client, (0, GENESIS))
        if r.seq != seq + 1:
            missing = "its first event" if seq == 0 else f"event {seq + 1}"
            raise StoreError(f"{where}: {missing} of client {r.client!r} was removed")
        if r.prev_hash != prev:
            raise StoreError(f"{where}: it does not follow the client's previous event (changed or removed)")
        expected = event_hash(
            client=r.client,
            seq=r.seq,
            kind=r.kind,
            occurred_on=r.occurred_on,
            professional=r.professional,
            kb_version=r.kb_version,
            kb_hash=r.kb_hash,
            content=r.content_hash,
            prev_hash=r.prev_hash,
        )
        if r.hash != expected:
            raise StoreError(f"{where}: was changed (its fields no longer match its hash)")
        if r.body is None or r.summary is None:
            if r.client not in erased:
                raise StoreError(f"{where}: its content was removed, and the client was not erased")
        elif content_hash(r.body, r.summary) != r.content_hash:
            raise StoreError(f"{where}: its content was changed (it no longer matches its hash)")
        if r.link != link_hash(link, r.hash):
            raise StoreError(f"{where}: the store chain is broken before it: an event was removed or changed")
        link = r.link
        seen_head = seen_head or link == head
        chains[r.client] = (r.seq, r.hash)
    if not seen_head:
        raise StoreError(f"the head {head} is not in the store chain: events written up to it were removed")
    return VerifyReport(events=count, clients=len(chains), erased=len(erased), head=link)


class Exported(Record):
    """One line of an export: an event with its hashes and, unless erased, its content."""

    client: str
    seq: int
    kind: Kind
    occurred_on: dt.date | None
    professional: str | None
    kb_version: str | None
    kb_hash: str | None
    content_hash: str
    prev_hash: str
    hash: str
    body: str | None
    summary: str | None


def export_jsonl(conn: Connection, path: str) -> int:
    """Write the header and every event, in the order written; returns how many events."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as out:
        out.write(json.dumps(FORMAT) + "\n")
        for r in conn.execute(_select_all().order_by(events.c.position)):
            line = Exported(
                client=r.client,
                seq=r.seq,
                kind=r.kind,
                occurred_on=r.occurred_on,
                professional=r.professional,
                kb_version=r.kb_version,
                kb_hash=r.kb_hash,
                content_hash=r.content_hash,
                prev_hash=r.prev_hash,
                hash=r.hash,
                body=r.body,
                summary=r.summary,
            )
            out.write(line.model_dump_json() + "\n")
            count += 1
    return count


def read_export(path: str) -> list[tuple[int, Exported]]:  # noqa: C901, PLR0912 - one check per rule
    """Read and check an export: each line an event, each client's chain whole; (line, event) pairs."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: cannot read the file: {exc}") from exc
    try:
        header = json.loads(lines[0]) if lines else None
    except json.JSONDecodeError:
        header = None
    if header != FORMAT:
        raise StoreError(f"{path}:1: not a caseload export (expected the line {json.dumps(FORMAT)})")
    found: list[tuple[int, Exported]] = []
    chains: dict[str, tuple[int, str]] = {}
    erased = set()
    for number, text in enumerate(lines[1:], start=2):
        if not text.strip():
            continue
        try:
            e = Exported.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in first["loc"]) or "(line)"
            raise StoreError(f"{path}:{number}: not an event: {field}: {first['msg']}") from exc
        where = f"{path}:{number}: client {e.client!r} event {e.seq}"
        check_id(e.client)
        seq, prev = chains.get(e.client, (0, GENESIS))
        if e.seq != seq + 1 or e.prev_hash != prev:
            raise StoreError(f"{where}: does not follow event {seq} of that client (removed or out of order)")
        if e.body is not None:
            if e.summary is None or content_hash(e.body, e.summary) != e.content_hash:
                raise StoreError(f"{where}: its content does not match its hash (changed after export)")
            try:
                parse(e.kind, e.body)
            except ValidationError as exc:
                raise StoreError(f"{where}: its content is not a valid {e.kind}") from exc
        expected = event_hash(
            client=e.client,
            seq=e.seq,
            kind=e.kind,
            occurred_on=e.occurred_on,
            professional=e.professional,
            kb_version=e.kb_version,
            kb_hash=e.kb_hash,
            content=e.content_hash,
            prev_hash=e.prev_hash,
        )
        if expected != e.hash:
            raise StoreError(f"{where}: its fields do not match its hash (changed after export)")
        if e.kind == "forget":
            erased.add(e.client)
        chains[e.client] = (e.seq, e.hash)
        found.append((number, e))
    for number, e in found:
        if e.body is None and e.client not in erased:
            raise StoreError(
                f"{path}:{number}: client {e.client!r} event {e.seq}: no content, and not erased"
            )
    return found


def write_import(conn: Connection, found: list[tuple[int, Exported]], path: str) -> int:
    """Append the checked events of an export; refuse a client this store already has."""
    clients = {e.client for _, e in found}
    present = set(conn.execute(select(events.c.client).where(events.c.client.in_(clients))).scalars())
    for number, e in found:
        if e.client in present:
            raise StoreError(
                f"{path}:{number}: client {e.client!r} is already in this store; nothing imported"
            )
    for _, e in found:
        write_event(
            conn,
            client=e.client,
            seq=e.seq,
            kind=e.kind,
            on=e.occurred_on,
            professional=e.professional,
            kb=(e.kb_version, e.kb_hash),
            body=e.body,
            summary=e.summary,
            prev_hash=e.prev_hash,
            content=e.content_hash,
        )
    return len(found)


def append_step(  # noqa: PLR0913 - the step's fields, by name
    conn: Connection,
    state: ClientState,
    kind: Kind,
    model: Diagnosis | Plan | Decisions | Evaluated | Forgotten,
    *,
    on: dt.date | None,
    professional: str | None,
    kb: KnowledgeBase,
) -> None:
    """Append one step of a client as its next event, with the knowledge base it was made with."""
    body, summary = model.model_dump_json(), summary_of(model)
    kb_version = kb_hash = None
    if isinstance(model, Diagnosis):
        kb_version, kb_hash = model.knowledge_base_version, model.knowledge_base_hash
    elif isinstance(model, Plan):
        kb_version, kb_hash = kb.version, model.knowledge_base_hash
    elif not isinstance(model, Forgotten):
        kb_version, kb_hash = kb.version, kb.content_hash
    write_event(
        conn,
        client=state.client,
        seq=state.seq + 1,
        kind=kind,
        on=on,
        professional=professional,
        kb=(kb_version, kb_hash),
        body=body,
        summary=summary,
        prev_hash=state.last_hash or GENESIS,
    )


def write_event(  # noqa: PLR0913 - the event's fields, by name
    conn: Connection,
    *,
    client: str,
    seq: int,
    kind: str,
    on: dt.date | None,
    professional: str | None,
    kb: tuple[str | None, str | None],
    body: str | None,
    summary: str | None,
    prev_hash: str,
    content: str | None = None,
) -> str:
    """Append one event (and its content) at the end of the store chain; returns its hash."""
    content = content if content is not None else content_hash(body or "", summary or "")
    hash_ = event_hash(
        client=client,
        seq=seq,
        kind=kind,
        occurred_on=on,
        professional=professional,
        kb_version=kb[0],
        kb_hash=kb[1],
        content=content,
        prev_hash=prev_hash,
    )
    head = conn.execute(select(events.c.link).order_by(events.c.position.desc()).limit(1)).scalar()
    inserted = conn.execute(
        insert(events).values(
            client=client,
            seq=seq,
            kind=kind,
            occurred_on=on,
            professional=professional,
            kb_version=kb[0],
            kb_hash=kb[1],
            content_hash=content,
            prev_hash=prev_hash,
            hash=hash_,
            link=link_hash(head or GENESIS, hash_),
        )
    )
    key = inserted.inserted_primary_key
    assert key is not None  # noqa: S101 - an insert has a primary key
    position = key[0]
    if body is not None and summary is not None:
        conn.execute(insert(contents).values(position=position, body=body))
        conn.execute(insert(summaries).values(position=position, summary=summary))
    track(
        conn,
        position=position,
        client=client,
        kind=kind,
        professional=professional,
        kb_hash=kb[1],
        summary=summary if body is not None else None,
    )
    return hash_
