"""Static analysis: each finding is produced when it should be, and not otherwise."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.authoring.analysis import analyse, satisfiable
from diagnose.knowledge._load import default_knowledge_base_path
from diagnose.knowledge.conditions import truth
from tests.reference_analysis import analyse_by_search, satisfiable_by_search

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Edits, MakeKb

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
    assert truth(rule.when, witness) is True


def test_a_no_barrier_rule_that_forgets_a_factor_is_misused(make_kb: MakeKb) -> None:
    assert findings(
        make_kb, {"recommend/no_barrier.yaml": ("          - {factor: health, level: low}\n", "")}
    ) == [
        "recommend/no_barrier.yaml:5:9: rules[0]: error[no-barrier-misused]: rule 'no_barrier_job_matching' is "
        "marked no_barrier but can fire while 'health' is low; advice for when no barrier is present must not "
        "fire when a factor needs attention"
    ]


# --- The SAT analysis against the old search ----------------------------------------------------

CONTEXT_FIELDS = """
context:
  - id: in_treatment
    description: {nl: In behandeling, en: In treatment}
    type: boolean
  - id: housing
    description: {nl: Woonsituatie, en: Housing}
    type: enum
    values: [own, rented, shelter]
  - id: months_out_of_work
    description: {nl: Maanden zonder werk, en: Months out of work}
    type: integer
  - id: travel_hours
    description: {nl: Reistijd in uren, en: Travel time in hours}
    type: number

items:
"""
FACTORS = ("self_efficacy", "motivation", "health")
INTERVENTIONS = (
    "success_experiences",
    "role_model_peer_group",
    "motivational_interviewing",
    "health_assessment",
    "individual_placement_support",
    "job_matching",
)
LEVEL_SETS = (["low"], ["medium"], ["high"], ["low", "medium"], ["medium", "high"], ["low", "high"])
BOUND_OPS = ("lt", "lte", "gt", "gte")


def _level(factor: str, levels: list[str]) -> dict[str, object]:
    return {"factor": factor, "level": levels[0] if len(levels) == 1 else levels}


ATOMS: st.SearchStrategy[dict[str, object]] = st.one_of(
    st.builds(_level, st.sampled_from(FACTORS), st.sampled_from(LEVEL_SETS)),
    st.builds(
        lambda f, op, b: {"factor": f, "score": {op: b}},
        st.sampled_from(FACTORS),
        st.sampled_from(BOUND_OPS),
        st.sampled_from([0.5, 1, 2, 2.5, 3, 3.75, 4.5, 5]),
    ),
    st.builds(lambda v: {"context": "in_treatment", "is": v}, st.booleans()),
    st.builds(
        lambda vs: {"context": "housing", "in": vs},
        st.lists(st.sampled_from(["own", "rented", "shelter"]), min_size=1, max_size=2, unique=True),
    ),
    st.builds(
        lambda op, b: {"context": "months_out_of_work", op: b},
        st.sampled_from(BOUND_OPS),
        st.sampled_from([0, 3, 3.5, 4, 12]),
    ),
    st.builds(
        lambda op, b: {"context": "travel_hours", op: b},
        st.sampled_from(BOUND_OPS),
        st.sampled_from([0, 0.5, 1, 2]),
    ),
)
CONDITIONS: st.SearchStrategy[dict[str, object]] = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=5,
)


@st.composite
def rule_files(draw: st.DrawFn) -> tuple[str, bool]:
    """A rule file of up to five random rules, and whether the fixture's own rules stay beside it."""
    rules = [
        {
            "id": f"rule_{n}",
            "title": {"nl": "a", "en": "a"},
            "when": draw(CONDITIONS),
            "recommend": draw(st.sampled_from(INTERVENTIONS)),
            "priority": draw(st.integers(1, 3)),
            "rationale": {"nl": "a", "en": "a"},
            **({"no_barrier": True} if draw(st.integers(0, 5)) == 0 else {}),
        }
        for n in range(draw(st.integers(1, 5)))
    ]
    return yaml.safe_dump({"rules": rules}, sort_keys=False), draw(st.booleans())


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule_files())
def test_the_solver_finds_exactly_what_the_old_search_finds(make_kb: MakeKb, drawn: tuple[str, bool]) -> None:
    """Invariant: on any knowledge base, `analyse` gives the same findings as the old exhaustive search.

    The old search (tests/reference_analysis.py) tries every assignment of the same finite domains;
    the SAT analysis must agree on every finding, message and witness score, and `satisfiable`
    must agree on whether each rule can fire, with a witness that makes it true.
    """
    text, keep_fixture_rules = drawn
    edits: Edits = {"instrument.yaml": ("\nitems:\n", CONTEXT_FIELDS), "recommend/generated.yaml": text}
    if not keep_fixture_rules:
        edits.update(
            dict.fromkeys(
                ["recommend/health.yaml", "recommend/no_barrier.yaml", "recommend/self_efficacy.yaml"]
            )
        )
    kb = diagnose.load_knowledge_base(make_kb(edits))
    assert [str(f) for f in analyse(kb)] == [str(f) for f in analyse_by_search(kb)]
    for rule in kb.rules:
        witness = satisfiable(kb, rule.when)
        assert (witness is None) == (satisfiable_by_search(kb, rule.when) is None)
        assert witness is None or truth(rule.when, witness) is True


