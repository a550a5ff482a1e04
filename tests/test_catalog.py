"""The generated catalogue: complete, in both languages, and it follows the rule files."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import diagnose
from diagnose.authoring.catalog import describe_condition, render_markdown

if TYPE_CHECKING:
    from tests.conftest import MakeKb


def test_catalog_lists_every_factor_item_intervention_and_rule(kb: diagnose.KnowledgeBase) -> None:
    text = render_markdown(kb, "nl")
    for ident in [*kb.factors, *(i.id for i in kb.items), *kb.interventions, *(r.id for r in kb.rules)]:
        assert f"`{ident}`" in text, ident
    assert "Niet beoordeeld" in text
    assert kb.content_hash in text


def test_catalog_changes_when_a_rule_file_changes(make_kb: MakeKb) -> None:
    before = render_markdown(diagnose.load_knowledge_base(make_kb({})), "en")
    root = make_kb(
        {
            "recommend/health.yaml": (
                "when: {factor: health, level: low}",
                "when: {factor: health, level: [low, medium]}",
            )
        }
    )
    after = render_markdown(diagnose.load_knowledge_base(root), "en")
    assert before != after
    assert (
        "| `low_health` | Health and work capacity is low or medium | Work-focused health assessment | 1 |"
        in after
    )


def test_conditions_in_words(fixture_kb: diagnose.KnowledgeBase) -> None:
    rule = next(r for r in fixture_kb.rules if r.id == "no_barrier_job_matching")
    assert describe_condition(rule.when, fixture_kb, "nl") == (
        "niet (Geloof in eigen kunnen is laag of Wil om te werken is laag of Ervaren gezondheid en belastbaarheid is laag)"
    )


def test_knowledge_base_text_cannot_become_html_or_a_link_in_the_catalogue(make_kb: MakeKb) -> None:
    # GIVEN a factor name with a script tag and a link, as a rule folder from elsewhere might hold
    hostile = "Wil <script>alert(1)</script> [klik](javascript:alert(2))"
    root = make_kb({"instrument.yaml": ("{nl: Wil om te werken,", f'{{nl: "{hostile}",')})
    # WHEN the catalogue is rendered THEN the text is inert wherever it appears
    text = render_markdown(diagnose.load_knowledge_base(root), "nl")
    assert "<script>" not in text
    assert re.search(r"(?<!\\)\]\(javascript:", text) is None  # only the escaped \] is there
    assert text.count(r"Wil &lt;script&gt;alert(1)&lt;/script&gt; \[klik\](javascript:alert(2))") == 12


def test_knowledge_base_text_cannot_become_emphasis_code_or_a_heading(make_kb: MakeKb) -> None:
    root = make_kb({"instrument.yaml": ("{nl: Wil om te werken,", '{nl: "# *Wil* `om` ~~te~~ _werken_",')})
    text = render_markdown(diagnose.load_knowledge_base(root), "nl")
    assert text.count(r"\*Wil\* \`om\` \~\~te\~\~ \_werken\_") == 12  # each place the name is shown
    assert text.count(r"\# \*Wil\*") == 7  # where it starts the text; inside a sentence # is plain
    assert re.search(r"(?<!\\)[*`~_]Wil|(?<!\\)\*Wil", text) is None
