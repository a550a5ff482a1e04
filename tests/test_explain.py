"""The client's explanation and "what would change this": exact, checked against re-assessing."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose
from diagnose._base import LEVELS
from tests.readability import reading_ease, sentences, syllables

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from tests.conftest import MakeKb

EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/intake-*.json"))
#: The lowest reading ease an explanation may have (Flesch-Douma for Dutch; about B1 from 60 on).
MINIMUM_EASE = 60.0
#: Each example's reading ease (Dutch, English) with the packaged rules' texts for the client; with
#: their rationales (for professionals) instead it was 75.0/66.3, 70.5/66.0, 72.9/63.2, 75.3/67.9,
#: 72.9/68.6, 69.2/65.4 and 71.5/71.1. An explanation may read easier, never harder.
EASE = {
    "intake-debts": (78.9, 68.8),
    "intake-health-wants-work": (73.3, 68.4),
    "intake-language-care": (74.1, 66.0),
    "intake-low-motivation": (77.9, 70.3),
    "intake-low-self-efficacy": (74.9, 69.9),
    "intake-no-barrier": (71.5, 66.0),
    "intake-partly-answered": (72.7, 72.3),
}

PREFERENCES = diagnose.Preferences(
    wanted=(
        diagnose.PreferenceItem(intervention="role_model_peer_group", reason="ik praat graag met anderen"),
    ),
    unwanted=(diagnose.PreferenceItem(intervention="success_experiences"),),
    own_goal="Werk in een winkel",
)
PINNED_ANSWERS: dict[str, object] = {
    "se_1": 1,
    "se_2": 2,
    "se_3": 1,
    "mo_1": 5,
    "mo_2": 4,
    "he_1": "declined",
    "he_2": "declined",
}
PINNED_NL = (
    "Uw advies\n"
    "\n"
    "Wat we hebben gemeten\n"
    "U beantwoordde vragen over deze onderwerpen. Per onderwerp ziet u uw score:\n"
    "- Geloof in eigen kunnen: laag\n"
    "- Wil om te werken: hoog\n"
    "\n"
    "Wat opviel\n"
    "Bij Geloof in eigen kunnen is uw score laag. Daar gaat het advies vooral over.\n"
    "\n"
    "Wat we adviseren\n"
    "1. Succeservaringen opdoen\n"
    "   Waarom: De klant wil werken maar gelooft er weinig in dat het lukt. Kleine\n"
    "   stappen die slagen bouwen dat vertrouwen het sterkst op; druk of sancties\n"
    "   doen dat niet.\n"
    "   Als uw score bij Geloof in eigen kunnen midden of hoog was, zou dit advies\n"
    "   vervallen.\n"
    "\n"
    "Wat u zelf wilt\n"
    'Uw eigen doel: "Werk in een winkel".\n'
    'U zei dat u Rolmodellen en lotgenotengroep graag wilt: "ik praat graag met\n'
    'anderen". Dit volgt niet uit de antwoorden. U kunt het met uw klantmanager\n'
    "bespreken.\n"
    "U zei dat u Succeservaringen opdoen liever niet wilt. Daarom staat dit advies\n"
    "lager in de lijst. U kunt er samen over praten.\n"
    "\n"
    "Wat we niet hebben gemeten\n"
    "- Ervaren gezondheid en belastbaarheid: er zijn te weinig antwoorden. Een deel\n"
    "  van de vragen wilde u liever niet beantwoorden. Dat mag. Daarom weten we\n"
    "  niet of Arbeidsgerichte gezondheidsverkenning en Individuele plaatsing en\n"
    "  steun (IPS) bij u passen.\n"
    "\n"
    "Wie beslist\n"
    "Dit advies is een hulpmiddel, geen besluit. U en uw klantmanager bespreken\n"
    "het. Daarna beslist u samen wat u gaat doen."
)


def ids(kb: diagnose.KnowledgeBase) -> set[str]:
    """The ids of the knowledge base that are no words (`self_efficacy`, `se_1`): a client never sees them.

    Ids such as `health` are ordinary words in English texts, so they are not looked for.
    """
    return {
        i
        for i in {
            *kb.factors,
            *kb.interventions,
            *kb.rules_by_id,
            *(i.id for i in kb.items),
            *kb.context_fields,
        }
        if re.search(r"[_0-9]", i)
    }


def test_the_explanation_is_built_from_the_knowledge_base_texts(fixture_kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess(PINNED_ANSWERS, knowledge_base=fixture_kb, preferences=PREFERENCES)
    assert diagnose.explain(d, knowledge_base=fixture_kb) == PINNED_NL + "\n"


def test_the_english_explanation_follows_the_same_frame(fixture_kb: diagnose.KnowledgeBase) -> None:
    answers = {"se_1": 3, "se_2": 3, "se_3": 3, "mo_1": 1, "mo_2": 2, "he_1": 4, "he_2": 2, "he_3": "unknown"}
    text = diagnose.explain(
        diagnose.assess(answers, knowledge_base=fixture_kb), knowledge_base=fixture_kb, lang="en"
    )
    assert text.splitlines()[:8] == [
        "Your advice",
        "",
        "What we measured",
        "You answered questions on these topics. For each topic you see your score:",
        "- Job-search self-efficacy: medium",
        "- Motivation to work: low",
        "- Health and work capacity: high",
        "",
    ]
    flat = " ".join(text.split())
    assert (
        "If your score for Motivation to work were medium or high, this advice would no longer apply. "
        "Then Direct matching to suitable work would be advised."
    ) in flat
    assert (
        "If your score for Job-search self-efficacy were low or high, this advice would no longer apply."
        in flat
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_example_has_a_readable_explanation_without_ids(
    kb: diagnose.KnowledgeBase, path: Path, lang: Literal["nl", "en"]
) -> None:
    """Each example intake's explanation is at most a page, names no id, and reads at B1 or easier."""
    intake = json.loads(path.read_text(encoding="utf-8"))
    d = diagnose.assess(intake["answers"], knowledge_base=kb, context=intake.get("context"))
    text = diagnose.explain(d, knowledge_base=kb, lang=lang)
    assert text == diagnose.explain(d, knowledge_base=kb, lang=lang)  # deterministic
    assert len(text.splitlines()) <= 66  # one printed page
    assert max(len(line) for line in text.splitlines()) <= 78
    words = set(re.findall(r"[a-z][a-z0-9_]*", text))
    assert not words & ids(kb), sorted(words & ids(kb))
    ease = round(reading_ease(text, lang), 1)
    assert ease >= max(MINIMUM_EASE, EASE[path.stem][lang == "en"]), (
        f"{path.stem} ({lang}): reading ease {ease}"
    )


