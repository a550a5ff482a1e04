"""The durable-rules adapter: compilation, three-valued logic, state hygiene, threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose
from diagnose._engine import compile_ruleset
from diagnose.conditions import level_key, score_key, truth


def test_only_the_adapter_imports_durable() -> None:
    import ast
    import pathlib

    package = pathlib.Path(diagnose.__file__).parent
    importers = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in {"durable", "durable_rules_engine"} for n in names):
                importers.add(path.name)
    assert importers == {"_engine.py"}


def test_not_over_unknown_factors_compiles_to_positive_levels(fixture_kb: diagnose.KnowledgeBase) -> None:
    definition = compile_ruleset(fixture_kb)
    condition = definition["no_barrier_job_matching"]["all"][0]["m"]
    assert condition == {
        "$and": [
            {"kind": "intake"},
            {
                "$and": [
                    {"$or": [{"l__self_efficacy": "medium"}, {"l__self_efficacy": "high"}]},
                    {"$or": [{"l__motivation": "medium"}, {"l__motivation": "high"}]},
                    {"$or": [{"l__health": "medium"}, {"l__health": "high"}]},
                ]
            },
        ]
    }
    assert definition["no_barrier_job_matching"]["pri"] == 3


def test_no_rule_reads_sid_or_id(kb: diagnose.KnowledgeBase) -> None:
    text = str(compile_ruleset(kb))
    assert "'sid'" not in text
    assert "'id'" not in text


def test_ten_thousand_assessments_leave_no_engine_state(kb: diagnose.KnowledgeBase) -> None:
    """More than durable's 1024-session limit: every session must be deleted, on every path."""
    engine = kb.engine()
    answers = [
        {
            "se_1": 1 + i % 5,
            "se_2": 1 + (i // 5) % 5,
            "se_3": 3,
            "mo_1": 1 + (i // 25) % 5,
            "mo_2": 2,
            "he_1": 1 + i % 3,
            "he_3": 2,
        }
        for i in range(10_000)
    ]
    sids = []
    for a in answers:
        diagnose.assess(a, knowledge_base=kb)
        sids.append(engine.last_session_id())
    assert engine.live_sessions == 0
    assert len(set(sids)) == 10_000
    assert not any(engine.has_session(sid) for sid in sids[::97])
    assert not engine.has_session(sids[-1])


def test_has_session_sees_a_live_session(kb: diagnose.KnowledgeBase) -> None:
    """The hygiene check above can fail: a session asserted by hand is visible until deleted."""
    engine = kb.engine()
    core = engine._core
    code, state = core.assert_fact(engine._handle, '{"kind": "intake", "sid": "probe"}')
    assert code == 0
    assert engine._drain(state) == {"_handled"}  # drained before delete: durable's crash trap
    assert engine.has_session("probe")
    core.delete_state(engine._handle, "probe")
    assert not engine.has_session("probe")


LEVEL = st.sampled_from(["low", "medium", "high"])


@st.composite
def facts(draw: st.DrawFn) -> dict[str, object]:
    fact: dict[str, object] = {}
    for factor in diagnose.load_knowledge_base().factors:
        if draw(st.booleans()):
            fact[level_key(factor)] = draw(LEVEL)
            fact[score_key(factor)] = draw(st.floats(1, 5))
    return fact


@settings(max_examples=300, deadline=None)
@given(facts())
def test_engine_agrees_with_three_valued_truth(fact: dict[str, object]) -> None:
    """Invariant: a rule fires in durable-rules exactly when its condition is definitely true."""
    kb = diagnose.load_knowledge_base()
    fired = set(kb.engine().fired(fact))
    expected = {rule.id for rule in kb.rules if truth(rule.when, fact) is True}
    assert fired == expected


def test_eight_threads_get_the_sequential_results(kb: diagnose.KnowledgeBase) -> None:
    intakes = [
        {
            "se_1": 1 + i % 5,
            "se_2": 1 + (i * 7) % 5,
            "se_3": 1 + (i * 3) % 5,
            "mo_1": 1 + (i // 5) % 5,
            "mo_2": 3,
            "he_1": 1 + i % 4,
            "he_2": 2,
        }
        for i in range(400)
    ]
    sequential = [diagnose.assess(a, knowledge_base=kb) for a in intakes]
    barrier = threading.Barrier(8)

    def work(offset: int) -> list[diagnose.Diagnosis]:
        barrier.wait()
        return [diagnose.assess(intakes[(offset + i) % 400], knowledge_base=kb) for i in range(400)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(0, 400, 50)))
    for offset, result in zip(range(0, 400, 50), results, strict=True):
        assert result == [sequential[(offset + i) % 400] for i in range(400)]
    assert kb.engine().live_sessions == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(facts(), max_size=40))
def test_a_batch_fires_what_each_fact_fires_alone(batch: list[dict[str, object]]) -> None:
    """Invariant: `fired_many` (one session, capped actions) equals `fired` on each fact, in order."""
    engine = diagnose.load_knowledge_base().engine()
    assert engine.fired_many(batch) == [engine.fired(fact) for fact in batch]
    assert engine.live_sessions == 0


def test_equal_facts_in_one_batch_each_fire(kb: diagnose.KnowledgeBase) -> None:
    """durable-rules drops a fact equal to one already in the session: positions keep them apart."""
    fact = {level_key("motivation"): "low"}
    assert kb.engine().fired_many([fact, fact, {}, fact]) == [("low_motivation",)] * 2 + [()] + [
        ("low_motivation",)
    ]


def test_a_batch_larger_than_one_action_holds(kb: diagnose.KnowledgeBase) -> None:
    """More matches than durable's `cap` arrive as several actions; none is lost."""
    from diagnose._engine import CAP

    batch = [{level_key("motivation"): "low"} if n % 2 else {} for n in range(2 * CAP + 3)]
    fired = kb.engine().fired_many(batch)
    assert fired == [("low_motivation",) if n % 2 else () for n in range(len(batch))]


def test_batches_leave_no_engine_state(kb: diagnose.KnowledgeBase) -> None:
    engine = kb.engine()
    sids = []
    for _ in range(1500):  # beyond durable's 1024 live sessions
        engine.fired_many([{level_key("health"): "low"}])
        sids.append(engine.last_session_id())
    assert engine.live_sessions == 0
    assert not any(engine.has_session(sid) for sid in sids[::101])
