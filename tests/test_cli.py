"""The command line: readable and JSON output, check, schema, and clean failures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

import diagnose
from diagnose.cli._main import cli

if TYPE_CHECKING:
    from tests.conftest import MakeKb

EXAMPLE = str(Path(__file__).parents[1] / "examples" / "intake-low-self-efficacy.json")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_assess_prints_tables_in_dutch_by_default() -> None:
    code, out, _ = run("assess", EXAMPLE)
    assert code == 0
    assert "Geloof in eigen kunnen" in out
    assert "Succeservaringen opdoen" in out
    assert diagnose.load_knowledge_base().content_hash in out


def test_assess_in_english() -> None:
    code, out, _ = run("assess", EXAMPLE, "--lang", "en")
    assert code == 0
    assert "Success experiences" in out
    assert "Job-search self-efficacy" in out


def test_assess_writes_scores_with_the_decimal_separator_of_the_language(tmp_path: Path) -> None:
    # GIVEN an intake where self-efficacy scores 1.5 (answers 1, 2, 1, 4 reversed to 2)
    intake = tmp_path / "intake.yaml"
    intake.write_text("answers: {se_1: 1, se_2: 2, se_3: 1, se_4: 4}\n", encoding="utf-8")
    # WHEN it is assessed in Dutch and in English THEN Dutch writes 1,50 and English 1.50
    nl, en = run("assess", str(intake))[1], run("assess", str(intake), "--lang", "en")[1]
    assert re.search(r"Geloof in eigen kunnen\s*│\s*laag\s*│\s*1,50\s*│", nl), nl
    assert re.search(r"Job-search self-efficacy\s*│\s*low\s*│\s*1\.50\s*│", en), en
    assert "1.50" not in nl


def test_assess_json_is_a_diagnosis() -> None:
    code, out, _ = run("assess", EXAMPLE, "--json")
    assert code == 0
    d = diagnose.Diagnosis.model_validate_json(out)
    assert d.recommendations[0].intervention == "success_experiences"


def test_assess_keeps_the_intake_date_given_with_as_of() -> None:
    code, out, _ = run("assess", EXAMPLE, "--json", "--as-of", "2026-03-02")
    assert code == 0
    assert str(diagnose.Diagnosis.model_validate_json(out).assessed_on) == "2026-03-02"
    code, out, _ = run("assess", EXAMPLE, "--json")
    assert diagnose.Diagnosis.model_validate_json(out).assessed_on is None


def test_assess_refuses_a_date_that_is_no_date() -> None:
    code, _, err = run("assess", EXAMPLE, "--as-of", "2026-02-30")
    assert code == 2
    assert err == (
        "error: Invalid value for '--as-of': expected a date as YYYY-MM-DD, got '2026-02-30'. "
        "Try 'diagnose assess --help' for help.\n"
    )


def test_assess_reads_yaml_from_stdin() -> None:
    code, out, _ = run("assess", "-", "--json", stdin="answers:\n  mo_1: 1\n  mo_2: 1\n")
    assert code == 0
    assert json.loads(out)["recommendations"][0]["intervention"] == "motivational_interviewing"


def test_bad_answer_is_one_clean_message() -> None:
    code, out, err = run("assess", "-", stdin='{"answers": {"se_1": 9}}')
    assert code == 1
    assert out == ""
    assert err == (
        "error: <stdin>: item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', "
        "'declined', 'unknown'; got 9\n"
    )


def test_missing_file_and_bad_shape(tmp_path: Path) -> None:
    code, _, err = run("assess", str(tmp_path / "none.json"))
    assert code == 1
    assert err == f"error: {tmp_path / 'none.json'}: cannot read the file: No such file or directory\n"
    code, _, err = run("assess", "-", stdin='{"anwsers": {}}')
    assert (code, err) == (
        1,
        "error: <stdin>: expected a mapping with 'answers' (and optionally 'context')\n",
    )
    code, _, err = run("assess", "-", stdin='{"answers": {}, "contxt": {}}')
    assert (code, err) == (
        1,
        "error: <stdin>: unknown key 'contxt'; an intake has 'answers' and 'context'\n",
    )
    code, _, err = run("assess", "-", stdin="answers: [1, 2]\n")
    assert (code, err) == (1, "error: <stdin>:1:10: answers: expected a mapping of id to value\n")
    code, _, err = run("assess", "-", stdin="answers: {a: [1}\n")
    assert code == 1
    assert err == (
        "error: <stdin>:1:16: YAML syntax error: expected ',' or ']', but got '}' "
        "(while parsing a flow sequence started at line 1, column 14)\n"
    )


def test_bad_option_is_a_usage_error() -> None:
    code, _, err = run("assess", EXAMPLE, "--lang", "fr")
    assert code == 2
    assert "Invalid value for '--lang'" in err
    assert "Traceback" not in err


def test_check_passes_on_the_default_knowledge_base() -> None:
    code, out, _ = run("check")
    assert code == 0
    kb = diagnose.load_knowledge_base()
    assert out.startswith(
        f"ok: diagnose_default {kb.version}: {len(kb.factors)} factors, {len(kb.items)} items, "
    )
    assert out.endswith(f"; 0 error(s), 0 warning(s); {kb.content_hash}\n")


def test_check_lists_problems_per_file_and_exits_1(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "interventions.yaml": ("    targets: [health]\n", "    targets: [healt]\n"),
            "recommend/health.yaml": (
                "when: {factor: health, level: low}",
                "when: {factor: helth, level: low}",
            ),
        }
    )
    code, out, _ = run("check", str(root))
    assert code == 1
    assert out == (
        "interventions.yaml\n"
        "  interventions.yaml:96:15: interventions[3].targets[0]: unknown factor 'healt' (did you mean 'health'?)\n"
        "recommend/health.yaml\n"
        "  recommend/health.yaml:9:20: rules[0].when.factor: unknown factor 'helth' (did you mean 'health'?)\n"
        "failed: 2 problem(s); the knowledge base could not be loaded\n"
    )
    code, out, _ = run("check", str(root), "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["ok"] is False
    assert payload["problems"][1] == {
        "file": "recommend/health.yaml",
        "line": 9,
        "column": 20,
        "path": "rules[0].when.factor",
        "message": "unknown factor 'helth' (did you mean 'health'?)",
    }


def test_check_reports_a_failing_example(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "recommend/health.yaml": (
                "      - levels: {health: high}\n        fires: false",
                "      - levels: {health: high}\n        fires: true",
            )
        }
    )
    code, out, _ = run("check", str(root))
    assert code == 1
    lines = out.splitlines()
    assert lines[:2] == [
        "recommend/health.yaml",
        "  recommend/health.yaml:22:9: rules[0].examples[1]: rule 'low_health' example: "
        "expected fires, but it did not fire",
    ]
    assert lines[2].startswith(
        "failed: diagnose_default 0.1.0: 3 factors, 10 items, 6 interventions, 8 rules, 14 examples, 0 cases; 1 error(s), 0 warning(s); sha256:"
    )


def test_check_reports_findings_and_strict_fails_on_warnings(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/health.yaml": ("recommend: health_assessment", "recommend: job_matching")})
    code, out, _ = run("check", str(root))
    assert code == 0
    assert (
        "interventions.yaml:87:9: interventions[3]: warning[unreachable-intervention]: no rule recommends 'health_assessment'"
        in out
    )
    assert run("check", str(root), "--strict")[0] == 1
    code, out, _ = run(
        "check", str(root), "--strict", "--ignore", "unreachable-intervention", "--ignore", "coverage-gap"
    )
    assert (code, "warning[" in out) == (0, False)


def test_check_runs_cases_and_reports_each_failure(make_kb: MakeKb) -> None:
    cases = """cases:
  - id: unsure_but_motivated
    answers: {se_1: 1, se_2: 2, se_3: 1, mo_1: 5, mo_2: 4}
    expect: {leading: [success_experiences], excludes: [job_matching], not_assessed: [health]}
  - id: wrong_expectation
    answers: {mo_1: 1, mo_2: 1}
    expect: {leading: [job_matching], includes: [health_assessment]}
  - id: off_the_scale
    answers: {se_1: 9}
    expect_error: "item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got 9"
  - id: wrongly_expected_error
    answers: {se_1: 3}
    expect_error: "nothing"
