"""Properties of the whole pipeline over random valid intakes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from tests.conftest import default_kb
from tests.property.strategies import answer, answers

if TYPE_CHECKING:
    import random

    from tests.conftest import MakeKb


@given(answers())
def test_every_factor_score_lies_in_its_range(given_answers: dict[str, int | str]) -> None:
    """Invariant: a scored factor's score lies within its items' scale; unscored ones have none."""
    d = diagnose.assess(given_answers, knowledge_base=default_kb())
    for factor, result in d.profile.scores.items():
        scale = default_kb().items_by_factor[factor][0].scale
        if result.level == "not_assessed":
            assert result.score is None
            assert len(result.answered) < default_kb().factors[factor].min_answered
        else:
            assert result.score is not None
            assert scale.min <= result.score <= scale.max


@given(answers(), st.randoms(use_true_random=False))
def test_same_answers_give_the_same_diagnosis_in_any_key_order(
    given_answers: dict[str, int | str], rnd: random.Random
) -> None:
    """Invariant: assess is a pure function of the answers; key order does not matter."""
    items = list(given_answers.items())
    rnd.shuffle(items)
    first = diagnose.assess(given_answers, knowledge_base=default_kb())
    assert diagnose.assess(dict(items), knowledge_base=default_kb()) == first
    assert (
        diagnose.assess(dict(items), knowledge_base=default_kb()).model_dump_json() == first.model_dump_json()
    )


EXTRA_FACTOR = """
  - id: work_attitude
    name: {nl: Houding tegenover werk, en: Attitude toward work}
    description: {nl: Hoe iemand over werk denkt., en: How someone thinks about work.}
    influenceable: true
    min_answered: 1
    thresholds: {medium: 2.5, high: 3.75}
    sources: ["test"]

items:
  - id: wa_1
    factor: work_attitude
    scale: agree5
    text: {nl: Werken is belangrijk., en: Working matters.}
  - id: wa_2
    factor: work_attitude
    scale: agree5
    reverse: true
    text: {nl: Werk is niet voor mij., en: Work is not for me.}
"""


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.data())
def test_answers_to_an_item_no_rule_reads_change_no_recommendation(
    make_kb: MakeKb, data: st.DataObject
) -> None:
    """Invariant: an answer to an item whose factor no rule reads changes no recommendation."""
    kb = diagnose.load_knowledge_base(make_kb({"instrument.yaml": ("\nitems:\n", EXTRA_FACTOR)}))
    given_answers = data.draw(answers(kb))
    first = {**given_answers, "wa_1": data.draw(answer(kb.item("wa_1")))}
    second = {
        **given_answers,
        "wa_1": data.draw(answer(kb.item("wa_1"))),
        "wa_2": data.draw(answer(kb.item("wa_2"))),
    }
    a = diagnose.assess(first, knowledge_base=kb)
    b = diagnose.assess(second, knowledge_base=kb)
    assert a.recommendations == b.recommendations
    assert a.trace.fired_rules == b.trace.fired_rules


@settings(max_examples=300)
@given(
    answers(),
    st.deferred(lambda: st.sampled_from([f.id for f in default_kb().factors.values() if f.barrier])),
    st.data(),
)
def test_a_worse_barrier_never_removes_or_down_ranks_support(
    given_answers: dict[str, int | str], barrier: str, data: st.DataObject
) -> None:
    """Invariant: a worse barrier never removes or down-ranks support.

    Worse answers on a barrier factor (health, language, care, debts) never remove a recommendation
    that an ordinary rule gave, and never make it less urgent; only advice marked `no_barrier`
    (meant for clients without any barrier) may give way.
    """
    worse = dict(given_answers)
    for item in default_kb().items_by_factor[barrier]:
        value = worse.get(item.id)
        if isinstance(value, int):
            step = data.draw(st.integers(0, 4))
            # Unfavourable means a lower scored value: down for normal items, up for reversed ones.
            worse[item.id] = (
                min(item.scale.max, value + step) if item.reverse else max(item.scale.min, value - step)
            )
    before = diagnose.assess(given_answers, knowledge_base=default_kb())
    after = {
        r.intervention: r.priority
        for r in diagnose.assess(worse, knowledge_base=default_kb()).recommendations
    }
    for rec in before.recommendations:
        if all(default_kb().rules_by_id[rule].no_barrier for rule in rec.rules):
            continue
        assert rec.intervention in after, f"{rec.intervention} lost when {barrier} got worse"
        assert after[rec.intervention] <= rec.priority


@settings(max_examples=300)
@given(answers())
def test_phases_put_first_things_first_and_drop_nothing(given_answers: dict[str, int | str]) -> None:
    """Invariant: phases reorder the advice, never remove it.

    With the packaged knowledge base: every intervention of a fired rule is recommended exactly
    once; at most `max_now` are for now and they come first; the stabilising support that is
    advised leads, in its declared order; the rest is for later with the knowledge base's reason.
    """
    kb = default_kb()
    d = diagnose.assess(given_answers, knowledge_base=kb)
    phases = kb.cycle.phases
    recs = d.recommendations
    advised = [r.intervention for r in recs]
    assert sorted(advised) == sorted({kb.rules_by_id[f.rule].recommend for f in d.trace.fired_rules})
    phase_order = [r.phase for r in recs]
    assert phase_order == ["now"] * min(len(recs), phases.max_now) + ["later"] * (len(recs) - phases.max_now)
    stabilising = [i for i in phases.stabilise_first if i in advised]
    assert advised[: len(stabilising)] == stabilising
    assert all(r.phase_reason == (phases.later_reason if r.phase == "later" else None) for r in recs)
