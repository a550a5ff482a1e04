"""The compiled pipeline writes exactly the JSON of `assess`, and refuses exactly what `assess` refuses."""

from __future__ import annotations

import math
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.authoring.checks import load_cases
from diagnose.batch._compiled import CompiledResult, compiled_rules
from diagnose.engine._cache import rule_engine
from tests.conftest import default_kb
from tests.property.strategies import answers
from tests.test_recommendation import CONTEXT_FIELDS, CONTEXT_RULES
from tests.test_robustness import JUNK, KEYS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.conftest import MakeKb

SCORE_RULE = """
  - id: motivation_just_below
    title: {nl: Net onder, en: Just below}
    when: {factor: motivation, score: {gte: 2, lt: 2.5}}
    recommend: success_experiences
    priority: 4
    rationale: {nl: Op de grens., en: On the edge.}
"""


def compiled(kb: diagnose.KnowledgeBase, intake: object) -> CompiledResult | diagnose.AnswerError:
    [result] = compiled_rules(kb).assess([intake])  # type: ignore[list-item]
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
    results = compiled_rules(default_kb()).assess(chunk)
    assert [got(r) for r in results] == [expected(default_kb(), a) for a in chunk]
    for result in results:
        assert isinstance(result, CompiledResult)
        diagnosis = diagnose.Diagnosis.model_validate_json(result.json)
        assert result.levels == tuple(s.level for s in diagnosis.profile.scores.values())
        assert result.advice == tuple(r.intervention for r in diagnosis.recommendations)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JUNK, max_size=12))
def test_compiled_refuses_what_assess_refuses(payload: dict[object, object]) -> None:
    """Invariant: junk gives the same AnswerError (same text) as `assess`, or the same JSON."""
    assert got(compiled(default_kb(), payload)) == expected(default_kb(), payload)


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
    result = compiled(default_kb(), payload)
    assert isinstance(result, diagnose.AnswerError)
    assert got(result) == expected(default_kb(), payload)


def test_a_chunk_keeps_rejected_intakes_in_place() -> None:
    chunk: list[dict[str, object]] = [{"mo_1": 1, "mo_2": 1}, {"se_1": 9}, {}, {"se_1": math.inf}]
    assert [got(r) for r in compiled_rules(default_kb()).assess(chunk)] == [
        expected(default_kb(), a) for a in chunk
    ]


def test_answer_warnings_give_the_json_of_assess() -> None:
    kb = default_kb()
    uniform: dict[str, object] = {i.id: 3 for i in kb.items}
    chunk: list[dict[str, object]] = [
        uniform,
        {**uniform, kb.items[0].id: 4},
        {i.id: 2 for i in kb.items[:10]},
        {i.id: 2 for i in kb.items[:9]},
        {**{i.id: 1 for i in kb.items[:12]}, kb.items[12].id: "declined"},
    ]
    results = compiled_rules(kb).assess(chunk)
    assert [got(r) for r in results] == [expected(kb, a) for a in chunk]
    codes = [[w.code for w in diagnose.Diagnosis.model_validate_json(got(r)).warnings] for r in results]
    assert codes == [
        ["uniform_answers"],
        [],
        ["uniform_answers", "few_answers"],
        ["few_answers"],
        ["uniform_answers", "few_answers"],
    ]


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
    results = compiled_rules(default_kb()).assess(intakes)
    assert [got(r) for r in results] == [expected(default_kb(), i) for i in intakes]


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


def summarised(
    kb: diagnose.KnowledgeBase, pairs: list[tuple[object, object]]
) -> list[tuple[str, ...] | tuple[tuple[str, ...], tuple[str, ...]]]:
    """A chunk's summary results as (levels, advice), or (the AnswerError's text,)."""
    out: list[tuple[str, ...] | tuple[tuple[str, ...], tuple[str, ...]]] = []
    for r in compiled_rules(kb).assess_pairs(pairs, summary=True):  # type: ignore[arg-type]
        if isinstance(r, diagnose.AnswerError):
            out.append((f"AnswerError: {r}",))
        else:
            assert r.json == b""
            out.append((r.levels, r.advice))
    return out