#: The fixture's first self-efficacy rule with a text for the client.
EXPLAINED = (
    "    rationale:\n      nl: >-\n        De klant wil werken maar gelooft",
    "    explanation:\n      nl: U wilt werken, maar u denkt niet dat het lukt.\n"
    "      en: You want to work, but you do not think it will work out.\n"
    "    rationale:\n      nl: >-\n        De klant wil werken maar gelooft",
)


def test_a_rules_text_for_the_client_replaces_its_rationale(
    fixture_kb: diagnose.KnowledgeBase, make_kb: MakeKb
) -> None:
    kb = diagnose.load_knowledge_base(make_kb({"recommend/self_efficacy.yaml": EXPLAINED}))
    d = diagnose.assess(PINNED_ANSWERS, knowledge_base=kb, preferences=PREFERENCES)
    nl, en = (diagnose.explain(d, knowledge_base=kb, lang=lang) for lang in ("nl", "en"))
    assert "   Waarom: U wilt werken, maar u denkt niet dat het lukt.\n" in nl
    assert "   Why: You want to work, but you do not think it will work out.\n" in en
    # The rest is as without it (PINNED_NL: the rationale, written for professionals, is gone).
    assert (
        nl.replace("Waarom: U wilt werken, maar u denkt niet dat het lukt.", "")
        == PINNED_NL.replace(
            "Waarom: De klant wil werken maar gelooft er weinig in dat het lukt. Kleine\n"
            "   stappen die slagen bouwen dat vertrouwen het sterkst op; druk of sancties\n"
            "   doen dat niet.",
            "",
        )
        + "\n"
    )
    # The text is knowledge: it has a hash of its own; without one the hash is as before the field.
    assert kb.content_hash != fixture_kb.content_hash
    assert (
        fixture_kb.content_hash == "sha256:b2028c61475e6e77d4714a41a20a889188a38aaa94b9a165b029efc801da1716"
    )


