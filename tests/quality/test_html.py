"""The pages in Dutch and English: the findings in the page's language, text from the data escaped."""

from __future__ import annotations

from html import unescape

import diagnose
from diagnose.quality import fairness_audit, instrument_quality
from diagnose.quality._html import audit_html, quality_html
from diagnose.quality._simulate import simulate_caseload, simulate_decisions


def test_findings_are_written_in_the_pages_language(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(
        fixture_kb, 1500, seed=31, wrong_key="se_2", group_shares={"a": 0.7, "c": 0.3}
    )
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb)
    diagnoses = list(diagnose.assess_many(caseload.rows, knowledge_base=fixture_kb))
    decisions = simulate_decisions(diagnoses, caseload.groups, planted={"c": 0.45})
    audit = fairness_audit(diagnoses, caseload.groups, decisions, knowledge_base=fixture_kb)
    assert "vraag 'se_2' hangt negatief (" in unescape(quality_html(report, fixture_kb, "nl"))
    assert "item 'se_2': correlates negatively (" in unescape(quality_html(report, fixture_kb, "en"))
    dutch = unescape(audit_html(audit, fixture_kb, "nl"))
    english = unescape(audit_html(audit, fixture_kb, "en"))
    assert "bij gelijke factorniveaus wordt het advies bij groep 'c'" in dutch
    assert "Bij gelijke factorniveaus (kijk hier eerst" in dutch
    assert "at equal factor levels, 'c' gets a decline of the advice" in english


def test_group_labels_are_escaped(fixture_kb: diagnose.KnowledgeBase) -> None:
    diagnoses = [diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=fixture_kb) for _ in range(20)]
    audit = fairness_audit(diagnoses, ["<script>x</script>"] * 20, knowledge_base=fixture_kb)
    page = audit_html(audit, fixture_kb, "en")
    assert "<script" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
