"""Static analysis: each finding is produced when it should be, and not otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import diagnose
from diagnose.analysis import analyse, satisfiable

if TYPE_CHECKING:
    from tests.conftest import MakeKb

EXTRA_RULES = """rules:
  - id: very_low_health
    title: {nl: a, en: a}
    when: {all: [{factor: health, level: low}, {factor: self_efficacy, level: low}]}
    recommend: health_assessment
    priority: 2
    rationale: {nl: a, en: a}
  - id: dup_low_health
    title: {nl: a, en: a}
    when: {factor: health, level: low}
    recommend: health_assessment
    priority: 1
    rationale: {nl: a, en: a}
"""


def findings(make_kb: MakeKb, edits: dict[str, tuple[str, str] | str | None]) -> list[str]:
    return [str(f) for f in analyse(diagnose.load_knowledge_base(make_kb(edits)))]


def test_the_fixture_knowledge_base_has_no_findings(make_kb: MakeKb) -> None:
    assert findings(make_kb, {}) == []


@pytest.mark.parametrize(
    "when",
    [
        "{all: [{factor: health, level: low}, {factor: health, score: {gte: 4}}]}",
        "{factor: health, score: {lt: 0.5}}",
        "{all: [{factor: health, level: low}, {not: {factor: health, level: [low, medium]}}]}",
    ],
)
def test_a_contradiction_never_fires(make_kb: MakeKb, when: str) -> None:
    assert findings(
        make_kb, {"recommend/health.yaml": ("when: {factor: health, level: low}", f"when: {when}")}
    ) == [
        "interventions.yaml:87:9: interventions[3]: warning[unreachable-intervention]: no rule recommends 'health_assessment'",
        "recommend/health.yaml:5:9: rules[0]: error[never-fires]: rule 'low_health' can never fire: no profile makes its condition true",
    ]


def test_redundant_and_duplicate_rules(make_kb: MakeKb) -> None:
    assert findings(make_kb, {"recommend/extra.yaml": EXTRA_RULES}) == [
        "recommend/extra.yaml:2:9: rules[0]: warning[redundant]: rule 'very_low_health' adds nothing: whenever it fires, "
        "rule 'dup_low_health' (priority 1) already recommends 'health_assessment'",
        "recommend/health.yaml:5:9: rules[0]: warning[same-condition]: rule 'low_health' has the same condition and "
        "intervention as rule 'dup_low_health'",
    ]


def test_a_worse_barrier_may_not_take_support_away(make_kb: MakeKb) -> None:
    assert findings(make_kb, {"recommend/no_barrier.yaml": ("    no_barrier: true\n", "")}) == [
        "recommend/no_barrier.yaml:5:9: rules[0]: error[barrier-removes-support]: rule 'no_barrier_job_matching' stops "
        "firing when barrier factor 'health' gets worse (score 2.5 to 1); support may not be taken away because of a "
        "barrier (mark advice meant for when no barrier is present with 'no_barrier: true')"
    ]


def test_coverage_gap_and_unreachable_interventions(make_kb: MakeKb) -> None:
    # Without the health rules, a low health leads to no support aimed at it.
    assert findings(make_kb, {"recommend/health.yaml": None}) == [
        "instrument.yaml:60:9: factors[2]: warning[coverage-gap]: a low 'health' leads to no recommendation aimed at it",
        "interventions.yaml:87:9: interventions[3]: warning[unreachable-intervention]: no rule recommends 'health_assessment'",
        "interventions.yaml:114:9: interventions[4]: warning[unreachable-intervention]: no rule recommends 'individual_placement_support'",
    ]


def test_satisfiable_returns_a_witness(kb: diagnose.KnowledgeBase) -> None:
    rule = next(r for r in kb.rules if r.id == "low_self_efficacy_motivated")
    witness = satisfiable(kb, rule.when)
    assert witness is not None
    assert diagnose.conditions.truth(rule.when, witness) is True


def test_a_no_barrier_rule_that_forgets_a_factor_is_misused(make_kb: MakeKb) -> None:
    assert findings(
        make_kb, {"recommend/no_barrier.yaml": ("          - {factor: health, level: low}\n", "")}
    ) == [
        "recommend/no_barrier.yaml:5:9: rules[0]: error[no-barrier-misused]: rule 'no_barrier_job_matching' is "
        "marked no_barrier but can fire while 'health' is low; advice for when no barrier is present must not "
        "fire when a factor needs attention"
    ]
