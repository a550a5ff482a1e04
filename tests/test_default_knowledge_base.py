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
    "goal_setting",
    "job_search_skills",
    "language",
    "financial_situation",
    "care_arrangements",
    "work_experience",
]
INTERVENTIONS = [
    "success_experiences",
    "role_model_peer_group",
    "motivational_interviewing",
    "goal_setting_coaching",
    "job_search_training",
    "individual_placement_support",
    "health_assessment",
    "debt_counselling",
    "language_training",
    "care_arrangement",
    "work_experience_placement",
    "social_network_support",
    "job_matching",
]
BARRIERS = {"health", "language", "financial_situation", "care_arrangements"}


def test_contract_ids_exist(kb: diagnose.KnowledgeBase) -> None:
    assert list(kb.factors) == FACTORS
    assert set(INTERVENTIONS) <= set(kb.interventions)
    assert len(kb.interventions) >= 15
    assert {f.id for f in kb.factors.values() if f.barrier} == BARRIERS


def test_instrument_size_and_texts(kb: diagnose.KnowledgeBase) -> None:
    assert 40 <= len(kb.items) <= 50
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
