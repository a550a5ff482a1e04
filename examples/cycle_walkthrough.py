"""One client through the whole methodical cycle, with the packaged knowledge base.

    python examples/cycle_walkthrough.py [OUTPUT_FOLDER]

Intake and diagnosis (step 1), decisions and a plan (step 2), two re-measurements with the
cycle rules' suggestions in between (step 3), and the evaluation (step 4). Each step's result is
written as JSON to OUTPUT_FOLDER (a new temporary folder when none is given), as an application
would store it; the same files work with `diagnose plan`, `compare`, `review` and `evaluate`.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import diagnose
from diagnose import Decision, PreferenceItem, Preferences, Trajectory
from diagnose.cycle.monitoring import review

START = dt.date(2026, 3, 2)
INTAKE = {  # little faith in own ability, little motivation; the rest is fine
    **{f"se_{n}": v for n, v in zip(range(1, 5), (1, 2, 2, 5), strict=True)},
    **{f"mo_{n}": v for n, v in zip(range(1, 4), (2, 1, 4), strict=True)},
    "he_1": 4, "he_2": 2, "he_3": 4,
}  # fmt: skip


def decided(
    intervention: str, action: str, when: dt.date, reason: str | None = None, note: str = ""
) -> Decision:
    """A decision by client manager km-17 (a pseudonymous id)."""
    at = dt.datetime.combine(when, dt.time(10, 0), tzinfo=dt.UTC)
    return Decision.model_validate(
        {"intervention": intervention, "action": action, "reason": reason, "note": note,
         "professional": "km-17", "decided_at": at}
    )  # fmt: skip


def main(out: Path) -> dict[str, object]:
    """Run the walkthrough, write each step to `out`, print it, and return the key outcomes."""
    kb = diagnose.load_knowledge_base()
    say = print

    # Step 1: intake and diagnosis, with the client's own preference and goal.
    wishes = Preferences(
        wanted=(PreferenceItem(intervention="success_experiences", reason="ik wil eerst iets doen"),),
        own_goal="Werken in een winkel",
    )
    intake = diagnose.assess(INTAKE, as_of=START, preferences=wishes)
    say("1 intake:", [f"{r.intervention} (p{r.priority}, {r.preference})" for r in intake.recommendations])

    # Step 2: the professional decides, and the plan follows.
    decisions = [decided(r.intervention, "accept", START) for r in intake.recommendations]
    plan = diagnose.build_plan(intake, decisions, as_of=START, preferences=wishes)
    say("2 plan:", [f"{g.description.en} by {g.review_date}" for g in plan.goals])

    # Step 3a: measure again after seven weeks; review with the cycle rules.
    first = diagnose.assess({**INTAKE, "se_1": 3, "se_2": 3, "se_3": 3}, as_of=START + dt.timedelta(weeks=7))
    t = Trajectory(client="c-0042", intake=intake, plan=plan, measurements=(first,))
    step3 = review(t, as_of=first.assessed_on or START, knowledge_base=kb)
    say("3 review:", [f"{s.action} {s.goal or ''} {s.alternative or ''}".strip() for s in step3.suggestions])

    # Step 3b: the measurement shows no progress on motivation; the plan is adjusted to the
    # alternative the rules suggest, and the client is measured again later.
    second = diagnose.assess(
        {**INTAKE, "se_1": 3, "se_2": 3, "se_3": 4, "mo_1": 4, "mo_2": 3},
        as_of=START + dt.timedelta(weeks=16),
    )
    t = t.model_copy(update={"measurements": (first, second)})
    change = diagnose.compare(intake, second, knowledge_base=kb)
    say("3 compare:", {c.factor: c.direction for c in change.factors if c.status == "measured"})

    # Step 4: look back, once the evaluation is due.
    due = START + dt.timedelta(weeks=kb.cycle.evaluate_after_weeks)
    overdue = review(t, as_of=due, knowledge_base=kb)
    t = t.model_copy(update={"evaluated_on": due})
    report = diagnose.evaluate(t, as_of=due, knowledge_base=kb)
    say("4 evaluate:", report.steps_done, [(g.factor, g.reached) for g in report.goals])

    for name, model in {
        "1-intake.json": intake,
        "2-plan.json": plan,
        "3-measurement-1.json": first,
        "3-review.json": step3,
        "3-measurement-2.json": second,
        "3-compare.json": change,
        "4-trajectory.json": t,
        "4-evaluation.json": report,
    }.items():
        (out / name).write_text(model.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (out / "profile.svg").write_text(
        diagnose.profile_chart(kb, second.profile, before=intake.profile), encoding="utf-8"
    )
    say("written to", out)
    return {
        "intake": [r.intervention for r in intake.recommendations],
        "goals": [g.factor for g in plan.goals],
        "first_review": [(s.action, s.goal) for s in step3.suggestions],
        "overdue_review": [s.action for s in overdue.suggestions],
        "improved": change.improved,
        "steps": report.steps_done,
        "reached": [(g.factor, g.reached) for g in report.goals],
    }


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="diagnose-cycle-"))
    folder.mkdir(parents=True, exist_ok=True)
    main(folder)
