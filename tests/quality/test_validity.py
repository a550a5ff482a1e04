"""Validity against outcomes: AUC against scikit-learn, rates per level, thresholds only suggested."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import diagnose
from diagnose.quality import instrument_quality
from diagnose.quality._simulate import simulate_caseload


def test_auc_agrees_with_scikit_learn(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 2000, seed=12)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb, outcomes=caseload.outcomes)
    for factor, found in report.validity["work_6m"].items():
        pairs = [
            (d.profile.scores[factor].score, work)
            for d, work in zip(
                diagnose.assess_many(caseload.rows, knowledge_base=fixture_kb),
                caseload.outcomes["work_6m"],
                strict=True,
            )
            if d.profile.scores[factor].score is not None
        ]
        scores, outcome = np.array([s for s, _ in pairs]), np.array([w for _, w in pairs])
        assert found.n == len(pairs)
        assert found.auc == pytest.approx(roc_auc_score(outcome, scores), abs=1e-12)
        assert found.auc_ci is not None
        assert found.auc is not None
        assert found.auc_ci[0] < found.auc < found.auc_ci[1]


def test_outcome_rates_per_level_count_the_scored_clients(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 600, seed=13)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb, outcomes=caseload.outcomes)
    rates = report.validity["work_6m"]["health"].level_rates
    levels = [
        diagnose.assess(row, knowledge_base=fixture_kb).profile.scores["health"].level
        for row in caseload.rows
    ]
    for level, rate in rates.items():
        at = [w for lv, w in zip(levels, caseload.outcomes["work_6m"], strict=True) if lv == level]
        assert (rate.n, rate.positives) == (len(at), sum(at))
        assert rate.rate == pytest.approx(sum(at) / len(at))


def test_unknown_outcomes_are_left_out(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 300, seed=14)
    outcome: list[object] = [None if n % 3 == 0 else w for n, w in enumerate(caseload.outcomes["work_6m"])]
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb, outcomes={"work_12m": outcome})
    assert report.validity["work_12m"]["motivation"].n == 200


def test_thresholds_are_suggested_never_applied(fixture_kb: diagnose.KnowledgeBase) -> None:
    """Invariant: a suggestion changes neither the knowledge base nor the levels in the report."""
    caseload = simulate_caseload(fixture_kb, 3000, seed=15)
    plain = instrument_quality(caseload.rows, knowledge_base=fixture_kb)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb, outcomes=caseload.outcomes)
    suggestion = report.validity["work_6m"]["self_efficacy"].suggested_thresholds
    assert suggestion is not None
    assert suggestion.applied is False
    assert suggestion.note.startswith("A suggestion for the knowledge base's authors, never applied")
    assert (suggestion.current_medium, suggestion.current_high) == (2.5, 3.75)
    assert fixture_kb.factors["self_efficacy"].thresholds.medium == 2.5
    assert report.factors == plain.factors
    assert suggestion.separation_suggested >= suggestion.separation_current


def test_too_few_cases_give_no_auc(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 40, seed=16)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb, outcomes=caseload.outcomes)
    found = report.validity["work_6m"]["motivation"]
    assert (found.auc, found.auc_ci, found.suggested_thresholds) == (None, None, None)
