"""next_questions: stopping when it is empty never changes the advice, and what it lists can."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.assessment.scoring import score
from diagnose.engine._cache import rule_engine
from diagnose.engine._durable import decode, fact_fields, level_key, score_key

if TYPE_CHECKING:
    from tests.conftest import MakeKb

FIXTURE = Path(__file__).parent / "data" / "kb"
#: Health with a screening set: he_1 and he_2 first, he_3 only when they are low.
SCREENING = (
    "    barrier: true\n    min_answered: 2\n",
    "    barrier: true\n    min_answered: 2\n    screening: [he_1, he_2]\n",
)


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> diagnose.KnowledgeBase:
    root = tmp_path_factory.mktemp("screened") / "kb"
    shutil.copytree(FIXTURE, root)
    text = (root / "instrument.yaml").read_text(encoding="utf-8")
    assert SCREENING[0] in text
    (root / "instrument.yaml").write_text(text.replace(*SCREENING, 1), encoding="utf-8")
    return diagnose.load_knowledge_base(root)


EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/intake-*.json"))
ITEMS = ("se_1", "se_2", "se_3", "se_4", "mo_1", "mo_2", "mo_3", "he_1", "he_2", "he_3")
ANSWER = st.one_of(st.integers(1, 5), st.sampled_from(["declined", "unknown"]))


def states(kb: diagnose.KnowledgeBase, answers: dict[str, object], factor: str) -> set[tuple[object, ...]]:
    """Every fact a factor can end with, by scoring every way to answer, decline or skip its remaining items.

    With a screening set, only the ways its protocol allows: an item after the screen is asked
    only once every screen item was asked and the screen is low (or has no answer).
    """
    spec = kb.factors[factor]
    items = kb.items_by_factor[factor]
    left = [i.id for i in items if i.id not in answers]
    options: list[object] = [*range(1, 6), "not_asked"] + (["declined"] if spec.screening else [])
    out: set[tuple[object, ...]] = set()
    for values in itertools.product(options, repeat=len(left)):
        full = {**answers, **dict(zip(left, values, strict=True))}
        if spec.screening and not _allowed(kb, spec, full, left):
            continue
        s = score(kb, full).scores[factor]  # type: ignore[arg-type]  # checked answers
        fact = (
            ()
            if s.score is None
            else (s.level, s.score if score_key(factor) in fact_fields(kb.rules) else None)
        )
        out.add(fact)
    return out


def _allowed(
    kb: diagnose.KnowledgeBase, spec: diagnose.Factor, full: dict[str, object], left: list[str]
) -> bool:
    """Whether an outcome follows the screening protocol (see `states`)."""
    after = [i for i in left if i not in spec.screening and full[i] != "not_asked"]
    if not after:
        return True
    if any(full.get(i, "not_asked") == "not_asked" for i in spec.screening):
        return False
    screen = [kb.item(i).scored(v) for i in spec.screening if isinstance(v := full.get(i), int)]
    return not screen or spec.thresholds.level(sum(screen) / len(screen)) == "low"


def fired_sets(kb: diagnose.KnowledgeBase, answers: dict[str, object]) -> set[tuple[str, ...]]:
    """The fired rules over every combination of the factors' reachable states (brute force)."""
    per_factor = {
        f: states(kb, {k: v for k, v in answers.items() if kb.item(k).factor == f}, f) for f in kb.factors
    }
    out = set()
    for combo in itertools.product(*per_factor.values()):
        fact: dict[str, object] = {}
        for factor, state in zip(per_factor, combo, strict=True):
            if state:
                fact[level_key(factor)] = state[0]
                fact[score_key(factor)] = state[1] if state[1] is not None else 3.0
        out.add(rule_engine(kb).fired(decode({k: v for k, v in fact.items() if k in fact_fields(kb.rules)})))
    return out


#: Any subset of the items answered, or nearly all of them (where stopping early is most often due).
INTAKES = st.one_of(
    st.fixed_dictionaries({}, optional=dict.fromkeys(ITEMS, ANSWER)),
    st.tuples(
        st.fixed_dictionaries(dict.fromkeys(ITEMS, ANSWER)), st.sets(st.sampled_from(ITEMS), max_size=4)
    ).map(lambda pair: {k: v for k, v in pair[0].items() if k not in pair[1]}),
)


