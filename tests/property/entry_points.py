"""Generated inputs for every public entry point, and the one invariant they share.

Invariant: whatever an entry point is given, it either accepts it (and a model it returns reads
back from its own JSON as an equal model) or raises a `DiagnoseError` subclass; never any other
exception. `tests/property/test_entry_points.py` runs each check under hypothesis;
`bench/entry_points.py` runs the same checks and reports how many inputs each tried and how
long the slowest rejection took (speed is reported there, never asserted).

Each check returns `"accepted"` or `"rejected"` and raises AssertionError when the invariant breaks.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hypothesis import strategies as st
from pydantic import BaseModel

import diagnose
from diagnose.batch._files import read_rows
from tests.conftest import FIXTURE_KB, default_kb, frozen_kb

if TYPE_CHECKING:
    from collections.abc import Callable

Outcome = Literal["accepted", "rejected"]


def outcome(call: Callable[[], object]) -> tuple[Outcome, object]:
    """Run `call`: ("accepted", its result) or ("rejected", the DiagnoseError); any other exception escapes."""
    try:
        return "accepted", call()
    except diagnose.DiagnoseError as err:
        error = err
    assert str(error), f"{type(error).__name__} without a message"
    return "rejected", error


def round_trips(model: BaseModel) -> None:
    """A returned model reads back from its JSON as an equal model."""
    assert type(model).model_validate_json(model.model_dump_json()) == model


# --- Values -------------------------------------------------------------------------------------


@functools.cache
def item_ids() -> list[str]:
    return [i.id for i in default_kb().items]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 8),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["not_asked", "declined", "unknown", "+1", "\u0663", "\uff11", "2.0", ""]),
    st.text(max_size=12),
)
JUNK = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=3),
    max_leaves=6,
)
KEYS = st.one_of(
    st.deferred(lambda: st.sampled_from(item_ids())),
    st.sampled_from(["se1", "SE_1", "id", "started_work", "context.started_work", "mo_1 "]),
    st.text(max_size=10),
)
ANSWER = st.one_of(st.integers(1, 5), st.sampled_from(["not_asked", "declined", "unknown"]))
DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)) | st.sampled_from(
    [dt.date.min, dt.date.max]
)
#: What callers pass where a date belongs: a date, a datetime, text, a number, None.
AS_OF = st.one_of(DATES, DATES, st.datetimes(), st.none(), st.text(max_size=10), st.integers())


@st.composite
def answer_maps(draw: st.DrawFn, *, junk: bool = True) -> dict[Any, Any]:
    """Mostly valid answers (so that many inputs are accepted), with junk keys and values mixed in."""
    valid = {i: draw(ANSWER) for i in draw(st.lists(st.sampled_from(item_ids()), max_size=12, unique=True))}
    if junk and draw(st.booleans()):
        valid.update(draw(st.dictionaries(KEYS, st.one_of(SCALARS, JUNK), max_size=3)))
    return valid


CONTEXTS = st.one_of(
    st.none(),
    st.just({}),
    st.fixed_dictionaries({"started_work": st.booleans()}),
    st.dictionaries(KEYS, SCALARS, max_size=2),
    SCALARS,
)


# --- assess and the batch functions --------------------------------------------------------------


def check_assess(answers: object, context: object, as_of: object) -> Outcome:
    result, value = outcome(lambda: diagnose.assess(answers, context=context, as_of=as_of))  # type: ignore[arg-type]
    if result == "accepted":
        assert isinstance(value, diagnose.Diagnosis)
        round_trips(value)
    return result


BATCH_ARGS = st.fixed_dictionaries(
    {},
    optional={
        "workers": st.sampled_from([1, 1, 1, 0, -1, 1.0, "1", None]),
        "chunk_size": st.sampled_from([1, 2, 256, 0, 2.5, None]),
        "errors": st.sampled_from(["raise", "return", "return", "skip", None]),
    },
)
INTAKES = st.one_of(
    st.lists(answer_maps(), max_size=4),
    st.lists(answer_maps(junk=False), max_size=4),
    SCALARS,
    answer_maps(),
)


def check_assess_many(intakes: object, arguments: dict[str, Any], *, as_json: bool) -> Outcome:
    function = diagnose.assess_many_json if as_json else diagnose.assess_many

    def run() -> list[object]:
        return list(function(intakes, **arguments))  # type: ignore[call-overload]

    result, value = outcome(run)
    if result == "accepted":
        assert isinstance(value, list)
        for item in value:
            if isinstance(item, str):
                assert diagnose.Diagnosis.model_validate_json(item).model_dump_json() == item
            elif isinstance(item, diagnose.Diagnosis):
                round_trips(item)
            else:
                assert isinstance(item, diagnose.AnswerError)
    return result


# --- Tables ------------------------------------------------------------------------------------

COLUMNS = st.one_of(
    st.deferred(lambda: st.sampled_from(item_ids())),
    st.sampled_from(["id", "se1", "SE_1", "context.started_work", "context.nope", "name"]),
    st.text(max_size=6),
)
CELLS = st.one_of(
    st.none(),
    st.integers(1, 5),
    st.integers(-2, 9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2.0, "declined", "+1", "\u0663", "x", True]),
)


@st.composite
def frames(draw: st.DrawFn) -> tuple[list[str], list[list[object]]]:
    """Column names (sometimes one twice) and rows of cells."""
    columns = draw(st.lists(COLUMNS, min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)), max_size=4))
    return columns, rows


def check_frame(columns: list[str], rows: list[list[object]], top: object) -> Outcome:
    import pandas as pd

    from diagnose.batch.tabular import assess_frame

    frame = pd.DataFrame(rows, columns=columns, dtype=object) if rows else pd.DataFrame(columns=columns)
    result, value = outcome(lambda: assess_frame(frame, top=top))  # type: ignore[arg-type]
    if result == "accepted":
        assert isinstance(value, pd.DataFrame)
        assert len(value) == len(rows)
        assert all(isinstance(e, str) for e in value["error"])
    return result


def check_table(columns: list[str], rows: list[list[object]], top: object) -> Outcome:
    import pyarrow as pa

    from diagnose.batch.tabular import assess_table

    # Arrow columns hold one type: a column of mixed cells is given as text.
    arrays = []
    for n in range(len(columns)):
        cells: list[object] = [row[n] for row in rows]
        if len({type(c) for c in cells if c is not None}) > 1:
            cells = [None if c is None else str(c) for c in cells]
        arrays.append(pa.array(cells))  # type: ignore[arg-type]  # the stubs want one element type
    table = pa.Table.from_arrays(arrays, names=columns)
    result, value = outcome(lambda: assess_table(table, top=top))  # type: ignore[arg-type]
    if result == "accepted":
        assert isinstance(value, pa.Table)
        assert value.num_rows == len(rows)
    return result


CSV_TEXT = st.lists(
    st.lists(
        st.one_of(COLUMNS, st.sampled_from(["1", "2.0", "+1", "", "declined", '"', "\u0663"])), max_size=5
    ),
    max_size=5,
).map(lambda rows: "".join(",".join(row) + "\n" for row in rows))


def check_csv(text: str) -> Outcome:
    """`diagnose batch`'s CSV reader: every row yields an intake or a problem; a header named twice is refused."""

    def run() -> list[tuple[int, bool]]:
        rows = list(read_rows(io.StringIO(text), "csv"))
        for row in rows:
            assert (row.intake is None) != (row.problem is None)
        return [(row.number, row.intake is None) for row in rows]

    result, _ = outcome(run)
    return result


