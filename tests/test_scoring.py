"""Scoring: reverse items, means, levels, missing answers, and AnswerError messages."""

from __future__ import annotations

import functools
import math

import pytest
from hypothesis import given, settings

import diagnose
from diagnose.assessment import scoring
from diagnose.assessment.scoring import intake_schema, score, validate_intake
from diagnose.batch._compiled import CompiledRules
from tests.conftest import default_kb
from tests.property.strategies import answers


def test_reverse_item_is_scored_min_plus_max_minus_raw(kb: diagnose.KnowledgeBase) -> None:
    profile = score(kb, {"se_1": 2, "se_2": 2, "se_3": 2, "se_4": 5})
    result = profile.scores["self_efficacy"]
    assert [(i.item, i.raw, i.scored) for i in result.items] == [
        ("se_1", 2, 2),
        ("se_2", 2, 2),
        ("se_3", 2, 2),
        ("se_4", 5, 1),
    ]
    assert result.score == pytest.approx(7 / 4)
    assert result.level == "low"


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ({"mo_1": 2, "mo_2": 2}, "low"),
        ({"mo_1": 3, "mo_2": 4}, "medium"),
        ({"mo_1": 4, "mo_2": 4}, "high"),
        ({"mo_1": 5, "mo_2": 5, "mo_3": 5}, "medium"),  # mo_3 is reversed: 5 counts as 1
    ],
)
def test_levels_follow_thresholds(kb: diagnose.KnowledgeBase, answers: dict[str, int], level: str) -> None:
    assert score(kb, answers).scores["motivation"].level == level


def test_threshold_boundaries_are_inclusive_from_below(kb: diagnose.KnowledgeBase) -> None:
    at_medium = score(kb, {"mo_1": 2, "mo_2": 3}).scores["motivation"]
    assert (at_medium.score, at_medium.level) == (2.5, "medium")
    just_high = score(kb, {"he_1": 4, "he_3": 4, "he_2": 3}).scores["health"]
    assert just_high.score == pytest.approx(11 / 3)
    assert just_high.level == "medium"


def test_too_few_answers_is_not_assessed_with_missing_items_and_reasons(
    kb: diagnose.KnowledgeBase,
) -> None:
    profile = score(kb, {"he_1": 4, "he_2": "declined", "he_3": "unknown"})
    health = profile.scores["health"]
    assert health.level == "not_assessed"
    assert health.score is None
    assert health.answered == ("he_1",)
    assert health.missing == ("he_2", "he_3", "he_4")
    assert health.missing_reasons == {"he_2": "declined", "he_3": "unknown", "he_4": "not_asked"}
    assert "health" in profile.not_assessed


def test_absent_items_count_as_not_asked(kb: diagnose.KnowledgeBase) -> None:
    answers, _ = validate_intake(kb, {"se_1": 3}, {})
    assert answers["se_1"] == 3
    assert answers["he_1"] == "not_asked"
    assert len(answers) == len(kb.items)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            {"se_1": 7},
            "item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got 7",
        ),
        ({"se_9": 3}, "item 'se_9': unknown item (did you mean 'se_4'?)"),
        ({"zz": 3}, "item 'zz': unknown item"),
        (
            {"se_1": "3"},
            "item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got '3'",
        ),
        (
            {"se_1": True},
            "item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got True",
        ),
        (
            {"se_1": 3.0},
            "item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got 3.0",
        ),
        (
            {"se_1": math.nan},
            "item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got nan",
        ),
        (
            {"se_1": "weet niet"},
            "item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; "
            "got 'weet niet'",
        ),
        ({3: 3}, "item '3': item ids are text"),
    ],
)
def test_bad_answers_raise_answer_error_naming_the_item(answers: dict[object, object], message: str) -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(answers)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_all_bad_answers_are_reported_at_once() -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess({"se_1": 0, "mo_1": 2, "xx_1": 1}, context={"age": 40})
    assert str(info.value) == (
        "3 problems in the intake:\n"
        "  item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got 0\n"
        "  item 'xx_1': unknown item\n"
        "  context 'age': unknown context field"
    )
    assert info.value.item == "se_1"
    assert [p.where for p in info.value.problems] == ["item", "item", "context"]


