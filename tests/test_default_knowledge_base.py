"""The packaged knowledge base: contract ids, sources, coverage, and a clean analysis."""

from __future__ import annotations

import pytest

import diagnose
from diagnose.authoring.analysis import analyse

FACTORS = [
    "self_efficacy",
    "motivation",
    "work_attitude",
    "social_support",
    "health",
    "mental_health",
    "substance_use",
    "living_situation",
    "goal_setting",
    "job_search_skills",
    "language",
    "basic_skills",
    "digital_skills",
    "financial_situation",
    "work_pays",
    "care_arrangements",
    "mobility",
    "work_experience",
]
INTERVENTIONS = [
    "success_experiences",
    "role_model_peer_group",
    "motivational_interviewing",
    "health_assessment",
    "individual_placement_support",
    "job_matching",
    "goal_setting_coaching",
    "job_search_plan",
    "job_search_training",
    "debt_counselling",
    "language_training",
    "basic_skills_training",
    "digital_skills_training",
    "care_arrangement",
    "mobility_support",
    "benefit_calculation",
    "group_job_search_course",
    "work_experience_placement",
    "job_coaching",
    "social_network_support",
    "volunteer_work",
    "addiction_care",
    "housing_support",
    "social_participation",
]
BARRIERS = {
    "health",
    "substance_use",
    "living_situation",
    "language",
    "basic_skills",
    "financial_situation",
    "care_arrangements",
    "mobility",
}
#: The items that reveal health data (GDPR art. 9): physical and mental health, substance use.
HEALTH_ITEMS = {"health": 4, "mental_health": 5, "substance_use": 3}


def test_contract_ids_exist(kb: diagnose.KnowledgeBase) -> None:
    assert list(kb.factors) == FACTORS
    assert list(kb.interventions) == INTERVENTIONS
    assert {f.id for f in kb.factors.values() if f.barrier} == BARRIERS


def test_instrument_size_and_texts(kb: diagnose.KnowledgeBase) -> None:
    assert 75 <= len(kb.items) <= 85
    for factor in kb.factors.values():
        items = kb.items_by_factor[factor.id]
        assert 3 <= len(items) <= 6, factor.id
        assert factor.min_answered <= len(items)
        assert factor.effect is not None, factor.id
        assert all(i.scale.min == 1 and i.scale.max == 5 for i in items)


def test_every_factor_intervention_and_rule_has_a_source(kb: diagnose.KnowledgeBase) -> None:
    assert [f.id for f in kb.factors.values() if not f.sources] == []
    assert [i.id for i in kb.interventions.values() if not i.sources] == []
    assert [r.id for r in kb.rules if not r.sources] == []


def test_the_analysis_finds_nothing(kb: diagnose.KnowledgeBase) -> None:
    assert [str(f) for f in analyse(kb)] == []


def _answers(kb: diagnose.KnowledgeBase, low: str) -> dict[str, object]:
    """Every item answered favourably, except the items of `low`, answered unfavourably."""
    answers: dict[str, object] = {}
    for item in kb.items:
        favourable = item.factor != low
        value = item.scale.max if favourable else item.scale.min
        answers[item.id] = item.scale.min + item.scale.max - value if item.reverse else value
    return answers


@pytest.mark.parametrize("factor", FACTORS)
def test_a_low_influenceable_factor_leads_to_support_aimed_at_it(
    kb: diagnose.KnowledgeBase, factor: str
) -> None:
    d = diagnose.assess(_answers(kb, factor), knowledge_base=kb)
    assert d.profile.scores[factor].level == "low"
    assert [f for f, s in d.profile.scores.items() if s.level != "high"] == [factor]
    aimed = [r.intervention for r in d.recommendations if factor in r.targets]
    assert aimed, f"no recommendation targets {factor}: {[r.intervention for r in d.recommendations]}"
    assert "job_matching" not in [r.intervention for r in d.recommendations]


