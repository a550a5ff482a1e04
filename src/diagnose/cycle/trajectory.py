"""A client's trajectory: the intake, the plan, the re-measurements and the decisions, in order."""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic needs it at run time
from typing import Literal

from diagnose._base import NonEmptyText, Record
from diagnose.assessment.recommendation import Diagnosis  # noqa: TC001 - pydantic needs it at run time
from diagnose.cycle.plan import Plan  # noqa: TC001 - pydantic needs them at run time

Step = Literal["intake", "plan", "monitoring", "evaluation"]


__all__ = ["Trajectory"]


class Trajectory(Record):
    """One client's way through the cycle, as the application stores it.

    Attributes:
        client: A pseudonymous client id (never a name or citizen service number).
        intake: The diagnosis at the intake (with `assessed_on`).
        plan: The trajectory plan, once made.
        measurements: Later diagnoses with the same knowledge base, oldest first.
        evaluated_on: When the trajectory was looked back on (step 4), if it was.

    Examples:
        >>> import datetime as dt, diagnose
        >>> intake = diagnose.assess({"mo_1": 1, "mo_2": 1}, as_of=dt.date(2026, 3, 2))
        >>> Trajectory(client="c-1", intake=intake).steps_done(dt.date(2026, 4, 1))
        ('intake',)
    """

    client: NonEmptyText
    intake: Diagnosis
    plan: Plan | None = None
    measurements: tuple[Diagnosis, ...] = ()
    evaluated_on: dt.date | None = None

    def steps_done(self, as_of: dt.date) -> tuple[Step, ...]:
        """The steps done by `as_of`."""
        done: list[Step] = ["intake"]
        if self.plan is not None and self.plan.made_on <= as_of:
            done.append("plan")
        if any(m.assessed_on is None or m.assessed_on <= as_of for m in self.measurements):
            done.append("monitoring")
        if self.evaluated_on is not None and self.evaluated_on <= as_of:
            done.append("evaluation")
        return tuple(done)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