def test_every_packaged_rule_speaks_to_the_client(kb: diagnose.KnowledgeBase) -> None:
    """Each rule has a text for the client, addressed to them, without jargon ids or "the client"."""
    for rule in kb.rules:
        assert rule.explanation is not None, rule.id
        nl, en = rule.explanation.nl, rule.explanation.en
        assert re.search(r"\b(u|uw)\b", nl, re.IGNORECASE), (rule.id, nl)
        assert re.search(r"\b(you|your)\b", en, re.IGNORECASE), (rule.id, en)
        assert not re.search(r"\b(klant|client)\b", nl + " " + en, re.IGNORECASE), rule.id
        assert not set(re.findall(r"[a-z][a-z0-9_]*", nl + " " + en)) & ids(kb), rule.id


@pytest.mark.parametrize(
    ("word", "count"),
    [("belastbaarheid", 4), ("advies", 2), ("vervallen", 3), ("klantmanager", 4), ("een", 1)],
)
def test_syllables_are_counted_from_hyphenation(word: str, count: int) -> None:
    assert syllables(word, "nl") == count


def test_reading_ease_follows_douma() -> None:
    text = "De klant wil werken.\n\nHij zoekt een baan."
    assert sentences(text) == ["De klant wil werken", "Hij zoekt een baan"]
    # 8 words, 2 sentences, 9 syllables: 206.835 - 0.93 * 4 - 77 * 9 / 8.
    assert reading_ease(text, "nl") == pytest.approx(206.835 - 0.93 * 4 - 77 * 9 / 8)


def test_the_pinned_explanation_reads_at_b1() -> None:
    assert round(reading_ease(PINNED_NL, "nl"), 1) == 76.0


# --- what would change this -------------------------------------------------------------------

ITEMS = ("se_1", "se_2", "se_3", "se_4", "mo_1", "mo_2", "mo_3", "he_1", "he_2", "he_3")
ANSWER = st.one_of(st.integers(1, 5), st.sampled_from(["declined", "not_asked"]))
#: A whole-number score in each level, for the fixture's thresholds (2.5 and 3.75 on 1-5).
SCORE_OF = {"low": 2, "medium": 3, "high": 4}


def realise(
    kb: diagnose.KnowledgeBase, d: diagnose.Diagnosis, levels: Mapping[str, str]
) -> dict[str, object]:
    """The intake's answers with each factor in `levels` set to that level (same items answered)."""
    answers: dict[str, object] = dict(d.trace.answers)
    for factor, level in levels.items():
        for item_id in d.profile.scores[factor].answered:
            item = kb.item(item_id)
            answers[item_id] = item.scored(SCORE_OF[level])  # reverse-scoring is its own inverse
    return answers


def advised(kb: diagnose.KnowledgeBase, answers: dict[str, object]) -> set[str]:
    return {r.intervention for r in diagnose.assess(answers, knowledge_base=kb).recommendations}


def working(
    kb: diagnose.KnowledgeBase, d: diagnose.Diagnosis, size: int, holds: object
) -> set[tuple[tuple[str, str], ...]]:
    """Every change of exactly `size` assessed factors after which `holds(advice)`, by re-assessing."""
    assessed = [f for f, s in d.profile.scores.items() if s.level != "not_assessed"]
    out: set[tuple[tuple[str, str], ...]] = set()
    for subset in itertools.combinations(assessed, size):
        options = [[lv for lv in LEVELS if lv != d.profile.scores[f].level] for f in subset]
        for combo in itertools.product(*options):
            if holds(advised(kb, realise(kb, d, dict(zip(subset, combo, strict=True))))):  # type: ignore[operator]
                out.add(tuple(zip(subset, combo, strict=True)))
    return out


def stated(change: diagnose.InterventionChange) -> set[tuple[tuple[str, str], ...]]:
    return {
        tuple((c.factor, lv) for c, lv in zip(alt.changes, combo, strict=True))
        for alt in change.alternatives
        for combo in itertools.product(*(c.levels for c in alt.changes))
    }


