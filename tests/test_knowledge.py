"""Loading the knowledge base: the default one, the content hash, and located errors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import yaml

import diagnose

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import MakeKb


def problems(path: Path) -> list[str]:
    with pytest.raises(diagnose.KnowledgeBaseError) as info:
        diagnose.load_knowledge_base(path)
    return [str(p) for p in info.value.problems]


def test_default_knowledge_base_loads_with_the_contract_ids(kb: diagnose.KnowledgeBase) -> None:
    assert {"self_efficacy", "motivation", "health"} <= set(kb.factors)
    assert len(kb.interventions) >= 5
    assert len(kb.rules) >= 6
    assert kb.version == "0.2.0"
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", kb.content_hash)
    assert kb.item("se_4").reverse is True
    assert kb.item("se_1").scale.min == 1
    assert kb.item("se_1").scale.max == 5


def test_default_knowledge_base_is_loaded_once_and_cannot_be_mutated(
    kb: diagnose.KnowledgeBase,
) -> None:
    assert diagnose.load_knowledge_base() is kb
    with pytest.raises(TypeError):
        kb.factors["x"] = kb.factors["health"]  # type: ignore[index]


def test_default_knowledge_base_has_no_problems() -> None:
    assert list(diagnose.iter_errors()) == []


def test_content_hash_ignores_key_order_quoting_and_whitespace(make_kb: MakeKb) -> None:
    original = diagnose.load_knowledge_base(make_kb({})).content_hash
    root = make_kb({})
    for path in root.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(data, sort_keys=True, indent=4, width=60, allow_unicode=False))
    assert diagnose.load_knowledge_base(root).content_hash == original


def test_content_hash_changes_with_content(make_kb: MakeKb) -> None:
    original = diagnose.load_knowledge_base(make_kb({})).content_hash
    root = make_kb(
        {
            "instrument.yaml": (
                "thresholds: {medium: 2.5, high: 3.75}",
                "thresholds: {medium: 2.4, high: 3.75}",
            )
        }
    )
    assert diagnose.load_knowledge_base(root).content_hash != original


def test_malformed_yaml_is_located(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/health.yaml": ("    priority: 1\n", "    priority: [1\n")})
    assert problems(root) == [
        "recommend/health.yaml:12:14: YAML syntax error: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence started at line 11, column 15)"
    ]


def test_unknown_key_is_reported_with_a_suggestion(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/health.yaml": ("    priority: 1\n", "    priorty: 1\n")})
    assert problems(root) == [
        "recommend/health.yaml:5:5: rules[0]: missing required key 'priority'",
        "recommend/health.yaml:11:5: rules[0].priorty: unknown key 'priorty' (did you mean 'priority'?)",
    ]


def test_unknown_factor_reference_is_reported_with_a_suggestion(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "recommend/health.yaml": (
                "when: {factor: health, level: low}",
                "when: {factor: helth, level: low}",
            )
        }
    )
    assert problems(root) == [
        "recommend/health.yaml:9:20: rules[0].when.factor: unknown factor 'helth' (did you mean 'health'?)"
    ]


def test_unknown_level_is_reported_with_a_suggestion(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "recommend/health.yaml": (
                "when: {factor: health, level: low}",
                "when: {factor: health, level: lo}",
            )
        }
    )
    assert problems(root) == [
        "recommend/health.yaml:9:35: rules[0].when.level: "
        "expected 'low', 'medium' or 'high', got 'lo' (did you mean 'low'?)"
    ]


def test_unknown_intervention_is_reported(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/health.yaml": ("recommend: health_assessment", "recommend: health_assesment")})
    assert problems(root) == [
        "recommend/health.yaml:10:16: rules[0].recommend: unknown intervention "
        "'health_assesment' (did you mean 'health_assessment'?)"
    ]


def test_duplicate_ids_are_reported(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "instrument.yaml": ("  - id: se_2\n", "  - id: se_1\n"),
            "recommend/health.yaml": (
                "  - id: low_health_wants_work\n",
                "  - id: low_motivation\n",
            ),
        }
    )
    assert problems(root) == [
        "instrument.yaml:87:9: items[1].id: duplicate item id 'se_1' (first defined on line 81)",
        "recommend/self_efficacy.yaml:68:9: rules[3].id: duplicate rule id 'low_motivation' "
        "(first defined at recommend/health.yaml:25:9)",
    ]


def test_every_problem_in_every_file_is_reported_at_once(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "instrument.yaml": ("    factor: motivation\n", "    factor: motivaton\n"),
            "interventions.yaml": ("    targets: [health]\n", "    targets: [healt]\n"),
            "recommend/no_barrier.yaml": ("    priority: 3\n", "    priority: high\n"),
        }
    )
    assert problems(root) == [
        "instrument.yaml:107:13: items[4].factor: unknown factor 'motivaton' (did you mean 'motivation'?)",
        "interventions.yaml:96:15: interventions[3].targets[0]: unknown factor 'healt' (did you mean 'health'?)",
        "recommend/no_barrier.yaml:16:15: rules[0].priority: expected a whole number, got 'high'",
    ]


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        pytest.param(
            "recommend/health.yaml",
            ("when: {factor: health, level: low}", "when: {factr: health, level: low}"),
            "recommend/health.yaml:9:11: rules[0].when: "
            "expected a condition: a mapping with 'factor', 'context', 'all', 'any' or 'not'",
            id="not-a-condition",
        ),
        pytest.param(
            "recommend/health.yaml",
            ("when: {factor: health, level: low}", "when: {all: [{factor: health, score: {}}]}"),
            "recommend/health.yaml:9:42: rules[0].when.all[0].score: give at least one of 'lt', 'lte', 'gt', 'gte'",
            id="empty-bounds",
        ),
        pytest.param(
            "instrument.yaml",
            ("    scale: agree5\n", "    scale: agre5\n"),
            "instrument.yaml:83:12: items[0].scale: unknown scale 'agre5' (did you mean 'agree5'?)",
            id="unknown-scale",
        ),
        pytest.param(
            "instrument.yaml",
            ('version: "0.1.0"', "version: 0.1"),
            "instrument.yaml:4:10: version: expected text, got 0.1 (put it in quotes)",
            id="number-for-text",
        ),
        pytest.param(
            "instrument.yaml",
            ("    min_answered: 3", "    min_answered: 3\n    influenceable: false"),
            "instrument.yaml:33:5: duplicate key 'influenceable' (first given on line 31)",
            id="duplicate-key",
        ),
        pytest.param(
            "interventions.yaml",
            ("    evidence_level: not_rated", "    evidence_level: effectiv"),
            "interventions.yaml:16:21: interventions[0].evidence_level: expected 'effective_strong', "
            "'effective_good', 'effective_first', 'effective', 'well_founded', 'well_described' or "
            "'not_rated', got 'effectiv' (did you mean 'effective'?)",
            id="bad-evidence-level",
        ),
        pytest.param(
            "instrument.yaml",
            ("    min_answered: 3", "    min_answered: 9"),
            "instrument.yaml:32:19: factors[0].min_answered: factor 'self_efficacy' has 4 item(s), "
            "fewer than min_answered (9)",
            id="too-few-items",
        ),
        pytest.param(
            "instrument.yaml",
            ("thresholds: {medium: 2.5, high: 3.75}", "thresholds: {medium: 2.5, high: 7}"),
            "instrument.yaml:33:17: factors[0].thresholds: thresholds must lie above 1 and at most 5 "
            "(the factor's score range); got medium 2.5, high 7",
            id="thresholds-off-range",
        ),
    ],
)
def test_schema_and_reference_errors_are_pinned(
    make_kb: MakeKb, file: str, edit: tuple[str, str], expected: str
) -> None:
    assert problems(make_kb({file: edit})) == [expected]


def test_missing_file_and_empty_rules_folder(make_kb: MakeKb) -> None:
    root = make_kb({"interventions.yaml": None})
    for rule_file in (root / "recommend").iterdir():
        rule_file.unlink()
    assert problems(root) == [
        "interventions.yaml: file not found: a knowledge base needs this file",
        "recommend: no rule files: a knowledge base needs at least one recommend/*.yaml",
    ]


def test_not_a_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert problems(missing) == [
        f"{missing}: not a knowledge-base folder (it does not exist or is not a folder)"
    ]


def test_an_item_may_give_its_scale_inline(make_kb: MakeKb) -> None:
    labels = ", ".join(f"{{nl: {n}, en: {n}}}" for n in "abcde")
    root = make_kb(
        {
            "instrument.yaml": (
                "    scale: agree5\n    text:\n      nl: Ik kan een aantal uren",
                f"    scale: {{min: 1, max: 5, labels: [{labels}]}}\n    text:\n      nl: Ik kan een aantal uren",
            )
        }
    )
    kb = diagnose.load_knowledge_base(root)
    assert kb.item("he_3").scale.label(5).en == "e"


def test_an_example_whose_level_and_score_disagree_is_refused(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "recommend/health.yaml": (
                "      - levels: {health: high}\n        fires: false",
                "      - levels: {health: high}\n        scores: {health: 1.5}\n        fires: false",
            )
        }
    )
    assert problems(root) == [
        "recommend/health.yaml:23:26: rules[0].examples[1].scores.health: score 1.5 of 'health' is 'low', "
        "but the example gives level 'high'; give one of the two, or make them agree"
    ]
