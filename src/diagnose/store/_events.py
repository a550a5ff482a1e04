"""Events and their hash chains, and the rule for pseudonymous ids.

Every write is one event. Its hash covers what happened (client, number in the client's chain,
kind, date, professional, knowledge base), the hash of its content and the hash of the client's
previous event: the per-client chain. Each event is also linked to the event written before it
in the whole store (`link`), so removing a client's last event, or a whole client, breaks the
store's chain too.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic needs it at run time
import hashlib
import json
import re
from typing import Literal

from diagnose._base import Record
from diagnose.errors import StoreError

__all__ = [
    "GENESIS",
    "KINDS",
    "Event",
    "Kind",
    "VerifyReport",
    "check_id",
    "content_hash",
    "event_hash",
    "link_hash",
]

Kind = Literal["intake", "decisions", "plan", "measurement", "evaluation", "forget"]
KINDS: tuple[Kind, ...] = ("intake", "decisions", "plan", "measurement", "evaluation", "forget")
#: The "previous hash" of a chain's first event.
GENESIS = "sha256:" + "0" * 64

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_DIGITS = re.compile(r"\d+")
_BSN_LENGTH = 9


class Event(Record):
    """One entry of the audit log, as `Caseload.history` returns it.

    Attributes:
        client: The pseudonymous client id.
        seq: The event's number in the client's chain, from 1.
        kind: `intake`, `decisions`, `plan`, `measurement`, `evaluation` or `forget`.
        occurred_on: The date the step was taken, as passed in (never the clock).
        professional: The pseudonymous id of who took it, if known.
        knowledge_base_version: The knowledge-base version the step was made with.
        knowledge_base_hash: That knowledge base's content hash.
        content_hash: The hash of the step's stored content.
        prev_hash: The hash of the client's previous event (zeros for the first).
        hash: This event's hash.
        erased: Whether the content was erased by `Caseload.forget` (the hashes stay).
    """

    client: str
    seq: int
    kind: Kind
    occurred_on: dt.date | None
    professional: str | None
    knowledge_base_version: str | None
    knowledge_base_hash: str | None
    content_hash: str
    prev_hash: str
    hash: str
    erased: bool


class VerifyReport(Record):
    """What `Caseload.verify` checked: every event and both chains, up to `head`.

    Attributes:
        events: How many events were checked.
        clients: How many clients they belong to (erased ones included).
        erased: How many clients were erased.
        head: The store chain's last link. Write it down (or keep it with a backup): passing it
            to a later `verify(head=...)` proves that nothing written before it was removed.
    """

    events: int
    clients: int
    erased: int
    head: str


def _sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(body: str, summary: str) -> str:
    """The hash of an event's content: its summary, a NUL byte, and the stored JSON of the step.

    The summary is JSON, which never holds a NUL byte, so the split between the two is unambiguous.
    """
    digest = hashlib.sha256(summary.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(body.encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def event_hash(  # noqa: PLR0913 - every field the hash covers, by name
    *,
    client: str,
    seq: int,
    kind: str,
    occurred_on: dt.date | None,
    professional: str | None,
    kb_version: str | None,
    kb_hash: str | None,
    content: str,
    prev_hash: str,
) -> str:
    """The hash of one event: its fields, its content's hash and the client's previous hash."""
    fields = [
        client,
        seq,
        kind,
        occurred_on.isoformat() if occurred_on is not None else None,
        professional,
        kb_version,
        kb_hash,
        content,
        prev_hash,
    ]
    return _sha(json.dumps(fields, ensure_ascii=False))


def link_hash(previous_link: str, event: str) -> str:
    """The store chain's link for an event: the previous link and the event's hash."""
    return _sha(previous_link + event)


def _passes_eleven_test(digits: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11 == 0


def check_id(value: object, what: str = "client id") -> str:
    """Return a pseudonymous id, or raise StoreError if it could identify a person.

    The rule: 1 to 64 characters of letters, digits, `.`, `_`, `:` and `-`, starting with a
    letter or digit, with at least one digit, and no run of exactly nine digits that passes the
    11-test of a citizen service number (BSN). So a name (`jansen`, `jan.jansen`, `Jan Jansen`),
    an e-mail address and a BSN are refused; `c-0042` and `km-17` pass.

    Examples:
        >>> check_id("c-0042")
        'c-0042'
        >>> check_id("111222333")
        Traceback (most recent call last):
        ...
        diagnose.errors.StoreError: client id '111222333': looks like a citizen service number ...
    """
    hint = "use a pseudonymous id such as 'c-0042'" if what == "client id" else "use an id such as 'km-17'"
    if not isinstance(value, str):
        raise StoreError(f"{what}: expected a string, got {type(value).__name__}")
    shown = repr(value[:70] + "..." if len(value) > 70 else value)  # noqa: PLR2004 - a short excerpt
    if "@" in value:
        raise StoreError(f"{what} {shown}: looks like an e-mail address; {hint}")
    if not _ID.match(value):
        raise StoreError(
            f"{what} {shown}: expected 1 to 64 letters, digits, '.', '_', ':' or '-' "
            f"(no spaces), starting with a letter or digit; {hint}"
        )
    if not any(c.isdigit() for c in value):
        raise StoreError(f"{what} {shown}: has no digit, so it may be a name; {hint}")
    for run in _DIGITS.findall(value):
        if len(run) == _BSN_LENGTH and _passes_eleven_test(run):
            bsn = "looks like a citizen service number (nine digits passing the 11-test)"
            raise StoreError(f"{what} {shown}: {bsn}; {hint}")
    return value
