"""The benchmark's floor (`bench/_floor.py`) fires exactly what durable-rules fires.

The benchmark compares durable-rules with `PythonRules` and several engine tests use it as their
oracle, so the two must agree: on the packaged rules, the fixture rules, and generated facts.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.engine._cache import rule_engine
from diagnose.knowledge.conditions import Facts
from tests.conftest import FIXTURE_KB
from tests.floor import PythonRules

if TYPE_CHECKING:
    from diagnose.knowledge._models import ContextField

LEVEL = st.sampled_from(["low", "medium", "high"])


def _value(field: ContextField) -> st.SearchStrategy[object]:
    if field.type == "boolean":
        return st.booleans()
    if field.type == "enum":
        return st.sampled_from(field.values)
    if field.type == "integer":
        return st.integers(-5, 60)
    return st.floats(-5, 60, allow_nan=False)


@st.composite
def facts(draw: st.DrawFn, kb: diagnose.KnowledgeBase) -> Facts:
    """Any factor assessed or not (any level and score), any context field given or not."""
    levels: dict[str, str] = {}
    scores: dict[str, float] = {}
    for factor in kb.factors:
        if draw(st.booleans()):
            levels[factor] = draw(LEVEL)
            scores[factor] = draw(st.floats(1, 5))
    context = {f.id: draw(_value(f)) for f in kb.context_fields.values() if draw(st.booleans())}
    return Facts(levels, scores, context)


@functools.cache
def _kb(name: str) -> diagnose.KnowledgeBase:
    return diagnose.load_knowledge_base(FIXTURE_KB) if name == "fixture" else diagnose.load_knowledge_base()


@functools.cache
def _floor(name: str) -> Any:  # noqa: ANN401 - PythonRules, loaded by path
    return PythonRules(_kb(name))


@settings(max_examples=300)
@given(
    st.sampled_from(["packaged", "fixture"]).flatmap(lambda name: st.tuples(st.just(name), facts(_kb(name))))
)
def test_the_floor_fires_what_durable_fires(case: tuple[str, Facts]) -> None:
    """Invariant: for any fact, `PythonRules.fired` equals `RuleEngine.fired` (same rules, same order)."""
    name, fact = case
    kb = _kb(name)
    assert _floor(name).fired(fact) == rule_engine(kb).fired(fact)


def test_the_floor_and_durable_fire_some_rules_on_the_packaged_rules() -> None:
    """The check above can fail: on these facts both fire rules, and not the same ones each time."""
    kb = diagnose.load_knowledge_base()
    floor, engine = PythonRules(kb), rule_engine(kb)
    all_low = Facts(dict.fromkeys(kb.factors, "low"), dict.fromkeys(kb.factors, 1.0))
    all_high = Facts(dict.fromkeys(kb.factors, "high"), dict.fromkeys(kb.factors, 5.0))
    results = [(floor.fired(fact), engine.fired(fact)) for fact in (all_low, all_high, Facts())]
    assert [python for python, _ in results] == [durable for _, durable in results]
    assert results[0][0] != results[1][0]
    assert results[0][0]
