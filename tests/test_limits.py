"""Engine limits: what durable-rules cannot take is refused when a knowledge base loads."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.engine._durable import compile_ruleset
from diagnose.engine._limits import MAX_STACK, branch_count, dumps, limit_problems, network, stack_bound

if TYPE_CHECKING:
    from tests.conftest import MakeKb


def _rules(*conditions: object) -> dict[str, object]:
    """A compiled ruleset of one rule per condition (as compile_ruleset writes them)."""
    return {f"r{n}": {"all": [{"m": {"$and": [{"kind": "intake"}, c]}}]} for n, c in enumerate(conditions)}


def _bounds(n: int) -> dict[str, object]:
    return {"$or": [{"$gte": {"s__motivation": k / 1000}} for k in range(n)]}


@pytest.mark.parametrize(
    ("definition", "stack"),
    [
        (_rules(_bounds(64)), 64),  # durable: passes
        (_rules(_bounds(65)), 65),  # durable: code 303
        (_rules(*({"$gte": {f"s__f{k % 12}": k / 1000}} for k in range(65))), 65),
        (_rules(*({"s__f": 1.0} for _ in range(300))), 1),  # one shared test
        (_rules({"$or": [{"l__a": "low"}, {"l__a": "medium"}, {"l__a": "high"}]}), 1),  # exclusive
        (_rules(*({"l__a": "low"} for _ in range(3)), {"l__b": "low"}), 2),
    ],
)
def test_the_stack_bound_matches_what_durable_did(definition: dict[str, object], stack: int) -> None:
    """The first three are bench/engine_limits.py's `alternatives` and `rules` cases at and past the edge."""
    assert stack_bound(network(definition)) == stack


