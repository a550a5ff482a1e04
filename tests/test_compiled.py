"""The compiled pipeline writes exactly the JSON of `assess`, and refuses exactly what `assess` refuses."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose._compiled import CompiledResult
from diagnose.checks import load_cases
from tests.property.strategies import answers
from tests.test_recommendation import CONTEXT_FIELDS, CONTEXT_RULES
from tests.test_robustness import JUNK, KEYS

if TYPE_CHECKING:
    from tests.conftest import MakeKb

KB = diagnose.load_knowledge_base()
SCORE_RULE = """
  - id: motivation_just_below
    title: {nl: Net onder, en: Just below}
    when: {factor: motivation, score: {gte: 2, lt: 2.5}}
    recommend: success_experiences
    priority: 4
    rationale: {nl: Op de grens., en: On the edge.}
"""


def compiled(kb: diagnose.KnowledgeBase, intake: object) -> CompiledResult | diagnose.AnswerError:
    [result] = kb.compiled().assess([intake])  # type: ignore[list-item]
    return result


def expected(kb: diagnose.KnowledgeBase, answers: object, context: object = None) -> str:
    try:
        return diagnose.assess(answers, knowledge_base=kb, context=context).model_dump_json()  # type: ignore[arg-type]
    except diagnose.AnswerError as exc:
        return f"AnswerError: {exc}"


def got(result: CompiledResult | diagnose.AnswerError) -> str:
    return f"AnswerError: {result}" if isinstance(result, diagnose.AnswerError) else result.json.decode()


@settings(max_examples=300, deadline=None)
@given(st.lists(answers(), min_size=1, max_size=6))
def test_compiled_json_is_the_json_of_assess(chunk: list[dict[str, int | str]]) -> None:
    """Invariant: for valid answers, every result of a chunk is byte for byte `assess(...).model_dump_json()`."""
    results = KB.compiled().assess(chunk)
    assert [got(r) for r in results] == [expected(KB, a) for a in chunk]
    for result in results:
        assert isinstance(result, CompiledResult)
        diagnosis = diagnose.Diagnosis.model_validate_json(result.json)
        assert result.levels == tuple(s.level for s in diagnosis.profile.scores.values())
        assert result.advice == tuple(r.intervention for r in diagnosis.recommendations)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JUNK, max_size=12))
def test_compiled_refuses_what_assess_refuses(payload: dict[object, object]) -> None:
    """Invariant: junk gives the same AnswerError (same text) as `assess`, or the same JSON."""
    assert got(compiled(KB, payload)) == expected(KB, payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"se_1": True},
        {"se_1": 2.0},
        {"se_1": 0},
        {"se_1": "3"},
        {"se_1": ["declined"]},
        {"se_1": float("nan")},
        {"nope": 1},
        {1: 1},
    ],
    ids=repr,
)
def test_values_that_hash_like_answers_are_refused(payload: dict[object, object]) -> None:
    """True == 1 and 2.0 == 2 as dict keys: the compiled check must still refuse them, as assess does."""
    result = compiled(KB, payload)
    assert isinstance(result, diagnose.AnswerError)
    assert got(result) == expected(KB, payload)


def test_a_chunk_keeps_rejected_intakes_in_place() -> None:
    chunk: list[dict[str, object]] = [{"mo_1": 1, "mo_2": 1}, {"se_1": 9}, {}, {"se_1": math.inf}]
    assert [got(r) for r in KB.compiled().assess(chunk)] == [expected(KB, a) for a in chunk]


def test_every_vignette_and_example_intake_gives_the_json_of_assess() -> None:
    cases = load_cases(Path(__file__).parent / "cases")
    # Built unchecked: some cases are rejected, and both paths must say so in the same words.
    intakes: list[diagnose.Intake] = [
        diagnose.Intake.model_construct(answers=case.answers, context=case.context)  # type: ignore[arg-type]
        for _, case in cases
    ]
    examples = sorted((Path(__file__).parents[1] / "examples").glob("intake-*.json"))
    intakes += [diagnose.Intake.model_validate_json(p.read_text(encoding="utf-8")) for p in examples]
    assert len(examples) == 7
    assert len(intakes) > 7
    results = KB.compiled().assess(intakes)
    assert [got(r) for r in results] == [expected(KB, i) for i in intakes]


@pytest.fixture
def context_kb(make_kb: MakeKb) -> diagnose.KnowledgeBase:
    root = make_kb(
        {
            "instrument.yaml": ("\nitems:\n", CONTEXT_FIELDS + "\nitems:\n"),
            "recommend/context.yaml": CONTEXT_RULES + SCORE_RULE,
        }
    )
    return diagnose.load_knowledge_base(root)


CONTEXT = st.fixed_dictionaries(
    {},
    optional={
        "in_treatment": st.booleans(),
        "hours_available": st.integers(-5, 60),
        "housing": st.sampled_from(["stable", "unstable", "none", "stabel"]),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_answers=answers(), context=CONTEXT)
def test_context_and_score_rules_give_the_json_of_assess(
    context_kb: diagnose.KnowledgeBase, given_answers: dict[str, int | str], context: dict[str, object]
) -> None:
    """Invariant: with context fields and a score condition, compiled JSON equals `assess`'s."""
    intake = diagnose.Intake.model_construct(answers=given_answers, context=context)  # type: ignore[arg-type]
    assert got(compiled(context_kb, intake)) == expected(context_kb, given_answers, context)


def test_the_generated_scorer_is_kept_for_reading() -> None:
    source = KB.compiled().source
    assert source.startswith("def score(a, fact):")
    assert source.count("_partial(") == len(KB.factors)


def test_eight_threads_get_the_sequential_json() -> None:
    """The compiled pipeline and its caches are shared by threads: results equal the sequential ones."""
    from concurrent.futures import ThreadPoolExecutor

    kb = diagnose.load_knowledge_base(KB.path)  # a fresh copy: its caches start empty
    chunks = [
        [
            {"mo_1": 1 + (i + j) % 5, "mo_2": 1 + j % 5, "se_1": 1 + i % 5, "he_1": j % 6 or "declined"}
            for j in range(40)
        ]
        for i in range(64)
    ]
    sequential = [[got(r) for r in KB.compiled().assess(chunk)] for chunk in chunks]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(lambda chunk: [got(r) for r in kb.compiled().assess(chunk)], chunks))
    assert threaded == sequential
    assert kb.engine().live_sessions == 0