@settings(max_examples=120)
@given(
    answers=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(ITEMS, ANSWER),
    )
)
def test_what_would_change_agrees_with_re_assessing(answers: dict[str, object]) -> None:
    """Every stated change has its effect when the changed profile is assessed again.

    And the stated changes are exactly the smallest ones: re-assessing every change of fewer
    factors never has the effect, and every change of as many factors that has it is stated.
    """
    kb = diagnose.load_knowledge_base(Path(__file__).parent / "data" / "kb")
    d = diagnose.assess(answers, knowledge_base=kb)
    changes = diagnose.what_would_change(d, knowledge_base=kb, max_factors=3)
    now = {r.intervention for r in d.recommendations}
    checks = [(c, lambda a, i=c.intervention: i not in a) for c in changes.removals]
    checks += [(c, lambda a, i=c.intervention: i in a) for c in changes.additions]
    for change, holds in checks:
        size = len(change.alternatives[0].changes) if change.alternatives else 4
        for smaller in range(1, min(size, 4)):
            assert not working(kb, d, smaller, holds), (change.intervention, smaller)
        if change.alternatives:
            assert {len(a.changes) for a in change.alternatives} == {size}
            assert stated(change) == working(kb, d, size, holds)
        for alternative in change.alternatives:
            for combo in itertools.product(*(c.levels for c in alternative.changes)):
                after = advised(
                    kb,
                    realise(kb, d, {c.factor: lv for c, lv in zip(alternative.changes, combo, strict=True)}),
                )
                assert set(alternative.also_added) <= after - now
                assert not set(alternative.also_removed) & after
    reachable = {i for i in kb.interventions if i not in now and working(kb, d, 1, lambda a, i=i: i in a)}
    assert reachable <= {c.intervention for c in changes.additions}


@settings(max_examples=60)
@given(
    answers=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(ITEMS, ANSWER),
    )
)
def test_the_missing_answers_named_decide_the_undecided_rule(answers: dict[str, object]) -> None:
    """Answering the `needed` missing items of each factor an undecided rule lacks decides it."""
    kb = diagnose.load_knowledge_base(Path(__file__).parent / "data" / "kb")
    d = diagnose.assess(answers, knowledge_base=kb)
    changes = diagnose.what_would_change(d, knowledge_base=kb)
    assert [u.rule for u in changes.undecided] == [u.rule for u in d.trace.undecided_rules]
    for undecided in changes.undecided:
        more = dict(d.trace.answers)
        for factor in undecided.factors:
            assert d.profile.scores[factor.factor].level == "not_assessed"
            assert factor.needed == kb.factors[factor.factor].min_answered - len(
                d.profile.scores[factor.factor].answered
            )
            for item_id in factor.items[: factor.needed]:
                more[item_id] = 3
        again = diagnose.assess(more, knowledge_base=kb)
        assert undecided.rule not in {u.rule for u in again.trace.undecided_rules}


def test_every_stated_change_holds_on_the_examples(kb: diagnose.KnowledgeBase) -> None:
    """On the default knowledge base too, each stated removal removes the advice when re-assessed."""
    checked = 0
    for path in EXAMPLES:
        d = diagnose.assess(json.loads(path.read_text(encoding="utf-8"))["answers"], knowledge_base=kb)
        for change in diagnose.what_would_change(d, knowledge_base=kb).removals:
            for alternative in change.alternatives:
                for combo in itertools.product(*(c.levels for c in alternative.changes)):
                    levels = {c.factor: lv for c, lv in zip(alternative.changes, combo, strict=True)}
                    assert change.intervention not in advised(kb, realise(kb, d, levels))
                    checked += 1
    assert checked >= len(EXAMPLES)


# --- bad input --------------------------------------------------------------------------------