def test_the_packaged_rules_stay_well_within_every_limit(kb: diagnose.KnowledgeBase) -> None:
    definition = compile_ruleset(kb)
    assert limit_problems(definition) == []
    assert stack_bound(network(definition)) <= MAX_STACK // 2
    # "No factor is low" is written as score bounds: one branch for 18 factors (levels would give 2^18).
    assert branch_count(definition["no_barrier_job_matching"]["all"][0]["m"]) == 1


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            _rules(_bounds(49)),
            [
                (
                    "",
                    "too many rule tests one fact can pass at once for the rule engine: 49, at most 48 "
                    "(durable's stack holds 64 (error 303 beyond))",
                )
            ],
        ),
        (
            _rules({"$and": [{f"l__f{k}": "low"} for k in range(201)]}),
            [
                (
                    "",
                    "too many fields read by rules for the rule engine: 201, at most 200 (a fact of 252 fields crashed durable)",
                )
            ],
        ),
        (
            _rules({"$and": [{"$or": [{f"l__f{k}": "low"}, {f"l__f{k}": "high"}]} for k in range(13)]}),
            [
                (
                    "r0",
                    "too many alternatives after compilation for the rule engine: 8,192, at most 4,096 "
                    "(8,192 built, 16,384 failed (error 113))",
                )
            ],
        ),
        (
            _rules(*({"l__f": "low"} for _ in range(201))),
            [
                (
                    "",
                    "too many rules with the same condition for the rule engine: 201, at most 200 (durable refused 257 (error 108))",
                )
            ],
        ),
        (
            _rules({"c__n": 2**53 + 1}),
            [("r0", "the number 9007199254740993 cannot be compared exactly (beyond 2**53)")],
        ),
        (
            _rules(*({"l__f": f"v{k}"} for k in range(251))),
            [
                (
                    "",
                    "too many distinct tests side by side for the rule engine: 251, at most 250 (durable builds for ever beyond about 320)",
                )
            ],
        ),
    ],
)
def test_each_limit_is_named_with_its_figure(
    definition: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert limit_problems(definition) == expected


def test_too_many_tests_true_at_once_is_refused_at_the_rule(make_kb: MakeKb) -> None:
    """A rule whose `any` has 49 score bounds on one factor: with the other rules, 52 tests can hold at once."""
    bounds = "\n".join(f"          - {{factor: motivation, score: {{gte: {k / 100}}}}}" for k in range(49))
    old = "    when: {factor: health, level: low}\n"
    root = make_kb({"recommend/health.yaml": (old, f"    when:\n      any:\n{bounds}\n")})
    with pytest.raises(diagnose.KnowledgeBaseError) as caught:
        diagnose.load_knowledge_base(root)
    assert str(caught.value) == (
        "recommend/: too many rule tests one fact can pass at once for the rule engine: 52, at most 48 "
        "(durable's stack holds 64 (error 303 beyond))"
    )


def test_a_rule_beyond_the_alternatives_limit_is_located(make_kb: MakeKb) -> None:
    """`any` of 4,097 score bounds: one rule with more alternatives than the engine can build."""
    bounds = "\n".join(
        f"          - {{factor: motivation, score: {{gte: {k / 1000}, lt: {k / 1000 + 0.5}}}}}"
        for k in range(4097)
    )
    old = "    when: {factor: health, level: low}\n"
    root = make_kb({"recommend/health.yaml": (old, f"    when:\n      any:\n{bounds}\n")})
    with pytest.raises(diagnose.KnowledgeBaseError) as caught:
        diagnose.load_knowledge_base(root)
    assert str(caught.value) == (
        "recommend/health.yaml:5:9: rules[0]: too many alternatives after compilation for the rule engine: "
        "4,097, at most 4,096 (8,192 built, 16,384 failed (error 113))"
    )


def test_two_thousand_rules_are_refused_at_load_not_in_the_engine(make_kb: MakeKb) -> None:
    """The issue's case: 2,000 rules made durable fail every fact and abort the process on cleanup."""
    rule = (
        "  - id: many_{n}\n"
        "    title: {{nl: Regel {n}, en: Rule {n}}}\n"
        "    when: {{factor: motivation, score: {{gte: {bound}}}}}\n"
        "    recommend: motivational_interviewing\n"
        "    priority: 3\n"
        "    rationale: {{nl: Een regel om te tellen., en: A rule to count.}}\n"
        "    examples:\n"
        "      - scores: {{motivation: 5}}\n"
        "        fires: true\n"
    )
    body = "".join(rule.format(n=n, bound=1 + n / 1000) for n in range(2_000))
    text = f"description: {{nl: Veel regels., en: Many rules.}}\nrules:\n{body}"
    root = make_kb({"recommend/many.yaml": text})
    with pytest.raises(diagnose.KnowledgeBaseError) as caught:
        diagnose.load_knowledge_base(root)
    assert str(caught.value).splitlines() == [
        "recommend/: too many rules for the rule engine: 2,009, at most 1,000 (durable refused 2,450 (error 107))",
        "recommend/: too many rule tests one fact can pass at once for the rule engine: 2,003, at most 48 "
        "(durable's stack holds 64 (error 303 beyond))",
        "recommend/: too many distinct tests side by side for the rule engine: 2,005, at most 250 "
        "(durable builds for ever beyond about 320)",
    ]


#: Values and the text `dumps` writes for them, both ways (the quick way writes 1e-05 as
#: 0.00001, which durable reads as meant; it falls back to the careful way as needed).
DUMPS_CASES = [
    (
        {"l__health": "low", "s__health": 2.6666666666666665},
        '{"l__health":"low","s__health":2.6666666666666665}',
    ),
    ({"s__a": 1e16}, '{"s__a":1.0e+16}'),
    ({"s__a": 1.5e-300}, '{"s__a":1.5e-300}'),
    ({"c__city": "Zoë"}, '{"c__city":"Zo\\u00eb"}'),
    ({"c__note": "x1e+5 NaN Infinity"}, '{"c__note":"x1e+5 NaN Infinity"}'),
    ([{"c__kids": True, "c__n": 3, "c__x": None}], '[{"c__kids":true,"c__n":3,"c__x":null}]'),
]


@pytest.mark.parametrize(("value", "text"), DUMPS_CASES, ids=repr)
@pytest.mark.parametrize("plain", [False, True])
def test_dumps_writes_what_durable_reads(value: object, text: str, *, plain: bool) -> None:
    assert dumps(value, plain=plain) == text


@pytest.mark.parametrize(("plain", "text"), [(False, '{"s__a":1.0e-05}'), (True, '{"s__a":0.00001}')])
def test_a_small_number_is_written_without_a_bare_exponent(*, plain: bool, text: str) -> None:
    assert dumps({"s__a": 1e-05}, plain=plain) == text


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan], ids=repr)
@pytest.mark.parametrize("plain", [False, True])
def test_dumps_refuses_numbers_that_are_not_finite(number: float, *, plain: bool) -> None:
    with pytest.raises(
        diagnose.EngineError,
        match=rf"^durable-rules cannot be given a number that is not finite: {number!r}$",
    ):
        dumps({"s__a": number}, plain=plain)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(value=st.dictionaries(st.text(max_size=6), _JSON, max_size=6))
def test_quick_dumps_means_what_careful_dumps_means(value: dict[str, object]) -> None:
    """Invariant: the quick way writes ASCII JSON of the careful way's value, no bare exponent.

    For plain JSON data, and no number in it has an exponent without a fraction (durable
    misreads those).
    """
    quick = dumps(value, plain=True)
    floats: list[str] = []

    def number(text: str) -> float:
        floats.append(text)
        return float(text)

    assert quick.isascii()
    assert json.loads(quick, parse_float=number) == json.loads(dumps(value))
    assert all("." in s.partition("e")[0].partition("E")[0] for s in floats if "e" in s or "E" in s)