# --- The case of issue #17, a budget that runs out ----------------------------------------------

EXTRA_RULE = """rules:
  - id: motivated_job_matching
    title: {nl: Gemotiveerd, en: Motivated}
    when: {factor: motivation, level: [medium, high]}
    recommend: job_matching
    priority: 3
    rationale: {nl: Gemotiveerd., en: Motivated.}
"""
#: The same for the packaged knowledge base, whose rules all have a text for the client.
EXPLAINED_EXTRA_RULE = EXTRA_RULE + "    explanation: {nl: U wilt werken., en: You want to work.}\n"


def test_one_plausible_extra_rule_is_analysed_at_once(tmp_path: Path) -> None:
    # The packaged knowledge base plus one rule: the old search needed ~97 million nodes here,
    # because `no_barrier_job_matching` reads all eleven factors. The timeout only guards a hang.
    root = tmp_path / "kb"
    shutil.copytree(default_knowledge_base_path(), root)
    (root / "recommend" / "extra.yaml").write_text(EXPLAINED_EXTRA_RULE, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - this Python's own diagnose, on a folder the test wrote
        [sys.executable, "-m", "diagnose", "check", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(done.stdout)
    assert (done.returncode, report["ok"], report["problems"], report["failures"]) == (0, True, [], [])
    assert [(f["file"], f["path"], f["code"], f["message"]) for f in report["findings"]] == [
        (
            "recommend/no_barrier.yaml",
            "rules[0]",
            "redundant",
            "rule 'no_barrier_job_matching' adds nothing: whenever it fires, rule 'motivated_job_matching' "
            "(priority 3) already recommends 'job_matching'",
        )
    ]


def test_a_question_that_runs_out_of_budget_is_a_finding(make_kb: MakeKb) -> None:
    kb = diagnose.load_knowledge_base(make_kb({"recommend/extra.yaml": EXTRA_RULE}))
    unlimited = [str(f) for f in analyse(kb, budget=None)]
    assert unlimited == [
        "recommend/no_barrier.yaml:5:9: rules[0]: warning[redundant]: rule 'no_barrier_job_matching' adds nothing: "
        "whenever it fires, rule 'motivated_job_matching' (priority 3) already recommends 'job_matching'"
    ]
    starved = analyse(kb, budget=1)
    undecided = [f for f in starved if f.code == "undecided"]
    assert undecided
    assert all(f.severity == "error" for f in undecided)
    pattern = (
        r"^the analysis could not decide whether (rule '\w+' (can fire|adds anything to rule '\w+'|stops firing "
        r"when barrier factor '\w+' gets worse|can fire while '\w+' is low)|a low '\w+' leads to a recommendation "
        r"aimed at it) within its budget of 1 solver conflicts, so a finding may be missing here$"
    )
    assert all(re.match(pattern, f.message) for f in undecided), [f.message for f in undecided]
    # Whatever was decided within the budget is exactly what the unlimited analysis says.
    assert {str(f) for f in starved if f.code != "undecided"} <= set(unlimited)


def test_a_budget_is_at_least_one_conflict(fixture_kb: diagnose.KnowledgeBase) -> None:
    with pytest.raises(ValueError, match=r"^a conflict budget is at least 1, got 0$"):
        analyse(fixture_kb, budget=0)


#: The fixture's low_health rule with a text for the client.
EXPLAINED = (
    "    rationale:\n      nl: >-\n        De klant ervaart duidelijke",
    "    explanation: {nl: Uw gezondheid maakt werk zwaar., en: Your health makes work hard.}\n"
    "    rationale:\n      nl: >-\n        De klant ervaart duidelijke",
)


def test_once_a_rule_has_an_explanation_every_rule_needs_one(make_kb: MakeKb) -> None:
    kb = diagnose.load_knowledge_base(make_kb({"recommend/health.yaml": EXPLAINED}))
    missing = [f for f in analyse(kb) if f.code == "no-explanation"]
    assert [f.origin.path for f in missing] == [f"rules[{n}]" for n in (1, 0, 0, 1, 2, 3, 4)]
    assert {f.severity for f in missing} == {"warning"}
    assert str(missing[0]) == (
        "recommend/health.yaml:26:9: rules[1]: warning[no-explanation]: rule 'low_health_wants_work' has no "
        "explanation for the client, while 1 other rule(s) have one; explain shows its rationale instead, which "
        "is written for professionals"
    )
    assert "low_health" not in {f.message.split("'")[1] for f in missing}