"""
    root = make_kb({"cases/basic.yaml": cases})
    code, out, _ = run("check", str(root))
    assert code == 1
    assert out.splitlines()[:5] == [
        "cases/basic.yaml",
        "  cases/basic.yaml:5:9: cases[1]: case 'wrong_expectation': expected leading ['job_matching'], got ['motivational_interviewing']",
        "  cases/basic.yaml:5:9: cases[1]: case 'wrong_expectation': expected 'health_assessment' among ['motivational_interviewing']",
        "  cases/basic.yaml:11:9: cases[3]: case 'wrongly_expected_error': expected error 'nothing', but the intake was accepted",
        "failed: diagnose_default 0.1.0: 3 factors, 10 items, 6 interventions, 8 rules, 14 examples, 4 cases; 3 error(s), 0 warning(s); "
        + out.splitlines()[4].split("; ")[-1],
    ]


def test_schema_options() -> None:
    code, out, _ = run("schema", "--result")
    assert code == 0
    assert json.loads(out)["title"] == "Diagnosis"
    code, out, _ = run("schema", "--knowledge-base")
    assert json.loads(out) == json.loads(
        (Path(diagnose.default_knowledge_base_path()) / "schema.json").read_text(encoding="utf-8")
    )


def test_assess_with_a_broken_knowledge_base(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/health.yaml": ("recommend: health_assessment", "recommend: nothing")})
    code, _, err = run("assess", EXAMPLE, "--kb", str(root))
    assert code == 1
    assert err == (
        f"error: {root}: the knowledge base has 1 problem(s); run 'diagnose check {root}' to see them all\n"
        "recommend/health.yaml:10:16: rules[0].recommend: unknown intervention 'nothing' "
        "(did you mean 'job_matching'?)\n"
    )


def test_schema_is_the_intake_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["required"] == ["answers"]
    assert "se_1" in schema["properties"]["answers"]["properties"]


def test_strict_verdict_and_errors_cannot_be_ignored(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/health.yaml": ("recommend: health_assessment", "recommend: job_matching")})
    code, out, _ = run("check", str(root), "--strict")
    assert code == 1
    assert out.splitlines()[-1].startswith("failed: ")
    code, _, err = run("check", str(root), "--ignore", "barrier-removes-support")
    assert code == 2
    assert "Invalid value for '--ignore'" in err


EVIDENCE_SHOWN = [
    pytest.param(
        "nl",
        ("NL: geen erkenning vastgelegd", "internationaal: matig", "Waar het advies op steunt",
         "1. Succeservaringen opdoen (nu)", "   internationaal (laag): Geen beoordeling in een Nederlandse",
         "   Bronnen:", "   - Bandura, A. (1997). Self-efficacy: the exercise of control. New York: W. H. Freeman."),
        id="nl",
    ),
    pytest.param(
        "en",
        ("NL: no recognition recorded", "international: moderate", "What the advice rests on",
         "1. Success experiences (now)", "   international (low): No rating in a Dutch databank",
         "   Sources:"),
        id="en",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "shown"), EVIDENCE_SHOWN)
def test_assess_shows_the_evidence_its_grade_and_sources(lang: str, shown: tuple[str, ...]) -> None:
    out = run("assess", EXAMPLE, "--lang", lang)[1]
    missing = [text for text in shown if text not in out]
    assert missing == []


def test_assess_shows_the_warnings_and_the_rung() -> None:
    partly = str(Path(EXAMPLE).with_name("intake-partly-answered.json"))
    out = run("assess", partly, "--rung", "4")[1]
    assert "Participatieladder: trede 4 (Onbetaald werk)\n" in out
    assert "Let op: 10 van de 18 onderwerpen zijn niet gemeten. Het advies zegt daar niets over.\n" in out
    code, _, err = run("assess", partly, "--rung", "9")
    assert (code, err) == (
        1,
        f"error: {partly}: argument 'participation_rung': expected a whole number from 1 to 6 "
        "(a rung of the ladder), got builtins.int 9\n",
    )


def test_python_m_diagnose_runs_the_command_line() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "diagnose", "--help"], check=False, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: python -m diagnose [OPTIONS] COMMAND [ARGS]...")


def test_assess_names_undecided_rules_in_words_and_keeps_ids_for_json(tmp_path: Path) -> None:
    # GIVEN an intake of the fixture knowledge base without any health answer
    intake = tmp_path / "intake.yaml"
    intake.write_text("answers: {se_1: 3, se_2: 3, se_3: 3, se_4: 3, mo_1: 4, mo_2: 4}\n", encoding="utf-8")
    kb = str(Path(__file__).parent / "data" / "kb")
    # WHEN it is assessed as a table, in Dutch and in English, and as JSON
    nl = " ".join(run("assess", str(intake), "--kb", kb)[1].split())
    en = " ".join(run("assess", str(intake), "--kb", kb, "--lang", "en")[1].split())
    as_json = json.loads(run("assess", str(intake), "--kb", kb, "--json")[1])
    # THEN the tables say each undecided rule with the knowledge base's names, and no id
    assert (
        "Nog niet beslist: Gezondheid beperkt de klant, advies Arbeidsgerichte gezondheidsverkenning. "
        "Er ontbreekt: Ervaren gezondheid en belastbaarheid. "
        "Nog niet beslist: Gezondheidsbeperkingen en wil om te werken, advies Individuele plaatsing en "
        "steun (IPS). Er ontbreekt: Ervaren gezondheid en belastbaarheid. "
        "Nog niet beslist: Geen belemmering zichtbaar, advies Direct bemiddelen naar passend werk. "
        "Er ontbreekt: Ervaren gezondheid en belastbaarheid. diagnose_default 0.1.0 sha256:"
    ) in nl
    assert (
        "Not decided yet: No barrier visible, advice Direct matching to suitable work. "
        "Missing: Health and work capacity. diagnose_default"
    ) in en
    for text in (nl, en):
        assert re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text) == ["diagnose_default"], text  # no other id
    # AND the JSON keeps the ids
    assert [
        (u["rule"], u["intervention"], u["not_assessed"]) for u in as_json["trace"]["undecided_rules"]
    ] == [
        ("low_health", "health_assessment", ["health"]),
        ("low_health_wants_work", "individual_placement_support", ["health"]),
        ("no_barrier_job_matching", "job_matching", ["health"]),
    ]


def test_assess_names_a_missing_context_field_by_its_description(make_kb: MakeKb, tmp_path: Path) -> None:
    # GIVEN a rule that reads a context field the intake does not give
    root = make_kb(
        {
            "instrument.yaml": (
                "items:\n",
                "context:\n  - id: in_care\n    type: boolean\n"
                "    description: {nl: De klant is in zorg., en: The client is in care.}\nitems:\n",
            ),
            "recommend/health.yaml": (
                "    when: {factor: health, level: low}\n",
                "    when:\n      all:\n        - {factor: health, level: low}\n        - {context: in_care, is: false}\n",
            ),
        }
    )
    intake = tmp_path / "intake.yaml"
    intake.write_text("answers: {he_1: 1, he_2: 5, he_3: 1}\n", encoding="utf-8")
    # WHEN it is assessed THEN the field is named by its description, without its full stop
    out = " ".join(run("assess", str(intake), "--kb", str(root), "--lang", "en")[1].split())
    assert "Not decided yet: Health limits the client, advice " in out
    assert ". Missing: The client is in care. " in out, out
