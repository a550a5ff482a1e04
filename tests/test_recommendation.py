"""Recommendations: grouping, ranking, rationale, trace, JSON round trip, context rules."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.assessment.recommendation import recommend
from diagnose.engine._cache import rule_engine
from diagnose.knowledge.conditions import Facts, truth

if TYPE_CHECKING:
    from tests.conftest import MakeKb

LOW_SE_LOW_MO = {"se_1": 1, "se_2": 1, "se_3": 2, "mo_1": 1, "mo_2": 2, "mo_3": 5}


def test_low_self_efficacy_and_low_motivation(fixture_kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess(LOW_SE_LOW_MO, knowledge_base=fixture_kb)
    assert [(r.intervention, r.priority, r.rules) for r in d.recommendations] == [
        ("motivational_interviewing", 1, ("low_self_efficacy_low_motivation_mi", "low_motivation")),
        ("success_experiences", 2, ("low_self_efficacy_low_motivation_small_steps",)),
    ]
    mi = d.recommendations[0]
    assert mi.rationale.en.startswith("Both confidence and the wish to work are low.")
    assert mi.rationale.en.endswith("Explore that doubt together, without pressure.")
    assert mi.evidence_level == "not_rated"
    assert mi.targets == ("motivation",)
    assert mi.sources == fixture_kb.interventions["motivational_interviewing"].sources


def test_not_assessed_factor_never_triggers_and_is_reported_as_undecided(
    fixture_kb: diagnose.KnowledgeBase,
) -> None:
    d = diagnose.assess({"se_1": 5, "se_2": 5, "se_3": 4, "mo_1": 5, "mo_2": 5}, knowledge_base=fixture_kb)
    assert d.recommendations == ()  # no job matching: health unknown, so "no barrier" is not shown
    undecided = {u.rule: u.not_assessed for u in d.trace.undecided_rules}
    assert undecided == {
        "low_health": ("health",),
        "low_health_wants_work": ("health",),
        "no_barrier_job_matching": ("health",),
    }


def test_any_branch_that_holds_fires_despite_an_unknown_factor(fixture_kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess({"he_1": 1, "he_2": 5, "he_3": 1}, knowledge_base=fixture_kb)
    assert [r.intervention for r in d.recommendations] == ["health_assessment"]


def test_no_barrier_leads_to_job_matching(fixture_kb: diagnose.KnowledgeBase) -> None:
    answers = {"se_1": 4, "se_2": 4, "se_3": 4, "mo_1": 5, "mo_2": 4, "he_1": 5, "he_3": 4}
    d = diagnose.assess(answers, knowledge_base=fixture_kb)
    assert [r.intervention for r in d.recommendations] == ["job_matching"]
    assert d.trace.undecided_rules == ()


def test_ranking_is_priority_then_evidence_then_id(fixture_kb: diagnose.KnowledgeBase) -> None:
    recs = recommend(
        fixture_kb,
        (
            "low_health",
            "low_self_efficacy_motivated",
            "low_health_wants_work",
            "medium_self_efficacy_peers",
        ),
    )
    assert [(r.priority, r.intervention) for r in recs] == [
        (1, "health_assessment"),
        (1, "success_experiences"),
        (2, "individual_placement_support"),
        (3, "role_model_peer_group"),
    ]


def test_diagnosis_carries_trace_and_knowledge_base_identity(fixture_kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess(LOW_SE_LOW_MO, knowledge_base=fixture_kb)
    assert d.knowledge_base_id == fixture_kb.id
    assert d.knowledge_base_version == fixture_kb.version
    assert d.knowledge_base_hash == fixture_kb.content_hash
    assert d.trace.answers["se_1"] == 1
    assert d.trace.answers["he_1"] == "not_asked"
    assert [f.rule for f in d.trace.fired_rules] == [
        "low_self_efficacy_low_motivation_mi",
        "low_motivation",
        "low_self_efficacy_low_motivation_small_steps",
    ]


def test_diagnosis_round_trips_through_json(kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess({**LOW_SE_LOW_MO, "he_1": "declined"}, knowledge_base=kb)
    again = diagnose.Diagnosis.model_validate_json(d.model_dump_json())
    assert again == d
    assert again.model_dump_json() == d.model_dump_json()


def test_intake_object_is_accepted(kb: diagnose.KnowledgeBase) -> None:
    intake = diagnose.Intake.model_validate({"answers": LOW_SE_LOW_MO})
    assert diagnose.assess(intake, knowledge_base=kb) == diagnose.assess(LOW_SE_LOW_MO, knowledge_base=kb)


CONTEXT_FIELDS = """
context:
  - id: in_treatment
    description: {nl: In behandeling, en: In treatment}
    type: boolean
  - id: hours_available
    description: {nl: Beschikbare uren per week, en: Hours available per week}
    type: integer
  - id: housing
    description: {nl: Woonsituatie, en: Housing}
    type: enum
    values: [stable, unstable, none]
