"""The fast way through `assess` gives exactly what the plain way gives.

The fast way: `diagnose.assessment._fast`, shared results, the reused durable-rules session. The
plain way (`_assess(..., reference=True)`): validation, scoring,
`validate_intake` + `score` + `build_fact`, uncached recommendations, every rule searched for
undecided ones, and a durable-rules session of its own per evaluation.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.assessment._fast import FastIntake
from diagnose.assessment.recommendation import _assess
from diagnose.knowledge._base import derived
from tests.conftest import FIXTURE_KB
from tests.test_recommendation import CONTEXT_FIELDS, CONTEXT_RULES

if TYPE_CHECKING:
    from pathlib import Path

ANSWER = st.one_of(st.integers(1, 5), st.sampled_from(["not_asked", "declined", "unknown"]))
#: Values the table-driven check must refuse as the plain check does.
JUNK = st.sampled_from([True, False, 0, 6, -1, 2.0, 3.5, "3", "maybe", "", None, [1], {"a": 1}, 2**70])


@pytest.fixture(scope="module")
def kbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, diagnose.KnowledgeBase]:
    """The packaged and the fixture knowledge base, and the fixture with context rules."""
    root: Path = tmp_path_factory.mktemp("context") / "kb"
    shutil.copytree(FIXTURE_KB, root)
    instrument = root / "instrument.yaml"
    instrument.write_text(
        instrument.read_text(encoding="utf-8").replace("\nitems:\n", CONTEXT_FIELDS + "\nitems:\n", 1),
        encoding="utf-8",
    )
    (root / "recommend" / "context.yaml").write_text(CONTEXT_RULES, encoding="utf-8")
    return {
        "packaged": diagnose.load_knowledge_base(),
        "fixture": diagnose.load_knowledge_base(FIXTURE_KB),
        "context": diagnose.load_knowledge_base(root),
    }


@st.composite
def intakes(draw: st.DrawFn, kb: diagnose.KnowledgeBase) -> tuple[dict[str, object], dict[str, object]]:
    """Any subset of items answered (sparse or dense, often one value throughout), any context given.

    So warnings of both kinds come up; context values are valid ones.
    """
    skew = draw(st.integers(1, 5))
    density = draw(st.sampled_from([1, 3, 5, 6]))  # of 6: items kept
    answers: dict[str, object] = {
        item.id: draw(st.one_of(st.just(skew), ANSWER))
        for item in kb.items
        if draw(st.integers(0, 5)) < density
    }
    context: dict[str, object] = {}
    for field in kb.context_fields.values():
        if draw(st.booleans()):
            if field.type == "boolean":
                context[field.id] = draw(st.booleans())
            elif field.type == "enum":
                context[field.id] = draw(st.sampled_from(field.values))
            else:
                context[field.id] = draw(st.integers(0, 40))
    return answers, context


def _both(
    kb: diagnose.KnowledgeBase, answers: object, context: object, preferences: object = None
) -> tuple[object, object]:
    """What the fast way and the plain way give (a diagnosis, or the error's text and type)."""
    out: list[object] = []
    for reference in (False, True):
        try:
            out.append(_assess(kb, answers, context, None, preferences, reference=reference))  # type: ignore[arg-type]  # junk on purpose
        except diagnose.DiagnoseError as exc:
            out.append((type(exc), str(exc)))
    return out[0], out[1]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), name=st.sampled_from(["packaged", "fixture", "context"]))
def test_the_fast_way_gives_the_plain_way_s_diagnosis(
    kbs: dict[str, diagnose.KnowledgeBase], data: st.DataObject, name: str
) -> None:
    """Invariant: for any valid intake, both ways give equal diagnoses, with equal JSON (warnings too)."""
    kb = kbs[name]
    answers, context = data.draw(intakes(kb))
    fast, plain = _both(kb, answers, context)
    assert isinstance(fast, diagnose.Diagnosis)
    assert fast == plain
    assert isinstance(plain, diagnose.Diagnosis)
    assert fast.model_dump_json() == plain.model_dump_json()


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), junk=JUNK)
def test_junk_answers_are_refused_as_the_plain_way_refuses_them(
    kbs: dict[str, diagnose.KnowledgeBase], data: st.DataObject, junk: object
) -> None:
    """Invariant: an intake with one value no item accepts raises the same error both ways."""
    kb = kbs["packaged"]
    answers, _context = data.draw(intakes(kb))
    answers[data.draw(st.sampled_from([i.id for i in kb.items] + ["xx_1"]))] = junk
    fast, plain = _both(kb, answers, {})
    assert fast == plain
    assert isinstance(fast, tuple)
    assert fast[0] is diagnose.AnswerError


@pytest.mark.parametrize(
    ("answers", "context"),
    [
        (None, {}),
        ([("mo_1", 1)], {}),
        ({"mo_1": 1}, "text"),
        ({"mo_1": 1}, {"started_work": "yes"}),
        ({"mo_1": 1}, {"nope": True}),
        ({1: 1}, {}),
        ({"mo_1": True, "mo_2": 9}, {"started_work": 1}),
    ],
)
def test_shapes_and_context_problems_are_refused_alike(
    kbs: dict[str, diagnose.KnowledgeBase], answers: object, context: object
) -> None:
    fast, plain = _both(kbs["packaged"], answers, context)
    assert fast == plain
    assert isinstance(fast, tuple)


def test_preferences_give_the_plain_ranking(kbs: dict[str, diagnose.KnowledgeBase]) -> None:
    kb = kbs["packaged"]
    wish = diagnose.PreferenceItem(intervention="success_experiences")
    no = diagnose.PreferenceItem(intervention="motivational_interviewing")
    preferences = diagnose.Preferences(wanted=(wish,), unwanted=(no,))
    answers = {"se_1": 1, "se_2": 1, "se_3": 2, "mo_1": 1, "mo_2": 2, "mo_3": 5}
    fast, plain = _both(kb, answers, {}, preferences)
    assert fast == plain
    assert fast.recommendations[0].intervention == "success_experiences"  # type: ignore[attr-defined]  # a Diagnosis


def test_the_factor_results_kept_are_bounded_and_still_right(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit a factor's result is computed and not kept; kept ones are met again unchanged."""
    kb = diagnose.load_knowledge_base(FIXTURE_KB)  # a fresh one: its caches start empty
    monkeypatch.setattr(FastIntake, "LIMIT", 3)
    assert derived(kb, FastIntake).LIMIT == 3
    items = kb.items_by_factor["motivation"]
    cases = [{i.id: 6 - value if i.reverse else value for i in items} for value in (1, 2, 3, 4, 5, 1, 2)]
    results = [_both(kb, answers, {}) for answers in cases]
    assert all(fast == plain for fast, plain in results)
    levels = [fast.profile.scores["motivation"].level for fast, _ in results]  # type: ignore[attr-defined]  # diagnoses
    assert set(levels) == {"low", "medium", "high"}  # different results, each right (compared above)
    assert max(len(cache) for cache in _caches(kb)) == 3


def _caches(kb: diagnose.KnowledgeBase) -> list[dict[object, object]]:
    fast = derived(kb, FastIntake)
    run = fast.run
    return [
        value for name, value in run.__globals__.items() if name.startswith("C") and isinstance(value, dict)
    ]
