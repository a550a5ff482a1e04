"""Knowledge-base models of the second edition: honest evidence labels, the Participatieladder, phases.

`diagnose.knowledge` uses them as fields:

* `Intervention.recognition` (`DutchRecognition`): the status in a Dutch databank of recognised
  interventions, with the page and the date it was checked;
* `Intervention.evidence` (`EvidenceSummary`): a graded summary of the international evidence;
* `Instrument.participation_ladder` (`ParticipationLadder`): the six rungs, a measure next to the
  factors;
* `CycleSettings.phases` (`Phasing`): which support comes first ("now") and how much at once.
"""

from __future__ import annotations

import typing
from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints, model_validator

from diagnose._base import Identifier, LocalizedText, Model, NonEmptyText

__all__ = [
    "EVIDENCE_GRADES",
    "PATTERN_MEANINGS",
    "RECOGNITION_LEVELS",
    "DutchRecognition",
    "EvidenceGrade",
    "EvidenceSummary",
    "ParticipationLadder",
    "ParticipationRung",
    "Phasing",
    "RecognitionLevel",
]

#: A level in a Dutch databank of recognised interventions, strongest first. `effective` is an
#: "Effectief" judgement whose sub-level the checked page does not state; `listed_not_rated` means
#: the intervention is described in the databank without a rating.
RecognitionLevel = Literal[
    "effective_strong",
    "effective_good",
    "effective_first",
    "effective",
    "well_founded",
    "well_described",
    "listed_not_rated",
]
RECOGNITION_LEVELS: tuple[RecognitionLevel, ...] = typing.get_args(RecognitionLevel)

#: How sure the international evidence is, GRADE-like, for the outcome paid work of the
#: knowledge base's clients (downgraded where the evidence comes from other populations).
EvidenceGrade = Literal["strong", "moderate", "low", "very_low"]
EVIDENCE_GRADES: tuple[EvidenceGrade, ...] = typing.get_args(EvidenceGrade)

_URL = r"^https?://[^\s<>\"'\[\]|`]+$"  # no characters that would break a Markdown autolink
_DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
#: A web address.
Url = Annotated[str, StringConstraints(pattern=_URL)]
#: A calendar date written as YYYY-MM-DD.
DateText = Annotated[str, StringConstraints(pattern=_DATE)]
#: What a text pattern of these models asks for, in words (the loader's error messages use them).
PATTERN_MEANINGS = {
    _URL: "expected a web address starting with http:// or https:// (no spaces, quotes or <>[]|`)",
    _DATE: "expected a date written as YYYY-MM-DD in quotes",
}


class DutchRecognition(Model):
    """The status of an intervention in a Dutch databank (Movisie, Trimbos, RIVM, NJi).

    Attributes:
        level: The level the databank gives it, or `listed_not_rated`.
        databank: Which databank or recognition committee.
        listed_as: The name under which the databank lists it, when that differs.
        url: The page that states the status.
        checked: The date the page was checked (YYYY-MM-DD).

    Examples:
        >>> DutchRecognition(
        ...     level="listed_not_rated",
        ...     databank="Movisie, Databank Effectieve sociale interventies",
        ...     url="https://www.movisie.nl/",
        ...     checked="2026-12-01",
        ... ).level
        'listed_not_rated'
    """

    level: RecognitionLevel
    databank: NonEmptyText
    listed_as: NonEmptyText | None = None
    url: Url
    checked: DateText


class EvidenceSummary(Model):
    """A short, graded summary of the international evidence for an intervention.

    Attributes:
        grade: `strong`, `moderate`, `low` or `very_low` (GRADE-like), for paid work.
        summary: What the evidence says, in both languages.
        reviews: The review(s) or trial(s) the grade rests on.

    Examples:
        >>> text = LocalizedText(nl="Weinig onderzoek.", en="Little research.")
        >>> EvidenceSummary(grade="very_low", summary=text, reviews=("Lub, V. (2017).",)).grade
        'very_low'
    """

    grade: EvidenceGrade
    summary: LocalizedText
    reviews: tuple[NonEmptyText, ...] = Field(min_length=1)


class ParticipationRung(Model):
    """One rung of the Participatieladder."""

    rung: StrictInt = Field(ge=1, le=9)
    name: LocalizedText
    description: LocalizedText


class ParticipationLadder(Model):
    """The Participatieladder: rungs from 1 (isolated) up to paid work, a measure next to the factors.

    It is recorded at intake and at every re-measurement; rules never read it.

    Examples:
        >>> def text(words: str) -> LocalizedText:
        ...     return LocalizedText(nl=words, en=words)
        >>> rungs = tuple(ParticipationRung(rung=n, name=text(w), description=text(w)) for n, w in
        ...               ((1, "Isolated"), (2, "Paid work")))
        >>> ladder = ParticipationLadder(description=text("Taking part"), rungs=rungs, sources=("VNG",))
        >>> [r.rung for r in ladder.rungs], ladder.rungs[-1].name.en
        ([1, 2], 'Paid work')
    """

    description: LocalizedText
    rungs: tuple[ParticipationRung, ...] = Field(min_length=2)
    sources: tuple[NonEmptyText, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _numbered_in_order(self) -> ParticipationLadder:
        numbers = [r.rung for r in self.rungs]
        expected = list(range(1, len(self.rungs) + 1))
        if numbers != expected:
            raise ValueError(f"the rungs must be numbered {expected} in order, got {numbers}")
        return self


class Phasing(Model):
    """First things first: which support is for "now" and which for "later".

    Attributes:
        stabilise_first: Interventions that stabilise a life domain (an acute living situation, debts
            in crisis, addiction), in the order they come first when advised.
        max_now: At most this many recommendations are for "now"; the rest is "later".
        later_reason: Why a recommendation is for later, shown with it.

    Examples:
        >>> Phasing().max_now
        3
    """

    stabilise_first: tuple[Identifier, ...] = ()
    max_now: StrictInt = Field(default=3, ge=1, le=9)
    later_reason: LocalizedText = LocalizedText(
        nl="Dit komt later: eerst de stappen die nu voorgaan.",
        en="This comes later: first the steps that come first now.",
    )

    @model_validator(mode="after")
    def _each_once(self) -> Phasing:
        for index, name in enumerate(self.stabilise_first):
            if name in self.stabilise_first[:index]:
                raise ValueError(f"'stabilise_first' names {name!r} more than once")
        return self