# --- Knowledge bases -----------------------------------------------------------------------------

#: What may be put in a knowledge-base folder: text, links in and out, special files, or nothing new.
ENTRY = st.one_of(
    st.just(("keep", "")),  # the file as the fixture has it
    st.sampled_from(
        [
            ("text", "rules: [" + "[" * 150 + "]" * 150 + "]\n"),
            ("text", "rules:\n  - {not: " * 3 + "x" + "}" * 3 + "\n"),
            ("text", "x: " + "9" * 400 + "\n"),
            ("text", "x: 1.0e+400\n"),
            ("text", "a: &a [1, 2]\nb: [*a, *a]\n"),
            ("text", "rules: []\n"),
            ("link", "/etc/passwd"),
            ("link", "../instrument.yaml"),
            ("link", "nowhere.yaml"),
            ("link", "/dev/zero"),
            ("fifo", ""),
            ("folder", ""),
        ]
    ),
    st.tuples(st.just("text"), st.text(max_size=40)),
)
PLACES = st.sampled_from(
    [
        "instrument.yaml",
        "interventions.yaml",
        "recommend/health.yaml",
        "recommend/new.yaml",
        "cycle/settings.yaml",
        "cases/x.yaml",
    ]
)


def check_load(entries: list[tuple[str, tuple[str, str]]]) -> Outcome:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "kb"
        shutil.copytree(FIXTURE_KB, root)
        for place, (kind, content) in entries:
            if kind == "keep":
                continue
            path = root / place
            path.parent.mkdir(exist_ok=True)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif os.path.lexists(path):
                path.unlink()
            if kind == "text":
                path.write_text(content, encoding="utf-8")
            elif kind == "link":
                path.symlink_to(content)
            elif kind == "fifo":
                os.mkfifo(path)
            else:
                path.mkdir()
        result, value = outcome(lambda: diagnose.load_knowledge_base(root))
    if result == "accepted":
        assert isinstance(value, diagnose.KnowledgeBase)
    else:
        assert isinstance(value, diagnose.KnowledgeBaseError)
        assert value.problems
    return result


# --- The cycle ----------------------------------------------------------------------------------


@st.composite
def diagnoses(
    draw: st.DrawFn, which: Callable[[], diagnose.KnowledgeBase] = default_kb
) -> diagnose.Diagnosis:
    """A diagnosis of valid answers, dated, from the default (or another) knowledge base."""
    kb = which()
    answers = {
        i.id: draw(ANSWER) for i in draw(st.lists(st.sampled_from(kb.items), max_size=10, unique=True))
    }
    return diagnose.assess(answers, knowledge_base=kb, as_of=draw(DATES))