def full(
    kb: diagnose.KnowledgeBase, pairs: list[tuple[object, object]]
) -> list[tuple[str, ...] | tuple[tuple[str, ...], tuple[str, ...]]]:
    """The same chunk through the whole pipeline, kept as `summarised` keeps it."""
    return [
        (f"AnswerError: {r}",) if isinstance(r, diagnose.AnswerError) else (r.levels, r.advice)
        for r in compiled_rules(kb).assess_pairs(pairs)  # type: ignore[arg-type]
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(answers(), st.dictionaries(KEYS, JUNK, max_size=6)), min_size=1, max_size=6))
def test_a_summary_has_the_levels_and_advice_of_the_whole_result(chunk: list[dict[object, object]]) -> None:
    """Invariant: a summary chunk gives each intake the levels, advice or AnswerError of the whole path."""
    pairs: list[tuple[object, object]] = [(a, {}) for a in chunk]
    assert summarised(default_kb(), pairs) == full(default_kb(), pairs)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_answers=answers(), context=CONTEXT)
def test_a_summary_with_context_has_the_levels_and_advice_of_the_whole_result(
    context_kb: diagnose.KnowledgeBase, given_answers: dict[str, int | str], context: dict[str, object]
) -> None:
    """Invariant: with context fields and a score condition, a summary agrees with the whole path."""
    pairs: list[tuple[object, object]] = [(given_answers, context)]
    assert summarised(context_kb, pairs) == full(context_kb, pairs)


def test_the_generated_scorer_is_kept_for_reading() -> None:
    """One scorer: the batch path's writer runs the very lines the scorer of `assess` runs."""
    compiled = compiled_rules(default_kb())
    assert compiled.source.startswith("def score(a):")
    # Every factor scored inline, a missing answer included (none has more than 64 items).
    assert compiled.source.count(" = 'not_assessed'") == len(default_kb().factors)
    assert compiled.writer_source.startswith("def write(a, fact):")
    body = compiled.source.splitlines()[1:-1]
    assert compiled.writer_source.splitlines()[1 : 1 + len(body)] == body
    assert compiled.levels_source.startswith("def levels(a, fact):")
    assert compiled.levels_source.splitlines()[1 : 1 + len(body)] == body


def test_eight_threads_get_the_sequential_json() -> None:
    """The compiled pipeline and its caches are shared by threads: results equal the sequential ones."""
    from concurrent.futures import ThreadPoolExecutor

    kb = diagnose.load_knowledge_base(default_kb().path)  # a fresh copy: its caches start empty
    chunks = [
        [
            {"mo_1": 1 + (i + j) % 5, "mo_2": 1 + j % 5, "se_1": 1 + i % 5, "he_1": j % 6 or "declined"}
            for j in range(40)
        ]
        for i in range(64)
    ]
    sequential = [[got(r) for r in compiled_rules(default_kb()).assess(chunk)] for chunk in chunks]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(lambda chunk: [got(r) for r in compiled_rules(kb).assess(chunk)], chunks))
    assert threaded == sequential
    assert rule_engine(kb).live_sessions == 0


def _deep(depth: int) -> object:
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


SCALE = "expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'"
HOSTILE: list[tuple[object, str]] = [
    ({"se_1": _deep(1000)}, f"item 'se_1': {SCALE}; got a list nested too deep to show"),
    ({"se_1": 10**5000}, f"item 'se_1': {SCALE}; got a number of more than 4300 digits"),
    (
        [1, 2],
        "intake 'answers': expected a mapping of item id to answer (such as {'se_1': 3}) or an Intake; got [1, 2]",
    ),
    (
        "se_1",
        "intake 'answers': expected a mapping of item id to answer (such as {'se_1': 3}) or an Intake; got 'se_1'; parse JSON or YAML text first",
    ),
    (
        None,
        "intake 'answers': expected a mapping of item id to answer (such as {'se_1': 3}) or an Intake; got None",
    ),
]


