"""Vignette cases as data: whole intakes with the advice they must get, or the error they must raise."""

from __future__ import annotations

from pathlib import Path

import pytest

import diagnose
from diagnose.authoring.checks import load_cases, run_cases
from diagnose.knowledge.cases import Case

CASES = load_cases(Path(__file__).parent / "cases")


def test_there_are_vignettes_and_rejections() -> None:
    assert len([c for _, c in CASES if c.expect is not None]) >= 6
    assert len([c for _, c in CASES if c.expect_error is not None]) >= 3


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f}:{c.id}" for f, c in CASES])
def test_case(file: str, case: Case) -> None:
    (result,) = run_cases(diagnose.load_knowledge_base(), ((file, case),))
    assert result.problems == ()
    assert result.outcome == "passed"


def test_a_wrong_expectation_is_reported() -> None:
    """The runner can fail: a case expecting the wrong advice is reported with what it got."""
    case = Case.model_validate_json(
        '{"id": "wrong", "answers": {"mo_1": 1, "mo_2": 1}, "expect": {"leading": ["job_matching"]}}'
    )
    (result,) = run_cases(diagnose.load_knowledge_base(), (("x.yaml", case),))
    assert result.outcome == "failed"
    assert result.problems[0].startswith(
        "expected leading ['job_matching'], got ['motivational_interviewing'"
    )


def test_bad_case_files_are_located(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "cases:\n  - id: x\n    answers: {se_1: 3}\n    expect: {leadng: [a]}\n"
    )
    with pytest.raises(diagnose.KnowledgeBaseError) as info:
        load_cases(tmp_path)
    assert (
        str(info.value)
        == "bad.yaml:4:14: cases[0].expect.leadng: unknown key 'leadng' (did you mean 'leading'?)"
    )
