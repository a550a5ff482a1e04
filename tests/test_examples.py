"""Worked examples: every rule's `examples:`, the example intakes, and every docstring example."""

from __future__ import annotations

import doctest
import importlib
import json
import pkgutil
from pathlib import Path

import pytest

import diagnose
from diagnose._moved import MOVED
from diagnose.authoring.checks import ExampleResult, run_examples

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def results(kb: diagnose.KnowledgeBase) -> tuple[ExampleResult, ...]:
    """Every rule example of the default knowledge base, run once (not while collecting)."""
    return run_examples(kb)


def test_rule_example(results: tuple[ExampleResult, ...], subtests: pytest.Subtests) -> None:
    assert results
    for result in results:
        with subtests.test(f"{result.rule}[{result.index}]"):
            assert result.actual == result.expected, result.description


def test_every_rule_has_an_example(results: tuple[ExampleResult, ...]) -> None:
    kb = diagnose.load_knowledge_base()
    assert {r.rule for r in results} == {r.id for r in kb.rules} | {r.id for r in kb.cycle_rules}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_intake_assesses(path: Path) -> None:
    intake = diagnose.Intake.model_validate(json.loads(path.read_text(encoding="utf-8")))
    assert diagnose.assess(intake).recommendations


MODULES = sorted(m.name for m in pkgutil.walk_packages(diagnose.__path__, "diagnose.") if m.name not in MOVED)


@pytest.mark.parametrize("name", ["diagnose", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_public_names_have_docstrings_with_examples() -> None:
    missing = [
        name
        for name in diagnose.__all__
        if not name.startswith("__")
        and callable(obj := getattr(diagnose, name))
        and ">>>" not in (obj.__doc__ or "")
    ]
    assert missing == []