ANY_DIAGNOSIS = st.one_of(diagnoses(), diagnoses(), diagnoses(frozen_kb))
LOADERS: list[Callable[[], diagnose.KnowledgeBase]] = [default_kb, default_kb, frozen_kb]
KNOWLEDGE_BASES = st.sampled_from(LOADERS).map(lambda load: load())
INTERVENTIONS = st.one_of(
    st.deferred(lambda: st.sampled_from(sorted(default_kb().interventions))),
    st.sampled_from(["no_such", "job_matching"]),
)


@st.composite
def decisions(draw: st.DrawFn, diagnosis: diagnose.Diagnosis) -> list[diagnose.Decision]:
    recommended = [r.intervention for r in diagnosis.recommendations]
    out = []
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["accept", "adapt", "decline"]))
        reason = None if action == "accept" else draw(st.sampled_from(["timing", "client_preference"]))
        naive = (dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1))  # noqa: DTZ001 - Decision takes naive ones
        when = draw(st.datetimes(min_value=naive[0], max_value=naive[1]))
        pick = st.sampled_from(recommended) if bool(recommended) and draw(st.booleans()) else INTERVENTIONS
        out.append(
            diagnose.Decision.model_validate(
                {
                    "intervention": draw(pick),
                    "action": action,
                    "reason": reason,
                    "professional": "km-1",
                    "decided_at": when,
                }
            )
        )
    return out


def check_build_plan(
    diagnosis: diagnose.Diagnosis, chosen: list[diagnose.Decision], as_of: object, kb: object
) -> Outcome:
    result, value = outcome(
        lambda: diagnose.build_plan(diagnosis, chosen, as_of=as_of, knowledge_base=kb)  # type: ignore[arg-type]
    )
    if result == "accepted":
        assert isinstance(value, diagnose.Plan)
        round_trips(value)
    return result


def check_compare(
    before: diagnose.Diagnosis, after: diagnose.Diagnosis, kb: object, allow: object
) -> Outcome:
    result, value = outcome(
        lambda: diagnose.compare(before, after, knowledge_base=kb, allow_other_version=allow)  # type: ignore[arg-type]
    )
    if result == "accepted":
        assert isinstance(value, diagnose.Comparison)
        round_trips(value)
        assert math.isfinite(value.distance_travelled)
    return result


@st.composite
def trajectories(draw: st.DrawFn) -> diagnose.Trajectory:
    """A client's trajectory: an intake, maybe a plan, measurements and an evaluation, dated at random."""
    intake = draw(ANY_DIAGNOSIS)
    plan = None
    if draw(st.booleans()):  # a plan made by build_plan from random decisions and a random date
        chosen, plan_date, kb = draw(decisions(intake)), draw(DATES), draw(KNOWLEDGE_BASES)
        made, value = outcome(lambda: diagnose.build_plan(intake, chosen, as_of=plan_date, knowledge_base=kb))
        plan = value if made == "accepted" and isinstance(value, diagnose.Plan) else None
    measurements = tuple(draw(st.lists(ANY_DIAGNOSIS, max_size=2)))
    evaluated = draw(st.none() | DATES)
    return diagnose.Trajectory(
        client="c-1", intake=intake, plan=plan, measurements=measurements, evaluated_on=evaluated
    )


def check_cycle(
    function: Literal["review", "evaluate", "caseload_indicators"],
    given: list[diagnose.Trajectory],
    as_of: object,
    kb: object,
) -> Outcome:
    def run() -> object:
        if function == "caseload_indicators":
            return diagnose.caseload_indicators(given, as_of=as_of, knowledge_base=kb)  # type: ignore[arg-type]
        call = diagnose.review if function == "review" else diagnose.evaluate
        return call(given[0], as_of=as_of, knowledge_base=kb)  # type: ignore[arg-type]

    result, value = outcome(run)
    if result == "accepted":
        assert isinstance(value, BaseModel)
        round_trips(value)
    return result


CHART_ARGS = st.fixed_dictionaries(
    {},
    optional={
        "language": st.sampled_from(["nl", "en", "de", None]),
        "title": st.none() | st.text(max_size=20) | st.just("<script>x</script>"),
        "size": st.sampled_from([480, 120, 1, 0, -5, 480.0, "480", 10**6]),
        "kind": st.sampled_from(["radar", "bars", "pie"]),
        "date": AS_OF,
        "before_date": AS_OF,
    },
)


def check_chart(profile: object, before: object, arguments: dict[str, Any], kb: object) -> Outcome:
    result, value = outcome(
        lambda: diagnose.profile_chart(kb, profile, before=before, **arguments)  # type: ignore[arg-type]
    )
    if result == "accepted":
        assert isinstance(value, str)
        assert value.startswith("<svg")
        assert "<script" not in value
    return result
