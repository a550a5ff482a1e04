"""Every public entry point, given generated input, accepts it or raises a DiagnoseError.

The strategies and checks live in `tests/property/entry_points.py`, shared with
`bench/entry_points.py`, which reports how many inputs each tried and the slowest rejection.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.property import entry_points as ep

if TYPE_CHECKING:
    import diagnose

#: A folder with FIFOs and links is a POSIX folder.
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="links and FIFOs as on POSIX")
FEW = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=300)
@given(ep.answer_maps() | ep.JUNK, ep.CONTEXTS, ep.AS_OF)
def test_assess(answers: object, context: object, as_of: object) -> None:
    """Invariant: assess accepts (a Diagnosis that round-trips through JSON) or raises a DiagnoseError."""
    ep.check_assess(answers, context, as_of)


@FEW
@given(ep.INTAKES, ep.BATCH_ARGS)
def test_assess_many(intakes: object, arguments: dict[str, Any]) -> None:
    """Invariant: assess_many yields Diagnoses (or AnswerErrors, with errors="return") or raises a DiagnoseError."""
    ep.check_assess_many(intakes, arguments, as_json=False)


@FEW
@given(ep.INTAKES, ep.BATCH_ARGS)
def test_assess_many_json(intakes: object, arguments: dict[str, Any]) -> None:
    """Invariant: assess_many_json yields texts that read back as equal Diagnoses, or raises a DiagnoseError."""
    ep.check_assess_many(intakes, arguments, as_json=True)


@FEW
@given(ep.frames(), st.sampled_from([1, 3, 0, 2.0, "3"]))
def test_assess_frame(frame: tuple[list[str], list[list[object]]], top: object) -> None:
    """Invariant: assess_frame gives one result row per input row (error or advice) or raises a DiagnoseError."""
    ep.check_frame(*frame, top)


@FEW
@given(ep.frames(), st.sampled_from([1, 3, 0, 2.0, "3"]))
def test_assess_table(frame: tuple[list[str], list[list[object]]], top: object) -> None:
    """Invariant: assess_table gives one result row per input row or raises a DiagnoseError."""
    ep.check_table(*frame, top)


@settings(max_examples=200)
@given(ep.CSV_TEXT)
def test_csv_rows(text: str) -> None:
    """Invariant: each CSV row is an intake or a located problem; only a header named twice stops reading."""
    ep.check_csv(text)


@posix_only
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(ep.PLACES, ep.ENTRY), min_size=1, max_size=3))
def test_load_knowledge_base(entries: list[tuple[str, tuple[str, str]]]) -> None:
    """Invariant: a folder with odd files, links or special files loads or raises a KnowledgeBaseError."""
    ep.check_load(entries)


@FEW
@given(st.data())
def test_build_plan(data: st.DataObject) -> None:
    """Invariant: build_plan returns a Plan that round-trips, or raises a DiagnoseError."""
    diagnosis = data.draw(ep.ANY_DIAGNOSIS)
    chosen = data.draw(ep.decisions(diagnosis))
    ep.check_build_plan(diagnosis, chosen, data.draw(ep.AS_OF), data.draw(ep.KNOWLEDGE_BASES | st.none()))


@FEW
@given(ep.ANY_DIAGNOSIS, ep.ANY_DIAGNOSIS, ep.KNOWLEDGE_BASES, st.sampled_from([False, True, "yes"]))
def test_compare(before: diagnose.Diagnosis, after: diagnose.Diagnosis, kb: object, allow: object) -> None:
    """Invariant: compare returns a Comparison (finite changes) that round-trips, or raises a DiagnoseError."""
    ep.check_compare(before, after, kb, allow)


@FEW
@given(
    st.sampled_from(["review", "evaluate", "caseload_indicators"]),
    st.lists(ep.trajectories(), min_size=1, max_size=2),
    ep.AS_OF,
    ep.KNOWLEDGE_BASES,
)
def test_review_evaluate_and_caseload_indicators(
    function: Literal["review", "evaluate", "caseload_indicators"],
    given_trajectories: list[diagnose.Trajectory],
    as_of: object,
    kb: diagnose.KnowledgeBase,
) -> None:
    """Invariant: review, evaluate and caseload_indicators return a model that round-trips, or raise a DiagnoseError."""
    ep.check_cycle(function, given_trajectories, as_of, kb)


@FEW
@given(ep.ANY_DIAGNOSIS, st.none() | ep.ANY_DIAGNOSIS, ep.CHART_ARGS, ep.KNOWLEDGE_BASES)
def test_profile_chart(
    diagnosis: diagnose.Diagnosis, before: diagnose.Diagnosis | None, arguments: dict[str, Any], kb: object
) -> None:
    """Invariant: profile_chart returns an SVG (no script) or raises a DiagnoseError."""
    ep.check_chart(diagnosis.profile, before.profile if before is not None else None, arguments, kb)
