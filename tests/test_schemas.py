"""JSON Schemas: the committed knowledge-base schema is current and accepts the real files."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

import diagnose
from diagnose.knowledge.schema import knowledge_base_schema

RULES = diagnose.default_knowledge_base_path()
FILES = sorted(p for p in RULES.rglob("*.yaml"))


def test_committed_schema_is_current() -> None:
    """Regenerate it with `diagnose schema --knowledge-base > rules/schema.json`."""
    committed = json.loads((RULES / "schema.json").read_text(encoding="utf-8"))
    assert committed == knowledge_base_schema()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(RULES)) for p in FILES])
def test_every_knowledge_base_file_validates_against_the_schema(path: object) -> None:
    validator = jsonschema.Draft202012Validator(
        json.loads((RULES / "schema.json").read_text(encoding="utf-8"))
    )
    assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == []  # type: ignore[attr-defined]


def test_the_schema_rejects_a_misspelled_key() -> None:
    validator = jsonschema.Draft202012Validator(knowledge_base_schema())
    data = yaml.safe_load((RULES / "recommend" / "health.yaml").read_text(encoding="utf-8"))
    data["rules"][0]["priorty"] = data["rules"][0].pop("priority")
    assert list(validator.iter_errors(data)) != []


def test_result_schema_describes_a_diagnosis() -> None:
    d = diagnose.assess({"mo_1": 1, "mo_2": 1})
    jsonschema.validate(json.loads(d.model_dump_json()), diagnose.Diagnosis.model_json_schema(by_alias=True))