def check_stopping(kb: diagnose.KnowledgeBase, answers: dict[str, object]) -> None:
    """The invariant of the two tests below."""
    nq = diagnose.next_questions(answers, knowledge_base=kb)
    now = diagnose.assess(answers, knowledge_base=kb)
    event("done" if nq.done else "questions left")
    if nq.done:
        stopped = tuple(sorted(r.rule for r in now.trace.fired_rules))
        assert {tuple(sorted(fired)) for fired in fired_sets(kb, answers)} == {stopped}
    for factor in nq.open:
        mine = {k: v for k, v in answers.items() if kb.item(k).factor == factor}
        others = {k: v for k, v in answers.items() if kb.item(k).factor != factor}
        # Fix the other factors at each of their reachable states: some choice must make this one matter.
        per_other = {
            f: states(kb, {k: v for k, v in others.items() if kb.item(k).factor == f}, f)
            for f in kb.factors
            if f != factor
        }
        assert any(
            len(
                {
                    _fired(kb, {factor: s, **dict(zip(per_other, combo, strict=True))})
                    for s in states(kb, mine, factor)
                }
            )
            > 1
            for combo in itertools.product(*per_other.values())
        ), factor
    assert set(nq.open) | set(nq.decided) == set(kb.factors)
    assert {q.factor for q in nq.questions} == set(nq.open)
    assert all(q.item not in answers for q in nq.questions)


@settings(max_examples=150)
@given(answers=INTAKES)
def test_stopping_when_nothing_is_left_never_changes_the_advice(answers: dict[str, object]) -> None:
    """When next_questions is empty, stopping gives the advice of answering everything.

    Every way to answer or skip the remaining items fires the same rules as stopping now; and
    when it is not empty, each factor it lists can still change which rules fire.
    """
    check_stopping(diagnose.load_knowledge_base(FIXTURE), answers)


@settings(max_examples=100)
@given(answers=INTAKES)
def test_with_a_screening_set_stopping_gives_the_advice_of_the_whole_protocol(
    screened: diagnose.KnowledgeBase, answers: dict[str, object]
) -> None:
    """The same, where health has a screen (he_1, he_2) and he_3 follows only when it is low.

    "Answering everything" is then everything the protocol asks: every outcome it allows fires
    the same rules as stopping when next_questions is empty.
    """
    check_stopping(screened, answers)


def _fired(kb: diagnose.KnowledgeBase, chosen: dict[str, tuple[object, ...]]) -> tuple[str, ...]:
    fact: dict[str, object] = {}
    for factor, state in chosen.items():
        if state:
            fact[level_key(factor)] = state[0]
            fact[score_key(factor)] = state[1] if state[1] is not None else 3.0
    return tuple(
        sorted(rule_engine(kb).fired(decode({k: v for k, v in fact.items() if k in fact_fields(kb.rules)})))
    )


def interview(kb: diagnose.KnowledgeBase, full: dict[str, object]) -> dict[str, object]:
    """Ask in next_questions' order, taking each answer from the full intake, until it is empty."""
    asked: dict[str, object] = {}
    skipped: set[str] = set()  # `not_asked` in the full intake: asked about, no answer
    while True:
        nq = diagnose.next_questions(asked, knowledge_base=kb)
        question = next((q for q in nq.questions if q.item not in skipped), None)
        if question is None:
            return asked
        value = full.get(question.item, "not_asked")
        if value == "not_asked":
            skipped.add(question.item)
        else:
            asked[question.item] = value


def advice(d: diagnose.Diagnosis) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(r.intervention, r.priority, r.rules) for r in d.recommendations]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_interview_on_each_example_asks_fewer_items_for_the_same_advice(
    kb: diagnose.KnowledgeBase, path: Path
) -> None:
    full = json.loads(path.read_text(encoding="utf-8"))["answers"]
    asked = interview(kb, full)
    assert advice(diagnose.assess(asked, knowledge_base=kb)) == advice(
        diagnose.assess(full, knowledge_base=kb)
    )
    assert len(asked) < len([v for v in full.values() if v != "not_asked"])


def test_the_most_decisive_items_come_first(fixture_kb: diagnose.KnowledgeBase) -> None:
    nq = diagnose.next_questions({}, knowledge_base=fixture_kb)
    assert [(q.item, len(q.rules), q.needed) for q in nq.questions] == [
        ("mo_1", 6, 2), ("mo_2", 6, 2), ("mo_3", 6, 2),
        ("se_1", 5, 3), ("se_2", 5, 3), ("se_3", 5, 3), ("se_4", 5, 3),
        ("he_1", 3, 2), ("he_2", 3, 2), ("he_3", 3, 2),
    ]  # fmt: skip


def test_a_settled_factor_is_not_asked_further(fixture_kb: diagnose.KnowledgeBase) -> None:
    # Self-efficacy all 1s with one item left stays low; motivation high stays medium or high.
    nq = diagnose.next_questions(
        {"se_1": 1, "se_2": 1, "se_3": 1, "mo_1": 5, "mo_2": 5}, knowledge_base=fixture_kb
    )
    assert nq.decided == ("self_efficacy", "motivation")
    assert [q.item for q in nq.questions] == ["he_1", "he_2", "he_3"]
    assert nq.questions[0].rules == ("low_health", "low_health_wants_work")


