"""A client's events read back into the cycle's models, and the summaries the indicators use."""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic needs it at run time
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from diagnose._base import Record
from diagnose.assessment.recommendation import Diagnosis
from diagnose.cycle.plan import Decision, Plan
from diagnose.cycle.trajectory import Trajectory
from diagnose.store._schema import contents, events

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["ClientState", "Decisions", "Evaluated", "Forgotten", "load_state", "summary_of"]


class Decisions(Record):
    """The content of a `decisions` event."""

    decisions: tuple[Decision, ...]


class Evaluated(Record):
    """The content of an `evaluation` event."""

    evaluated_on: dt.date


class Forgotten(Record):
    """The content of a `forget` event: how many events' contents were erased, nothing personal."""

    erased_events: int


def summary_of(model: Diagnosis | Plan | Evaluated | Decisions | Forgotten) -> str:
    """The few facts of a step that the indicators need, as compact JSON."""
    if isinstance(model, Diagnosis):
        on = model.assessed_on
        scores = {f: s.score for f, s in model.profile.scores.items()}
        facts: dict[str, object] = {"on": on.isoformat() if on else None, "scores": scores}
        if model.participation_rung is not None:  # left out otherwise: older summaries stay the same
            facts["rung"] = model.participation_rung
        return json.dumps(facts)
    if isinstance(model, Plan):
        decided = [[d.intervention, d.action] for d in model.decisions]
        return json.dumps({"on": model.made_on.isoformat(), "decisions": decided})
    if isinstance(model, Evaluated):
        return json.dumps({"on": model.evaluated_on.isoformat()})
    return "{}"


def parse(kind: str, body: str) -> Diagnosis | Plan | Evaluated | Decisions | Forgotten:
    """Read an event's content back into its model."""
    if kind in {"intake", "measurement"}:
        return Diagnosis.model_validate_json(body)
    models: dict[str, type[Plan | Evaluated | Decisions | Forgotten]] = {
        "plan": Plan,
        "evaluation": Evaluated,
        "decisions": Decisions,
        "forget": Forgotten,
    }
    return models[kind].model_validate_json(body)


@dataclass
class ClientState:
    """One client as its events tell: the trajectory so far, the decisions, and the chain's end."""

    client: str
    seq: int = 0
    last_hash: str | None = None
    intake: Diagnosis | None = None
    intake_professional: str | None = None
    decisions: dict[str, Decision] = field(default_factory=dict)
    plan: Plan | None = None
    measurements: list[Diagnosis] = field(default_factory=list)
    evaluated_on: dt.date | None = None
    forgotten_on: dt.date | None = None
    forgotten: bool = False
    positions: list[int] = field(default_factory=list)

    def trajectory(self) -> Trajectory:
        """The trajectory, as `Trajectory` holds it in memory."""
        assert self.intake is not None  # noqa: S101 - callers check that there is an intake
        return Trajectory(
            client=self.client,
            intake=self.intake,
            plan=self.plan,
            measurements=tuple(self.measurements),
            evaluated_on=self.evaluated_on,
        )

    def add(self, row: tuple[Any, ...]) -> None:
        """Take one event (position, seq, kind, professional, date, hash, body) into the state."""
        position, seq, kind, professional, on, hash_, body = row
        self.seq, self.last_hash = seq, hash_
        self.positions.append(position)
        if kind == "forget":
            self.forgotten, self.forgotten_on = True, on
            return
        if body is None:
            return  # erased: only the forget event that follows says so
        model = parse(kind, body)
        if isinstance(model, Diagnosis):
            if kind == "intake":
                self.intake, self.intake_professional = model, professional
            else:
                self.measurements.append(model)
        elif isinstance(model, Plan):
            self.plan = model
        elif isinstance(model, Decisions):
            for decision in model.decisions:
                self.decisions.pop(decision.intervention, None)
                self.decisions[decision.intervention] = decision
        elif isinstance(model, Evaluated):
            self.evaluated_on = model.evaluated_on


def load_state(conn: Connection, client: str) -> ClientState:
    """Read one client's events, oldest first, into a `ClientState` (seq 0 when there are none)."""
    query = (
        select(
            events.c.position,
            events.c.seq,
            events.c.kind,
            events.c.professional,
            events.c.occurred_on,
            events.c.hash,
            contents.c.body,
        )
        .select_from(events.outerjoin(contents, contents.c.position == events.c.position))
        .where(events.c.client == client)
        .order_by(events.c.seq)
    )
    state = ClientState(client=client)
    for row in conn.execute(query):
        state.add(tuple(row))
    return state