def test_everything_favourable_leads_to_job_matching(kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess(_answers(kb, low=""), knowledge_base=kb)
    assert [r.intervention for r in d.recommendations] == ["job_matching"]


def test_every_intervention_states_graded_evidence_with_its_reviews(kb: diagnose.KnowledgeBase) -> None:
    missing = [i.id for i in kb.interventions.values() if i.evidence is None or not i.evidence.reviews]
    assert missing == []


def test_the_dutch_recognitions_are_the_verified_ones(kb: diagnose.KnowledgeBase) -> None:
    recognised = {
        i.id: (i.recognition.level, i.evidence_level)
        for i in kb.interventions.values()
        if i.recognition is not None
    }
    assert recognised == {
        "individual_placement_support": ("effective", "effective"),
        "job_coaching": ("listed_not_rated", "not_rated"),
        "social_network_support": ("listed_not_rated", "not_rated"),
        "addiction_care": ("effective_good", "effective_good"),
    }


def test_health_items_are_marked_as_special_category_data(kb: diagnose.KnowledgeBase) -> None:
    marked: dict[str, int] = {}
    for item in kb.items:
        if item.special_category is not None:
            assert item.special_category == "health"
            marked[item.factor] = marked.get(item.factor, 0) + 1
    assert marked == HEALTH_ITEMS
    assert all(len(kb.items_by_factor[f]) == n for f, n in HEALTH_ITEMS.items())


def test_the_participation_ladder_has_the_six_rungs(kb: diagnose.KnowledgeBase) -> None:
    ladder = kb.instrument.participation_ladder
    assert ladder is not None
    assert [(r.rung, r.name.nl) for r in ladder.rungs] == [
        (1, "Geïsoleerd"),
        (2, "Sociale contacten buiten huis"),
        (3, "Deelname aan georganiseerde activiteiten"),
        (4, "Onbetaald werk"),
        (5, "Betaald werk met ondersteuning"),
        (6, "Betaald werk"),
    ]


def test_the_stabilising_domains_come_first(kb: diagnose.KnowledgeBase) -> None:
    assert kb.cycle.phases.stabilise_first == ("housing_support", "debt_counselling", "addiction_care")
    assert kb.cycle.phases.max_now == 3


def _intake(kb: diagnose.KnowledgeBase, levels: dict[str, int]) -> dict[str, object]:
    """Every item favourable, except the factors in `levels`, answered with that raw favourability."""
    answers: dict[str, object] = {}
    for item in kb.items:
        value = levels.get(item.factor, item.scale.max)
        answers[item.id] = item.scale.min + item.scale.max - value if item.reverse else value
    return answers


def _advice(kb: diagnose.KnowledgeBase, levels: dict[str, int], **context: object) -> list[str]:
    d = diagnose.assess(_intake(kb, levels), context=context or None, knowledge_base=kb)
    return [r.intervention for r in d.recommendations]


def test_ips_only_for_mental_health_with_a_wish_to_work_and_never_with_a_placement(
    kb: diagnose.KnowledgeBase,
) -> None:
    # GIVEN low mental health and little work experience, and a wish to work
    advice = _advice(kb, {"mental_health": 1, "work_experience": 1})
    # THEN IPS, and no work-experience placement before it
    assert "individual_placement_support" in advice
    assert "work_experience_placement" not in advice
    # GIVEN only physical complaints THEN a health assessment, no IPS
    physical = _advice(kb, {"health": 1})
    assert "health_assessment" in physical
    assert "individual_placement_support" not in physical
    # GIVEN low mental health without a wish to work THEN no IPS
    assert "individual_placement_support" not in _advice(kb, {"mental_health": 1, "motivation": 1})


def test_basic_skills_never_lead_to_a_dutch_course_for_a_native_speaker(kb: diagnose.KnowledgeBase) -> None:
    advice = _advice(kb, {"basic_skills": 1})
    assert "basic_skills_training" in advice
    assert "language_training" not in advice


def test_job_coaching_comes_after_placement_only(kb: diagnose.KnowledgeBase) -> None:
    assert "job_coaching" not in _advice(kb, {"work_experience": 1})
    assert "job_coaching" not in _advice(kb, {"work_experience": 1}, started_work=False)
    assert "job_coaching" in _advice(kb, {"work_experience": 1}, started_work=True)


def test_low_attitude_or_work_pays_leads_to_the_calculation(kb: diagnose.KnowledgeBase) -> None:
    assert "benefit_calculation" in _advice(kb, {"work_attitude": 1})
    assert "benefit_calculation" in _advice(kb, {"work_pays": 1})
    with_low_motivation = _advice(kb, {"work_attitude": 1, "motivation": 1})
    assert {"benefit_calculation", "motivational_interviewing"} <= set(with_low_motivation)


def test_low_confidence_and_motivation_lead_to_the_group_course(kb: diagnose.KnowledgeBase) -> None:
    advice = _advice(kb, {"self_efficacy": 1, "motivation": 1})
    assert {"group_job_search_course", "success_experiences"} <= set(advice)


def test_only_the_stabilising_domains_have_priority_one(kb: diagnose.KnowledgeBase) -> None:
    """Priority 1 is kept for what stabilises a life domain, so that an all-low intake has three."""
    first = {r.recommend for r in kb.rules if r.priority == 1}
    assert first == set(kb.cycle.phases.stabilise_first)
    everything_low = {i.id: i.scale.max if i.reverse else i.scale.min for i in kb.items}
    d = diagnose.assess(everything_low, knowledge_base=kb)
    # A set: the order among them is the phases' business (the declared stabilise_first order).
    assert {r.intervention for r in d.recommendations if r.priority == 1} == {
        "addiction_care",
        "debt_counselling",
        "housing_support",
    }
    assert len(d.recommendations) == 20


@pytest.mark.parametrize("factor", FACTORS)
def test_every_recommendation_carries_its_evidence_summary(kb: diagnose.KnowledgeBase, factor: str) -> None:
    d = diagnose.assess(_answers(kb, low=factor), knowledge_base=kb)
    assert d.recommendations
    for r in d.recommendations:
        evidence = kb.interventions[r.intervention].evidence
        assert evidence is not None
        assert r.evidence == diagnose.Evidence(
            grade=evidence.grade, summary=evidence.summary, reviews=evidence.reviews
        )
        assert r.evidence.summary.nl
        assert r.evidence.summary.en
        assert r.recognition == kb.interventions[r.intervention].recognition


def test_at_most_three_for_now_when_everything_is_low(kb: diagnose.KnowledgeBase) -> None:
    low = {i.id: (i.scale.max if i.reverse else i.scale.min) for i in kb.items}
    d = diagnose.assess(low, knowledge_base=kb)
    phases = [(r.intervention, r.phase) for r in d.recommendations]
    assert phases[:3] == [("housing_support", "now"), ("debt_counselling", "now"), ("addiction_care", "now")]
    assert {phase for _, phase in phases[3:]} == {"later"}
    assert len(phases) > 3