def test_a_diagnosis_from_another_knowledge_base_is_refused(
    fixture_kb: diagnose.KnowledgeBase, make_kb: MakeKb
) -> None:
    other = diagnose.load_knowledge_base(
        make_kb({"instrument.yaml": ('version: "0.1.0"', 'version: "0.2.0"')})
    )
    d = diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=fixture_kb)
    message = (
        f"diagnosis: made with knowledge base diagnose_default 0.1.0 {fixture_kb.content_hash[:19]}, "
        f"not with diagnose_default 0.2.0 {other.content_hash[:19]}; explain it with the knowledge base that made it"
    )
    with pytest.raises(diagnose.ExplainError, match=f"^{re.escape(message)}$"):
        diagnose.explain(d, knowledge_base=other)
    with pytest.raises(diagnose.ExplainError, match=f"^{re.escape(message)}$"):
        diagnose.what_would_change(d, knowledge_base=other)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda d, kb: diagnose.explain(d, knowledge_base=kb, lang="de"),  # type: ignore[arg-type]
            "lang: expected 'nl' or 'en', got 'de'",
        ),
        (
            lambda d, kb: diagnose.explain(d, knowledge_base=kb, lang=["nl"]),  # type: ignore[arg-type]
            "lang: expected 'nl' or 'en', got ['nl']",
        ),
        (
            lambda _d, kb: diagnose.explain({}, knowledge_base=kb),  # type: ignore[arg-type]
            "diagnosis: expected a Diagnosis (from diagnose.assess), got dict",
        ),
        (
            lambda d, kb: diagnose.what_would_change(d, knowledge_base=kb, max_factors=0),
            "max_factors: expected a whole number of at least 1, got 0",
        ),
        (
            lambda d, kb: diagnose.what_would_change(d, knowledge_base=kb, max_factors=True),
            "max_factors: expected a whole number of at least 1, got True",
        ),
    ],
)
def test_bad_options_are_typed_errors(fixture_kb: diagnose.KnowledgeBase, call: object, message: str) -> None:
    d = diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=fixture_kb)
    with pytest.raises(diagnose.ExplainError, match=f"^{re.escape(message)}$"):
        call(d, fixture_kb)  # type: ignore[operator]


def test_what_would_change_round_trips_as_json(fixture_kb: diagnose.KnowledgeBase) -> None:
    d = diagnose.assess(PINNED_ANSWERS, knowledge_base=fixture_kb)
    changes = diagnose.what_would_change(d, knowledge_base=fixture_kb)
    assert diagnose.WhatWouldChange.model_validate_json(changes.model_dump_json()) == changes


def _edited(d: diagnose.Diagnosis, part: str) -> diagnose.Diagnosis:
    """The diagnosis with one id changed to one the knowledge base does not have."""
    if part == "recommendation":
        rec = d.recommendations[0].model_copy(update={"intervention": "nope"})
        return d.model_copy(update={"recommendations": (rec,)})
    if part == "undecided":
        undecided = d.trace.undecided_rules[0].model_copy(update={"rule": "gone"})
        return d.model_copy(update={"trace": d.trace.model_copy(update={"undecided_rules": (undecided,)})})
    wish = diagnose.PreferenceItem(intervention="nope")
    return d.model_copy(update={"preferences": diagnose.Preferences(wanted=(wish,))})


@pytest.mark.parametrize(
    ("part", "message"),
    [
        ("recommendation", "diagnosis: recommendation 1: unknown intervention 'nope'"),
        ("undecided", "diagnosis: trace.undecided_rules: rule 'gone' is not in the knowledge base"),
        ("preference", "diagnosis: preferences: intervention 'nope' is not in the knowledge base"),
    ],
)
def test_an_edited_diagnosis_is_refused_where_it_is_wrong(
    fixture_kb: diagnose.KnowledgeBase, part: str, message: str
) -> None:
    d = _edited(diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=fixture_kb), part)
    with pytest.raises(diagnose.ExplainError, match=f"^{re.escape(message)}$"):
        diagnose.explain(d, knowledge_base=fixture_kb)


@pytest.mark.parametrize("function", [diagnose.explain, diagnose.what_would_change])
def test_a_knowledge_base_of_the_wrong_type_is_an_explain_error(function: Callable[..., object]) -> None:
    d = diagnose.assess({"mo_1": 1, "mo_2": 1})
    with pytest.raises(diagnose.ExplainError) as info:
        function(d, knowledge_base="rules")
    assert (
        str(info.value)
        == "knowledge_base: expected a KnowledgeBase (from diagnose.load_knowledge_base), got str"
    )


def test_the_explanation_says_once_what_comes_later_in_the_knowledge_bases_words() -> None:
    kb = diagnose.load_knowledge_base()
    intake = json.loads((Path(__file__).parent.parent / "examples/intake-low-motivation.json").read_text())
    d = diagnose.assess(intake["answers"], knowledge_base=kb)
    later = [r for r in d.recommendations if r.phase == "later"]
    assert later
    text = " ".join(diagnose.explain(d, knowledge_base=kb).split())
    reason = kb.cycle.phases.later_reason.nl
    assert text.count(reason) == 1
    assert text.index(reason) < text.index(f"{len(d.recommendations) - len(later) + 1}. {later[0].name.nl}")
