"""The fairness guard: protected context fields and sanction-like interventions are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import diagnose

if TYPE_CHECKING:
    from tests.conftest import MakeKb


def context(field_id: str, nl: str, en: str, kind: str = "boolean") -> tuple[str, str]:
    return (
        "\nitems:\n",
        f"\ncontext:\n  - id: {field_id}\n    description: {{nl: {nl}, en: {en}}}\n    type: {kind}\n\nitems:\n",
    )


@pytest.mark.parametrize(
    ("edit", "attribute", "word"),
    [
        (context("nationality", "Nationaliteit", "Nationality"), "nationality or citizenship", "nationality"),
        (context("born_abroad", "Buiten Nederland geboren", "Born abroad"), "country of birth", "born"),
        (
            context("herkomst_groep", "Groep", "Group"),
            "origin, ethnicity or migration background",
            "herkomst",
        ),
        (context("conviction", "Geloofsovertuiging", "Faith"), "religion or belief", "geloofsovertuiging"),
        (context("is_woman", "Geslacht is vrouw", "Sex is female"), "sex or gender", "geslacht"),
        (
            context("has_young_children", "Jonge kinderen thuis", "Young children at home"),
            "marital or parental status",
            "children",
        ),
        (
            context("district", "De wijk waar de klant woont", "Where the client lives"),
            "postcode or neighbourhood",
            "wijk",
        ),
        (context("over_55", "Leeftijd boven 55", "Older than 55"), "age", "leeftijd"),
        (context("union_member", "Lid van een vakbond", "Union member"), "union membership", "union"),
    ],
)
def test_protected_context_fields_are_refused_by_name_or_meaning(
    make_kb: MakeKb, edit: tuple[str, str], attribute: str, word: str
) -> None:
    field_id = edit[1].split("id: ")[1].split("\n")[0]
    with pytest.raises(diagnose.KnowledgeBaseError) as info:
        diagnose.load_knowledge_base(make_kb({"instrument.yaml": edit}))
    assert [p.message for p in info.value.problems] == [
        f"context field {field_id!r} is refused: it names a protected attribute ({attribute}; the word {word!r}), "
        "and support may not be chosen by it"
    ]


def test_a_neutral_context_field_is_allowed(make_kb: MakeKb) -> None:
    kb = diagnose.load_knowledge_base(
        make_kb({"instrument.yaml": context("in_treatment", "In behandeling", "In treatment")})
    )
    assert "in_treatment" in kb.context_fields


@pytest.mark.parametrize(
    ("old", "new", "word"),
    [
        ("id: job_matching", "id: sanction_on_refusal", "sanction"),
        (
            "{nl: Direct bemiddelen naar passend werk, en: Direct matching to suitable work}",
            "{nl: Korting bij weigering, en: Cut on refusal}",
            "korting",
        ),
        ("Geen extra voorbereiding nodig:", "Handhaving en", "handhaving"),
    ],
)
def test_sanction_like_interventions_are_refused(make_kb: MakeKb, old: str, new: str, word: str) -> None:
    with pytest.raises(diagnose.KnowledgeBaseError) as info:
        diagnose.load_knowledge_base(make_kb({"interventions.yaml": (old, new)}))
    messages = [p.message for p in info.value.problems]
    assert any(
        m.endswith(f"is refused: the word {word!r} reads as a sanction; the catalogue holds support only")
        for m in messages
    )


def test_items_may_not_ask_about_protected_attributes(make_kb: MakeKb) -> None:
    edit = (
        "      nl: Ik weet hoe ik vacatures vind die bij mij passen.",
        "      nl: Ik ben in Nederland geboren.",
    )
    with pytest.raises(diagnose.KnowledgeBaseError) as info:
        diagnose.load_knowledge_base(make_kb({"instrument.yaml": edit}))
    assert [str(p) for p in info.value.problems] == [
        "instrument.yaml:85:11: items[0].text.nl: item 'se_1' is refused: it asks about a protected attribute "
        "(country of birth; the word 'geboren'); ask about what can be supported instead"
    ]