@pytest.mark.parametrize(("intake", "message"), HOSTILE, ids=["deep", "huge", "list", "text", "none"])
@pytest.mark.parametrize("function", [diagnose.assess_many_json, diagnose.assess_many])
def test_hostile_intakes_are_answer_errors(
    function: Callable[..., Iterator[object]], intake: object, message: str
) -> None:
    """Deep nesting, huge numbers, rows that are no mapping: a located AnswerError, never a crash."""
    rows = [{"mo_1": 1, "mo_2": 1}, intake, {"mo_1": 2, "mo_2": 2}]
    results = list(function(rows, errors="return"))
    assert [type(r).__name__ for r in results][::2] == [
        "str" if function is diagnose.assess_many_json else "Diagnosis"
    ] * 2
    assert isinstance(results[1], diagnose.AnswerError)
    assert str(results[1]) == message


def test_a_context_that_is_no_mapping_is_an_answer_error() -> None:
    intake = diagnose.Intake.model_construct(answers={"se_1": 1}, context=[1])  # type: ignore[arg-type]
    assert (
        str(compiled(default_kb(), intake))
        == "intake 'context': expected a mapping of context field to value, or None; got [1]"
    )


class _Text(str):
    """A str subclass, as numpy.str_ is."""

    __slots__ = ()


def test_str_subclasses_are_the_text_they_hold() -> None:
    """numpy.str_("declined") and the like: scored as that text by every path, never an AssertionError."""
    import numpy as np

    for payload in ({"se_1": np.str_("declined"), "se_2": 2}, {_Text("se_1"): _Text("unknown"), "se_2": 2}):
        plain = {str.__str__(k): str.__str__(v) if isinstance(v, str) else v for k, v in payload.items()}
        assert got(compiled(default_kb(), payload)) == expected(default_kb(), plain)
        assert list(diagnose.assess_many_json([payload])) == [diagnose.assess(plain).model_dump_json()]


def test_a_context_integer_beyond_64_bits_is_refused(context_kb: diagnose.KnowledgeBase) -> None:
    intake = diagnose.Intake.model_construct(answers={"mo_1": 1}, context={"hours_available": 2**63})
    result = compiled(context_kb, intake)
    assert got(result) == expected(context_kb, {"mo_1": 1}, {"hours_available": 2**63})
    assert str(result) == (
        "context 'hours_available': expected a whole number from -2**63 to 2**63 - 1, got 9223372036854775808"
    )


def test_a_factor_with_3000_items_compiles(make_kb: MakeKb) -> None:
    """A factor too big for written-out sums is scored by one call: same JSON as `assess`."""
    extra = "".join(
        f"  - id: big_{n}\n    factor: health\n    scale: agree5\n    text: {{nl: Vraag {n}., en: Q {n}.}}\n"
        for n in range(3000)
    )
    kb = diagnose.load_knowledge_base(make_kb({"instrument.yaml": ("\nitems:\n", "\nitems:\n" + extra)}))
    full = {f"big_{n}": 1 + n % 5 for n in range(3000)} | {"he_1": 2, "he_2": 2, "he_3": 2}
    for payload in ({"big_7": 2, "he_1": 1}, full):
        assert got(compiled(kb, payload)) == expected(kb, payload)


def test_a_traceback_through_the_generated_scorer_shows_its_source() -> None:
    """The generated code is registered with linecache: a traceback names the line that failed."""
    kb = default_kb()
    scorer = compiled_rules(kb)._score
    first = kb.items_by_factor[next(iter(kb.factors))][0].id
    with pytest.raises(KeyError) as caught:
        scorer({first: 99})  # an answer `_prepare` would refuse: no table entry
    generated = [
        f for f in traceback.extract_tb(caught.value.__traceback__) if f.filename.startswith("<scoring")
    ]
    assert [f.line for f in generated] == [f"t0_0 = T0_0[g({first!r}, 'not_asked')]"]
    shown = "".join(traceback.format_tb(caught.value.__traceback__))
    assert f", line 3, in score\n    t0_0 = T0_0[g({first!r}, 'not_asked')]\n" in shown
