"""The fairness audit: rates against fairlearn, suppression, equal-level comparisons, item functioning."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import diagnose
from diagnose.quality import fairness_audit
from diagnose.quality._simulate import simulate_caseload, simulate_decisions

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # fairlearn's dependencies announce deprecations on import
    from fairlearn.metrics import MetricFrame, selection_rate


@pytest.fixture(scope="module")
def caseload(fixture_kb: diagnose.KnowledgeBase) -> tuple[list[diagnose.Diagnosis], list[str]]:
    """3,000 simulated clients; group b has a lower latent mean (more need), group d has 7 clients."""
    shares = {"a": 0.6, "b": 0.3, "c": 0.1}
    simulated = simulate_caseload(fixture_kb, 3000, seed=7, group_shares=shares, group_shift={"b": -0.5})
    groups = simulated.groups[:-7] + ["d"] * 7
    return list(diagnose.assess_many(simulated.rows, knowledge_base=fixture_kb)), groups


@pytest.fixture(scope="module")
def fixture_kb() -> diagnose.KnowledgeBase:
    from tests.conftest import FIXTURE_KB

    return diagnose.load_knowledge_base(FIXTURE_KB)


def test_advice_rates_agree_with_fairlearn_selection_rates(
    fixture_kb: diagnose.KnowledgeBase, caseload: tuple[list[diagnose.Diagnosis], list[str]]
) -> None:
    diagnoses, groups = caseload
    audit = fairness_audit(diagnoses, groups, knowledge_base=fixture_kb)
    for intervention in fixture_kb.interventions:
        recommended = np.array(
            [any(r.intervention == intervention for r in d.recommendations) for d in diagnoses]
        )
        frame = MetricFrame(
            metrics=selection_rate,
            y_true=recommended,
            y_pred=recommended,
            sensitive_features=np.array(groups),
        )
        for group, expected in frame.by_group.items():
            rate = audit.advice_rates[intervention][str(group)]
            if group == "d":
                assert rate is None  # 7 clients: suppressed
            else:
                assert rate is not None
                assert rate.rate == pytest.approx(expected, abs=1e-15)
                assert rate.n == groups.count(str(group))


def wilson(count: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_intervals_are_wilson_intervals(
    fixture_kb: diagnose.KnowledgeBase, caseload: tuple[list[diagnose.Diagnosis], list[str]]
) -> None:
    audit = fairness_audit(*caseload, knowledge_base=fixture_kb)
    for by_group in audit.advice_rates.values():
        for rate in by_group.values():
            if rate is not None:
                assert (rate.low, rate.high) == pytest.approx(wilson(rate.count, rate.n), abs=1e-12)


@pytest.mark.parametrize(("size", "shown"), [(9, "no"), (10, "yes")])
def test_a_group_below_the_minimum_is_suppressed(
    fixture_kb: diagnose.KnowledgeBase, size: int, shown: str
) -> None:
    diagnoses = [diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=fixture_kb) for _ in range(40)]
    groups = ["small"] * size + ["large"] * (40 - size)
    audit = fairness_audit(diagnoses, groups, min_group_size=10, knowledge_base=fixture_kb)
    rate = audit.advice_rates["motivational_interviewing"]["small"]
    assert (rate is not None) is (shown == "yes")
    assert audit.groups["small"] == (size if shown == "yes" else None)
    assert audit.suppressed == (() if shown == "yes" else ("small",))
    if shown == "no":
        assert all("small" not in f.groups for f in audit.flags)
        assert all(rates["small"] is None for rates in audit.advice_rates.values())


def test_a_real_difference_in_need_is_flagged_raw_but_not_at_equal_levels(
    fixture_kb: diagnose.KnowledgeBase, caseload: tuple[list[diagnose.Diagnosis], list[str]]
) -> None:
    """Group b needs more support (lower latent means): its raw advice rates differ.

    At equal levels the rules treat everyone alike, and the audit says exactly that.
    """
    audit = fairness_audit(*caseload, knowledge_base=fixture_kb)
    kinds = {f.kind for f in audit.flags}
    assert "advice_rate" in kinds
    assert "advice_at_equal_levels" not in kinds
    assert audit.reference == "a"


def test_a_group_declined_more_often_at_equal_levels_is_found(
    fixture_kb: diagnose.KnowledgeBase, caseload: tuple[list[diagnose.Diagnosis], list[str]]
) -> None:
    diagnoses, groups = caseload
    fair = fairness_audit(diagnoses, groups, simulate_decisions(diagnoses, groups), knowledge_base=fixture_kb)
    assert [f for f in fair.flags if f.kind == "decline_at_equal_levels"] == []
    planted = simulate_decisions(diagnoses, groups, planted={"c": 0.4})
    audit = fairness_audit(diagnoses, groups, planted, knowledge_base=fixture_kb)
    found = [f for f in audit.flags if f.kind == "decline_at_equal_levels"]
    assert {f.groups for f in found} == {("c", "a")}
    assert {f.intervention for f in found} == set(fixture_kb.interventions)
    assert all(f.ratio > 1.25 and (f.p_value or 1) < 0.05 for f in found)


def test_decision_rates_agree_with_fairlearn(
    fixture_kb: diagnose.KnowledgeBase, caseload: tuple[list[diagnose.Diagnosis], list[str]]
) -> None:
    diagnoses, groups = caseload
    decisions = simulate_decisions(diagnoses, groups, planted={"c": 0.4})
    audit = fairness_audit(diagnoses, groups, decisions, knowledge_base=fixture_kb)
    assert audit.decision_rates is not None
    for intervention, by_group in audit.decision_rates.items():
        decided = [(g, d[intervention]) for g, d in zip(groups, decisions, strict=True) if intervention in d]
        declined = np.array([a == "decline" for _, a in decided])
        frame = MetricFrame(
            metrics=selection_rate,
            y_true=declined,
            y_pred=declined,
            sensitive_features=np.array([g for g, _ in decided]),
        )
        for group, expected in frame.by_group.items():
            rate = by_group[str(group)]
            if rate is not None:
                assert rate.declined == pytest.approx(expected, abs=1e-15)
                assert rate.accepted + rate.adapted + rate.declined == pytest.approx(1)


def test_an_item_that_behaves_differently_for_a_group_is_found(fixture_kb: diagnose.KnowledgeBase) -> None:
    simulated = simulate_caseload(fixture_kb, 4000, seed=8, dif={"he_1": ("b", -1.0)})
    diagnoses = list(diagnose.assess_many(simulated.rows, knowledge_base=fixture_kb))
    audit = fairness_audit(diagnoses, simulated.groups, knowledge_base=fixture_kb)
    flagged = [f for f in audit.flags if f.kind == "item_functioning"]
    assert [f.item for f in flagged if f.item == "he_1"] == ["he_1"]
    he_1 = next(i for i in audit.item_functioning if i.item == "he_1")
    assert (he_1.group, he_1.reference, he_1.ets_class) == ("b", "a", "C")
    assert he_1.odds_ratio < 1
    others = [i for i in audit.item_functioning if i.factor != "health"]
    assert all(i.ets_class == "A" for i in others)


def test_item_functioning_is_statsmodels_mantel_haenszel_over_total_scores(
    fixture_kb: diagnose.KnowledgeBase,
) -> None:
    """Invariant: the odds ratio is the Mantel-Haenszel estimate computed by hand over the strata."""
    simulated = simulate_caseload(fixture_kb, 1500, seed=9, dif={"se_3": ("b", 1.0)})
    diagnoses = list(diagnose.assess_many(simulated.rows, knowledge_base=fixture_kb))
    audit = fairness_audit(diagnoses, simulated.groups, knowledge_base=fixture_kb)
    se_3 = next(i for i in audit.item_functioning if i.item == "se_3")
    numerator = denominator = 0.0
    strata: dict[int, list[tuple[str, bool]]] = {}
    for d, g in zip(diagnoses, simulated.groups, strict=True):
        score = d.profile.scores["self_efficacy"]
        if len(score.items) == 4:
            scored = {i.item: i.scored for i in score.items}
            strata.setdefault(sum(scored.values()), []).append((g, scored["se_3"] > 3))
    used = 0
    for members in strata.values():
        a = sum(g == "b" and fav for g, fav in members)
        b = sum(g == "b" and not fav for g, fav in members)
        c = sum(g == "a" and fav for g, fav in members)
        e = sum(g == "a" and not fav for g, fav in members)
        if a + b and c + e and a + c and b + e:
            total = a + b + c + e
            numerator += a * e / total
            denominator += b * c / total
            used += 1
    assert se_3.strata == used
    assert se_3.odds_ratio == pytest.approx(numerator / denominator, rel=1e-12)


def test_the_audit_reads_back_from_its_json(
    fixture_kb: diagnose.KnowledgeBase, caseload: tuple[list[diagnose.Diagnosis], list[str]]
) -> None:
    diagnoses, groups = caseload
    audit = fairness_audit(
        diagnoses, groups, simulate_decisions(diagnoses, groups), knowledge_base=fixture_kb
    )
    assert diagnose.FairnessAudit.model_validate_json(audit.model_dump_json()) == audit
    assert audit.note.startswith("This audit checks the instrument")