def test_declined_and_unknown_count_as_asked(fixture_kb: diagnose.KnowledgeBase) -> None:
    # Health needs 2 answers; with he_1 and he_2 asked and not answered, he_3 alone cannot score it.
    nq = diagnose.next_questions({"he_1": "declined", "he_2": "unknown"}, knowledge_base=fixture_kb)
    assert "health" in nq.decided
    assert [q.item for q in nq.questions if q.factor == "health"] == []
    nq = diagnose.next_questions({"he_1": "declined"}, knowledge_base=fixture_kb)
    assert [q.item for q in nq.questions if q.factor == "health"] == ["he_2", "he_3"]


def test_answers_with_unknown_items_are_refused_where_they_are(fixture_kb: diagnose.KnowledgeBase) -> None:
    message = "item 'se_9': unknown item (did you mean 'se_4'?)"
    with pytest.raises(diagnose.AnswerError, match=f"^{re.escape(message)}$"):
        diagnose.next_questions({"se_9": 3}, knowledge_base=fixture_kb)
    with pytest.raises(
        diagnose.AnswerError,
        match=r"^intake 'answers': expected a mapping of item id to answer .* or an Intake; got \[\('se_1', 3\)\]$",
    ):
        diagnose.next_questions([("se_1", 3)], knowledge_base=fixture_kb)  # type: ignore[arg-type]


def test_an_intake_carries_its_context(kb: diagnose.KnowledgeBase) -> None:
    intake = diagnose.Intake(answers={"mo_1": 5})
    assert diagnose.next_questions(intake, knowledge_base=kb) == diagnose.next_questions(
        {"mo_1": 5}, knowledge_base=kb
    )


@pytest.mark.parametrize(
    ("answers", "asked", "health_decided"),
    [
        ({}, ["he_1", "he_2", "se_4"], False),  # the screen first; he_3 waits for it
        ({"he_1": 5, "he_2": 1}, ["se_4"], True),  # he_2 is reverse-scored: a high screen
        ({"he_1": 2, "he_2": 3}, ["se_4"], True),  # 2.5: medium, not low
        ({"he_1": 2, "he_2": 4}, ["he_3", "se_4"], False),  # low: he_3 follows (it can make it medium)
        ({"he_1": "declined", "he_2": "declined"}, ["se_4"], True),  # he_3 alone cannot score health
    ],
)
def test_the_items_after_a_screen_follow_only_when_it_is_low(
    screened: diagnose.KnowledgeBase, answers: dict[str, object], asked: list[str], *, health_decided: bool
) -> None:
    nq = diagnose.next_questions(
        {"se_1": 4, "se_2": 4, "se_3": 4, "mo_1": 4, "mo_2": 4, **answers}, knowledge_base=screened
    )
    assert [q.item for q in nq.questions] == asked
    assert ("health" in nq.decided) is health_decided


@pytest.mark.parametrize(
    ("screening", "path", "message"),
    [
        (
            "[he_1, se_1]",
            "factors[2].screening[1]",
            "item 'se_1' belongs to factor 'self_efficacy', not to 'health'",
        ),
        ("[he_1, he_9]", "factors[2].screening[1]", "unknown item 'he_9' (did you mean 'he_3'?)"),
        ("[he_1, he_1]", "factors[2].screening[1]", "item 'he_1' is listed twice"),
        (
            "[he_1]",
            "factors[2].screening",
            "a screen of 1 item(s) cannot score factor 'health' alone (min_answered is 2): "
            "when the screen is not low, nothing else is asked",
        ),
    ],
)
def test_check_validates_a_screening_set(make_kb: MakeKb, screening: str, path: str, message: str) -> None:
    root = make_kb({"instrument.yaml": (SCREENING[0], SCREENING[0] + f"    screening: {screening}\n")})
    assert [(p.path, p.message) for p in diagnose.iter_errors(root)] == [(path, message)]


def test_a_screen_is_part_of_the_hash_and_its_absence_changes_no_hash(
    fixture_kb: diagnose.KnowledgeBase, screened: diagnose.KnowledgeBase
) -> None:
    """A screen changes what is asked, so it is knowledge; without one the hash is as before screens."""
    assert screened.content_hash != fixture_kb.content_hash
    # The fixture's hash before `screening` existed (at c99cb08): fields a knowledge base does not use stay out of it.
    assert (
        fixture_kb.content_hash == "sha256:b2028c61475e6e77d4714a41a20a889188a38aaa94b9a165b029efc801da1716"
    )


def test_a_knowledge_base_of_the_wrong_type_is_an_answer_error() -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.next_questions({}, knowledge_base="rules")  # type: ignore[arg-type]  # wrong on purpose
    assert str(info.value) == (
        "argument 'knowledge_base': expected a KnowledgeBase (from diagnose.load_knowledge_base), got str"
    )
