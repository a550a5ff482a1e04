"""The fairness guard: what a knowledge base may not contain, checked when it loads.

* A context field may not be a protected attribute, whether by its id or by its declared meaning
  (nationality, country of birth, origin, religion, sex, sexual orientation, political opinion,
  union membership, marital or parental status, postcode or neighbourhood, age). Rules can only
  read declared factors and context fields, so support is never chosen by such an attribute.
* The catalogue holds support only: an intervention whose id, name or description reads as a
  sanction, a benefit cut, fraud control or enforcement is refused.

The static analysis adds the third guarantee: a worse barrier never takes support away
(`diagnose.authoring.analysis`, code `barrier-removes-support`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from diagnose.knowledge._models import ContextField, Intervention

__all__ = [
    "PROTECTED_ATTRIBUTES",
    "SANCTION_WORDS",
    "protected_attribute",
    "protected_question",
    "sanction_word",
]

#: Protected attributes and the words (Dutch and English) that name them.
PROTECTED_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "nationality or citizenship": frozenset(
        {"nationality", "nationaliteit", "citizenship", "staatsburgerschap", "nationalities"}
    ),
    "country of birth": frozenset(
        {"geboorteland", "birthplace", "geboorteplaats", "birth_country", "born", "geboren"}
    ),
    "origin, ethnicity or migration background": frozenset(
        {
            "origin",
            "herkomst",
            "afkomst",
            "ethnicity",
            "ethnic",
            "etniciteit",
            "etnisch",
            "etnische",
            "migration",
            "migratie",
            "migratieachtergrond",
            "migrant",
            "immigrant",
            "allochtoon",
            "race",
        }
    ),
    "religion or belief": frozenset(
        {
            "religion",
            "religie",
            "religious",
            "religieus",
            "godsdienst",
            "levensbeschouwing",
            "geloofsovertuiging",
            "levensovertuiging",
        }
    ),
    "sex or gender": frozenset({"sex", "gender", "geslacht"}),
    "sexual orientation": frozenset({"sexual", "seksuele", "seksueel", "geaardheid", "orientation"}),
    "political opinion": frozenset({"political", "politiek", "politieke"}),
    "union membership": frozenset({"union", "vakbond", "vakbondslid", "vakbondslidmaatschap"}),
    "marital or parental status": frozenset(
        {
            "marital",
            "married",
            "gehuwd",
            "getrouwd",
            "burgerlijke",
            "parental",
            "parent",
            "parents",
            "children",
            "child",
            "kinderen",
            "pregnant",
            "zwanger",
        }
    ),
    "postcode or neighbourhood": frozenset(
        {
            "postcode",
            "postal",
            "zipcode",
            "zip",
            "neighbourhood",
            "neighborhood",
            "wijk",
            "buurt",
            "address",
            "adres",
        }
    ),
    "age": frozenset({"age", "leeftijd", "birthdate", "geboortedatum", "geboortejaar"}),
}

#: Words that make an intervention read as a sanction rather than support.
SANCTION_WORDS = frozenset(
    {
        "sanctie",
        "sancties",
        "sanction",
        "sanctions",
        "maatregel",
        "maatregelen",
        "korting",
        "verlaging",
        "fraude",
        "fraud",
        "handhaving",
        "enforcement",
        "penalty",
        "boete",
        "benefit_cut",
        "stopzetten",
        "stopgezet",
        "intrekken",
        "intrekking",
        "ingetrokken",
        "terugvorderen",
        "terugvordering",
        "verlagen",
        "verlaagd",
        "inhouden",
        "inhouding",
        "withhold",
        "withheld",
        "suspend",
        "suspended",
        "punish",
        "punishment",
        "straf",
    }
)

_WORD = re.compile(r"[a-z]+(?:_[a-z]+)*")


def _words(texts: Iterable[str]) -> list[str]:
    """Every word, and every run of words joined by `_` inside an id.

    `client_birth_country` also gives `birth_country`, so compound terms are found anywhere.
    """
    words: list[str] = []
    for text in texts:
        for token in _WORD.findall(text.lower()):
            parts = token.split("_")
            words.extend(
                "_".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)
            )
    return words


def protected_attribute(field: ContextField) -> tuple[str, str] | None:
    """The protected attribute a context field names, and the word that gave it away; or None.

    Examples:
        >>> from diagnose import ContextField, LocalizedText
        >>> text = LocalizedText(nl="Nationaliteit van de klant", en="The client's nationality")
        >>> protected_attribute(ContextField(id="land", description=text, type="boolean"))
        ('nationality or citizenship', 'nationaliteit')
    """
    return protected_question([field.id, field.description.nl, field.description.en, *field.values])


def protected_question(texts: Iterable[str]) -> tuple[str, str] | None:
    """The protected attribute an item's text asks about, and the word that gave it away; or None.

    Examples:
        >>> protected_question(["Ik ben in Nederland geboren.", "I was born in the Netherlands."])
        ('country of birth', 'geboren')
    """
    words = _words(texts)
    for attribute, names in PROTECTED_ATTRIBUTES.items():
        for word in words:
            if word in names:
                return attribute, word
    return None


def sanction_word(intervention: Intervention | str) -> str | None:
    """The word that makes an intervention (or one of its texts) read as a sanction; or None.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> sanction_word(kb.interventions["success_experiences"]) is None
        True
        >>> sanction_word("benefit_cut_on_refusal")
        'benefit_cut'
    """
    if isinstance(intervention, str):
        texts = [intervention]
    else:
        texts = [
            intervention.id,
            *intervention.name.model_dump().values(),
            *intervention.description.model_dump().values(),
        ]
    for word in _words(texts):
        if word in SANCTION_WORDS:
            return word
    return None


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