def test_intake_schema_lists_every_item_with_its_scale(kb: diagnose.KnowledgeBase) -> None:
    schema = intake_schema(kb)
    answers = schema["properties"]["answers"]["properties"]  # type: ignore[index]
    assert set(answers) == {item.id for item in kb.items}
    assert answers["se_4"]["oneOf"][1] == {"enum": ["not_asked", "declined", "unknown"]}


def test_past_twenty_problems_the_rest_are_counted_not_described(kb: diagnose.KnowledgeBase) -> None:
    """A junk intake is refused in time linear in its size: 20 problems described, the rest counted."""
    junk = {f"zz_{n}": 1 for n in range(25)} | {"se_1": 9}
    with pytest.raises(diagnose.AnswerError) as info:
        validate_intake(kb, junk, {f"cc_{n}": 1 for n in range(3)})
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 21
    assert problems[:2] == ["item 'zz_0': unknown item", "item 'zz_1': unknown item"]
    assert problems[-1] == "intake 'answers': and 9 more problems, not listed one by one"


def test_an_id_longer_than_any_id_gets_no_suggestion_and_is_cut(kb: diagnose.KnowledgeBase) -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        validate_intake(kb, {"se_1" * 1000: 1}, {"x" * 65: 1})
    assert [str(p) for p in info.value.problems] == [
        "item 'se_1se_1se_1se_1se_1se_1se_1se_1se_1se_1...': unknown item (ids have at most 64 characters)",
        "context 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': unknown context field (ids have at most 64 characters)",
    ]


@functools.cache
def dividing(kind: type[scoring.Scorer | CompiledRules]) -> scoring.Scorer | CompiledRules:
    """A scorer (or compiled batch pipeline) of the default knowledge base that divides every sum out."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scoring, "_SUM_ENTRIES", 0)
        return kind(default_kb())


@settings(max_examples=300, deadline=None)
@given(answers())
def test_the_generated_scorer_gives_what_partial_computes(given_answers: dict[str, int | str]) -> None:
    """Invariant: each factor's level, score and completeness are `_partial`'s over its answers.

    Both ways the generated lines may take: scores looked up by sum, and sums divided out.
    """
    kb = default_kb()
    looked_up, divided = scoring.scorer(kb), dividing(scoring.Scorer)
    assert isinstance(divided, scoring.Scorer)
    full = {item.id: given_answers.get(item.id, "not_asked") for item in kb.items}
    for (level, value, scored, complete), again, factor in zip(
        looked_up(full), divided(full), kb.factors.values(), strict=True
    ):
        items = kb.items_by_factor[factor.id]
        assert scored == tuple(looked_up.tables[item.id][full[item.id]] for item in items)
        assert (level, value, complete) == scoring._partial(factor, scored)
        assert again == (level, value, scored, complete)
    assert "V0[" in looked_up.source
    assert "V0[" not in divided.source


def test_a_batch_that_divides_its_sums_writes_the_json_of_assess() -> None:
    kb = default_kb()
    compiled = dividing(CompiledRules)
    assert isinstance(compiled, CompiledRules)
    intakes: list[dict[str, object]] = [
        {item.id: 1 + n % 5 for n, item in enumerate(kb.items)},
        {item.id: "declined" if n % 3 == 0 else 5 - n % 5 for n, item in enumerate(kb.items)},
        {},
    ]
    for intake, result in zip(intakes, compiled.assess(intakes), strict=True):
        assert not isinstance(result, diagnose.AnswerError)
        assert result.json.decode() == diagnose.assess(intake, knowledge_base=kb).model_dump_json()