"""
CONTEXT_RULES = """
rules:
  - id: treated_health
    title: {nl: Behandeling, en: Treatment}
    when:
      all:
        - {factor: health, level: low}
        - {context: in_treatment, is: true}
    recommend: individual_placement_support
    priority: 1
    rationale: {nl: Samen met de behandelaar., en: Together with treatment.}
    examples:
      - {levels: {health: low}, context: {in_treatment: true}, fires: true}
      - {levels: {health: low}, fires: false}
  - id: few_hours
    title: {nl: Weinig uren, en: Few hours}
    when: {context: hours_available, lt: 12}
    recommend: success_experiences
    priority: 2
    rationale: {nl: Klein beginnen., en: Start small.}
  - id: unstable_housing
    title: {nl: Wonen, en: Housing}
    when: {not: {context: housing, in: [stable]}}
    recommend: health_assessment
    priority: 3
    rationale: {nl: Eerst rust., en: Stability first.}
"""


@pytest.fixture
def context_kb(make_kb: MakeKb) -> diagnose.KnowledgeBase:
    root = make_kb(
        {
            "instrument.yaml": ("\nitems:\n", CONTEXT_FIELDS + "\nitems:\n"),
            "recommend/context.yaml": CONTEXT_RULES,
        }
    )
    return diagnose.load_knowledge_base(root)


def test_context_rules_fire_on_given_context_only(context_kb: diagnose.KnowledgeBase) -> None:
    answers = {"he_1": 1, "he_2": 5, "he_3": 1}
    without = diagnose.assess(answers, knowledge_base=context_kb)
    assert "treated_health" not in [f.rule for f in without.trace.fired_rules]
    assert {u.rule: u.context_missing for u in without.trace.undecided_rules}["treated_health"] == (
        "in_treatment",
    )
    with_context = diagnose.assess(
        answers,
        knowledge_base=context_kb,
        context={"in_treatment": True, "hours_available": 8, "housing": "none"},
    )
    assert [f.rule for f in with_context.trace.fired_rules] == [
        "low_health",
        "treated_health",
        "few_hours",
        "unstable_housing",
    ]


def test_context_values_are_checked(context_kb: diagnose.KnowledgeBase) -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(
            {},
            knowledge_base=context_kb,
            context={"in_treatment": "yes", "housing": "stabel", "hours_available": 1.5},
        )
    assert str(info.value) == (
        "3 problems in the intake:\n"
        "  context 'in_treatment': expected true or false, got 'yes'\n"
        "  context 'housing': expected one of 'stable', 'unstable', 'none', got 'stabel' (did you mean 'stable'?)\n"
        "  context 'hours_available': expected a whole number, got 1.5"
    )


CONTEXT_FACT = st.builds(
    Facts,
    levels=st.fixed_dictionaries({}, optional={"health": st.sampled_from(["low", "medium", "high"])}),
    context=st.fixed_dictionaries(
        {},
        optional={
            "in_treatment": st.booleans(),
            "hours_available": st.integers(0, 40),
            "housing": st.sampled_from(["stable", "unstable", "none"]),
        },
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fact=CONTEXT_FACT)
def test_engine_agrees_with_truth_on_context_rules(context_kb: diagnose.KnowledgeBase, fact: Facts) -> None:
    """Invariant: context conditions (is, in, bounds, not) fire exactly when definitely true."""
    fired = set(rule_engine(context_kb).fired(fact))
    assert fired == {r.id for r in context_kb.rules if truth(r.when, fact) is True}


def test_equal_input_gives_equal_bytes_whatever_the_context_order(context_kb: diagnose.KnowledgeBase) -> None:
    answers = {"he_1": 1, "he_2": 5, "he_3": 1}
    given = {"in_treatment": True, "hours_available": 8, "housing": "none"}
    backwards = dict(reversed(given.items()))
    one = diagnose.assess(answers, knowledge_base=context_kb, context=given)
    two = diagnose.assess(answers, knowledge_base=context_kb, context=backwards)
    assert list(two.trace.context) == ["in_treatment", "hours_available", "housing"]  # the declared order
    assert one.model_dump_json() == two.model_dump_json()
    intake = diagnose.Intake.model_validate({"answers": answers, "context": backwards})
    batch = diagnose.assess_many_json([intake], knowledge_base=context_kb)
    assert list(batch) == [one.model_dump_json()]


# Phases: (cycle settings of the knowledge base, answers, (intervention, phase) in order).
LOW_ALL = {**LOW_SE_LOW_MO, "he_1": 1, "he_2": 1, "he_3": 1}
PHASE_CASES = [
    pytest.param(
        None,
        LOW_ALL,
        [("health_assessment", "now"), ("motivational_interviewing", "now"), ("success_experiences", "now")],
        id="no-phases-declared-three-now",
    ),
    pytest.param(
        "phases:\n  stabilise_first: [success_experiences, health_assessment]\n  max_now: 2\n",
        LOW_ALL,
        [
            ("success_experiences", "now"),
            ("health_assessment", "now"),
            ("motivational_interviewing", "later"),
        ],
        id="stabilising-first-in-declared-order",
    ),
    pytest.param(
        "phases:\n  max_now: 1\n",
        LOW_ALL,
        [
            ("health_assessment", "now"),
            ("motivational_interviewing", "later"),
            ("success_experiences", "later"),
        ],
        id="at-most-max-now",
    ),
    pytest.param(
        "phases:\n  stabilise_first: [health_assessment]\n  max_now: 1\n",
        LOW_SE_LOW_MO,
        [("motivational_interviewing", "now"), ("success_experiences", "later")],
        id="stabiliser-not-advised-changes-nothing",
    ),
]


@pytest.mark.parametrize(("settings_yaml", "answers", "expected"), PHASE_CASES)
def test_phases_follow_the_knowledge_base(
    make_kb: MakeKb, settings_yaml: str | None, answers: dict[str, int], expected: list[tuple[str, str]]
) -> None:
    root = make_kb({} if settings_yaml is None else {"cycle/settings.yaml": settings_yaml})
    kb = diagnose.load_knowledge_base(root)
    d = diagnose.assess(answers, knowledge_base=kb)
    assert [(r.intervention, r.phase) for r in d.recommendations] == expected
    for r in d.recommendations:
        assert r.phase_reason == (None if r.phase == "now" else kb.cycle.phases.later_reason)


def test_phases_keep_priority_and_drop_nothing(make_kb: MakeKb, fixture_kb: diagnose.KnowledgeBase) -> None:
    root = make_kb(
        {"cycle/settings.yaml": "phases:\n  stabilise_first: [success_experiences]\n  max_now: 1\n"}
    )
    phased = diagnose.assess(LOW_ALL, knowledge_base=diagnose.load_knowledge_base(root))
    plain = diagnose.assess(LOW_ALL, knowledge_base=fixture_kb)
    assert sorted((r.intervention, r.priority, r.rules) for r in phased.recommendations) == sorted(
        (r.intervention, r.priority, r.rules) for r in plain.recommendations
    )


def test_evidence_and_recognition_come_from_the_intervention(make_kb: MakeKb) -> None:
    evidence = (
        "  - id: job_matching\n",
        "  - id: job_matching\n"
        "    recognition:\n"
        "      level: listed_not_rated\n"
        "      databank: Movisie\n"
        "      url: https://www.movisie.nl/\n"
        '      checked: "2026-12-01"\n'
        "    evidence:\n"
        "      grade: low\n"
        "      summary: {nl: Weinig onderzoek., en: Little research.}\n"
        "      reviews: [A review (2020).]\n",
    )
    kb = diagnose.load_knowledge_base(make_kb({"interventions.yaml": evidence}))
    d = diagnose.assess({i.id: i.scale.max for i in kb.items if not i.reverse}, knowledge_base=kb)
    (match,) = (r for r in d.recommendations if r.intervention == "job_matching")
    assert match.evidence is not None
    assert (match.evidence.grade, match.evidence.summary.nl, match.evidence.reviews) == (
        "low",
        "Weinig onderzoek.",
        ("A review (2020).",),
    )
    # Read back from plain data (lists for tuples), as an application stores it.
    assert diagnose.Diagnosis.model_validate(json.loads(d.model_dump_json())) == d
    assert match.recognition == kb.interventions["job_matching"].recognition
    assert match.evidence_level == "not_rated"
    others = diagnose.assess(LOW_ALL, knowledge_base=kb).recommendations
    assert [(r.evidence, r.recognition) for r in others] == [(None, None)] * len(others)


FEW = "3 van de 3 onderwerpen zijn niet gemeten. Het advies zegt daar niets over."
# Answer warnings: (answers, [(code, Dutch message, factors)]).
WARNING_CASES = [
    pytest.param(
        dict.fromkeys(("se_1", "se_2", "se_3", "se_4", "mo_1", "mo_2", "mo_3", "he_1", "he_2", "he_3"), 3),
        [
            (
                "uniform_answers",
                "Alle 10 beantwoorde vragen hebben hetzelfde antwoord (3). Misschien waren de vragen niet "
                "duidelijk. Bespreek de antwoorden samen voordat u het advies gebruikt.",
                (),
            )
        ],
        id="ten-the-same",
    ),
    pytest.param(
        {
            **dict.fromkeys(("se_1", "se_2", "se_3", "se_4", "mo_1", "mo_2", "mo_3", "he_1", "he_2"), 3),
            "he_3": 4,
        },
        [],
        id="one-different",
    ),
    pytest.param(
        {
            **dict.fromkeys(("se_1", "se_2", "se_3", "se_4", "mo_1", "mo_2", "mo_3", "he_1", "he_2"), 3),
            "he_3": "declined",
        },
        [],
        id="nine-the-same-one-declined",
    ),
    pytest.param(
        {}, [("few_answers", FEW, ("self_efficacy", "motivation", "health"))], id="nothing-answered"
    ),
    pytest.param(
        {"mo_1": 1, "mo_2": 1},
        [
            (
                "few_answers",
                "2 van de 3 onderwerpen zijn niet gemeten. Het advies zegt daar niets over.",
                ("self_efficacy", "health"),
            )
        ],
        id="two-of-three-not-assessed",
    ),
    pytest.param({"mo_1": 1, "mo_2": 1, "se_1": 2, "se_2": 2, "se_3": 2}, [], id="one-of-three-not-assessed"),
]


@pytest.mark.parametrize(("answers", "expected"), WARNING_CASES)
def test_answer_warnings(
    fixture_kb: diagnose.KnowledgeBase,
    answers: dict[str, int | str],
    expected: list[tuple[str, str, tuple[str, ...]]],
) -> None:
    d = diagnose.assess(answers, knowledge_base=fixture_kb)
    assert [(w.code, w.message.nl, w.factors) for w in d.warnings] == expected


def test_a_warning_never_changes_the_advice(fixture_kb: diagnose.KnowledgeBase) -> None:
    uniform = dict.fromkeys((i.id for i in fixture_kb.items), 1)
    d = diagnose.assess(uniform, knowledge_base=fixture_kb)
    fired = rule_engine(fixture_kb).fired(Facts({f: s.level for f, s in d.profile.scores.items()}, {}, {}))
    assert [w.code for w in d.warnings] == ["uniform_answers"]
    assert {r.intervention for r in d.recommendations} == {fixture_kb.rules_by_id[r].recommend for r in fired}


RUNG_ERRORS = [
    pytest.param(0, "got builtins.int 0", id="zero"),
    pytest.param(7, "got builtins.int 7", id="above-the-top"),
    pytest.param(True, "got builtins.bool True", id="bool"),
    pytest.param("3", "got builtins.str '3'", id="text"),
    pytest.param(2.0, "got builtins.float 2.0", id="float"),
]


@pytest.mark.parametrize(("rung", "got"), RUNG_ERRORS)
def test_participation_rung_is_a_rung_of_the_ladder(
    kb: diagnose.KnowledgeBase, rung: object, got: str
) -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess({}, knowledge_base=kb, participation_rung=rung)  # type: ignore[arg-type]  # wrong on purpose
    assert str(info.value) == (
        f"argument 'participation_rung': expected a whole number from 1 to 6 (a rung of the ladder), {got}"
    )


def test_participation_rung_needs_a_ladder(fixture_kb: diagnose.KnowledgeBase) -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess({}, knowledge_base=fixture_kb, participation_rung=2)
    assert str(info.value) == (
        "argument 'participation_rung': knowledge base 'diagnose_default' has no participation ladder "
        "(instrument.participation_ladder)"
    )


def test_participation_rung_is_kept_and_round_trips(kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess({"mo_1": 2}, knowledge_base=kb, participation_rung=6)
    assert d.participation_rung == 6
    assert diagnose.Diagnosis.model_validate_json(d.model_dump_json()) == d
    assert diagnose.assess({"mo_1": 2}, knowledge_base=kb).participation_rung is None


def test_a_knowledge_base_of_the_wrong_type_is_an_answer_error() -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess({}, knowledge_base="rules")  # type: ignore[arg-type]  # wrong on purpose
    assert str(info.value) == (
        "argument 'knowledge_base': expected a KnowledgeBase (from diagnose.load_knowledge_base), got builtins.str 'rules'"
    )
