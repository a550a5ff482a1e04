"""The knowledge base: factors, items, interventions and rules, loaded from YAML and validated.

A knowledge base is a folder:

```text
instrument.yaml      metadata, answer scales, factors, items, context fields
interventions.yaml   the intervention catalogue
recommend/*.yaml     recommendation rules, one file per theme
```

`load_knowledge_base()` reads and checks all of it and raises one `KnowledgeBaseError` listing
every problem; `iter_errors()` yields the problems without raising.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from diagnose._base import Identifier, Language, Level, LocalizedText, Model, NonEmptyText, suggest
from diagnose.knowledge._kb_models import DutchRecognition, EvidenceSummary, ParticipationLadder, Phasing

if TYPE_CHECKING:
    from collections.abc import Mapping


T = TypeVar("T")


#: Evidence levels of the Dutch recognition system (Movisie / NJi databanks), strongest first,
#: and `not_rated` for interventions that were not (yet) assessed there. `effective` is an
#: "Effectief" judgement whose sub-level the source does not state.
EvidenceLevel = Literal[
    "effective_strong",
    "effective_good",
    "effective_first",
    "effective",
    "well_founded",
    "well_described",
    "not_rated",
]
EVIDENCE_LEVELS: tuple[EvidenceLevel, ...] = typing.get_args(EvidenceLevel)


class Scale(Model):
    """An answer scale: whole numbers from `min` to `max`, each with a label.

    Examples:
        >>> no, yes = LocalizedText(nl="nee", en="no"), LocalizedText(nl="ja", en="yes")
        >>> s = Scale(min=1, max=2, labels=(no, yes))
        >>> s.label(2).en
        'yes'
    """

    min: StrictInt
    max: StrictInt
    labels: tuple[LocalizedText, ...]

    @field_validator("max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if isinstance(low, int) and value <= low:
            raise ValueError(f"'max' ({value}) must be greater than 'min' ({low})")
        return value

    @field_validator("labels")
    @classmethod
    def _one_label_per_value(
        cls, value: tuple[LocalizedText, ...], info: ValidationInfo
    ) -> tuple[LocalizedText, ...]:
        low, high = info.data.get("min"), info.data.get("max")
        if isinstance(low, int) and isinstance(high, int) and high > low and len(value) != high - low + 1:
            count = high - low + 1
            raise ValueError(
                f"expected {count} labels (one for each value from {low} to {high}), got {len(value)}"
            )
        return value

    def label(self, value: int) -> LocalizedText:
        """The label of an answer value."""
        return self.labels[value - self.min]


class Thresholds(Model):
    """Cut-offs on a factor's score: below `medium` is `low`, from `high` on is `high`."""

    medium: StrictInt | StrictFloat
    high: StrictInt | StrictFloat

    def level(self, score: float) -> Level:
        """The level of a score: below `medium` is low, from `high` on is high.

        Examples:
            >>> Thresholds(medium=2.5, high=3.75).level(2.5)
            'medium'
        """
        return "low" if score < self.medium else ("medium" if score < self.high else "high")

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.medium < self.high:
            raise ValueError(f"'medium' ({self.medium}) must be below 'high' ({self.high})")
        return self


class Factor(Model):
    """A factor that matters for finding work, measured by its items.

    Attributes:
        id: Stable id, part of the public contract (`self_efficacy`).
        name: Short name in both languages.
        description: What it means.
        influenceable: Whether support can change it; only such factors are goals of a plan.
        effect: How the factor relates to finding work (direction of effect), with its evidence.
        barrier: A practical barrier (health, language, care duties, debts): a worse level may only
            add support, never take it away (checked by the analysis).
        min_answered: How many of its items must be answered for it to be scored.
        screening: One or two of its items that an interview asks first (`next_questions`); its
            other items follow only when this screen's score is low. The screen must be able to
            score the factor alone (`min_answered` at most its size); `check` makes sure.
        method: `mean` of its items after reverse-scoring.
        thresholds: Score cut-offs for the levels, with the reasoning in `thresholds_note`.
        sources: Where the factor's relevance is documented.

    Examples:
        >>> import diagnose
        >>> factor = diagnose.load_knowledge_base().factors["self_efficacy"]
        >>> factor.min_answered, factor.thresholds.medium
        (3, 2.5)
    """

    id: Identifier
    name: LocalizedText
    description: LocalizedText
    influenceable: StrictBool
    effect: LocalizedText | None = None
    barrier: StrictBool = False
    min_answered: StrictInt = Field(ge=1)
    method: Literal["mean"] = "mean"
    thresholds: Thresholds
    thresholds_note: LocalizedText | None = None
    sources: tuple[NonEmptyText, ...] = Field(min_length=1)
    screening: tuple[Identifier, ...] = Field(default=(), max_length=2)


def _scale_or_name(schema: dict[str, Any]) -> None:
    """In the JSON Schema, an item's scale may also be the name of a scale under `scales`."""
    original = dict(schema)
    schema.clear()
    schema["anyOf"] = [original, {"type": "string", "description": "The name of a scale under 'scales'."}]


class Item(Model):
    """A question of the intake, answered on a scale; `reverse` items are scored `min + max - raw`.

    Examples:
        >>> import diagnose
        >>> item = diagnose.load_knowledge_base().item("se_4")
        >>> item.reverse, item.scored(5)
        (True, 1)
    """

    id: Identifier
    factor: Identifier
    text: LocalizedText
    scale: Scale = Field(json_schema_extra=_scale_or_name)
    reverse: StrictBool = False
    #: Special-category personal data the answer reveals (GDPR art. 9), shown in the catalogue so
    #: that a data-protection impact assessment can name the items.
    special_category: Literal["health"] | None = None

    @field_validator("scale", mode="before")
    @classmethod
    def _named_scale(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, dict):
            # Written inline: lists become tuples here, as JSON arrays do for the other fields.
            return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
        if not isinstance(value, str):
            return value
        scales: Mapping[str, Scale] = (info.context or {}).get("scales", {})
        if value in scales:
            return scales[value]
        if value in (info.context or {}).get("invalid_scales", ()):
            # The scale itself is wrong and reported where it is defined; say nothing more here.
            raise PydanticCustomError("invalid_scale", "scale is invalid")
        message = f"unknown scale {value!r}{suggest(value, scales)}"
        raise PydanticCustomError("unknown_scale", message.replace("{", "{{").replace("}", "}}"))

    def scored(self, raw: int) -> int:
        """The value that counts for the factor: `raw`, or `min + max - raw` when reversed."""
        return self.scale.min + self.scale.max - raw if self.reverse else raw


class ContextField(Model):
    """A fact about the client's situation that rules may read (never a protected attribute).

    Examples:
        >>> text = LocalizedText(nl="In behandeling", en="In treatment")
        >>> ContextField(id="in_treatment", description=text, type="boolean").type
        'boolean'
    """

    id: Identifier
    description: LocalizedText
    type: Literal["boolean", "enum", "integer", "number"]
    values: tuple[Identifier, ...] = ()

    @model_validator(mode="after")
    def _values_fit_type(self) -> ContextField:
        if self.type == "enum" and len(self.values) < 2:  # noqa: PLR2004 - a choice needs two options
            raise ValueError("an 'enum' field needs 'values' with at least two options")
        if self.type != "enum" and self.values:
            raise ValueError(f"'values' belongs to 'enum' fields, not to {self.type!r}")
        return self


class Intervention(Model):
    """Support that the knowledge base can suggest.

    Attributes:
        id: Stable id (`success_experiences`).
        name: Name in both languages.
        description: What it is, in plain words.
        targets: The factors it aims to improve.
        evidence_level: Its level on the Dutch recognition scale, or `not_rated`; when left out,
            it follows from `recognition` (`not_rated` without one or when listed without a rating).
        recognition: Its status in a Dutch databank, with the page and the date checked.
        evidence: A graded summary of the international evidence, with the reviews it rests on.
        international_evidence: What research elsewhere found (required when `not_rated`).
        delivery: Practical notes: duration, who delivers it.
        sources: Where the evidence is documented.

    Examples:
        >>> import diagnose
        >>> intervention = diagnose.load_knowledge_base().interventions["success_experiences"]
        >>> intervention.targets, intervention.evidence_level
        (('self_efficacy',), 'not_rated')
    """

    id: Identifier
    name: LocalizedText
    description: LocalizedText
    targets: tuple[Identifier, ...] = Field(min_length=1)
    evidence_level: EvidenceLevel = "not_rated"
    recognition: DutchRecognition | None = None
    evidence: EvidenceSummary | None = None
    international_evidence: LocalizedText | None = None
    delivery: LocalizedText | None = None
    sources: tuple[NonEmptyText, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unrated_says_why(self) -> Intervention:
        if self.recognition is not None:
            derived = "not_rated" if self.recognition.level == "listed_not_rated" else self.recognition.level
            if "evidence_level" not in self.model_fields_set:
                # Left out: it follows from the recognition (the model is frozen, hence the direct set).
                object.__setattr__(self, "evidence_level", derived)
            elif self.evidence_level != derived:
                raise ValueError(
                    f"'evidence_level' ({self.evidence_level!r}) does not match the Dutch recognition "
                    f"({self.recognition.level!r}); leave 'evidence_level' out, it follows from 'recognition'"
                )
        unexplained = self.international_evidence is None and self.evidence is None
        if self.evidence_level == "not_rated" and unexplained:
            message = "a 'not_rated' intervention must state its 'international_evidence' or 'evidence'"
            raise ValueError(message)
        return self


class Instrument(Model):
    """The contents of `instrument.yaml`."""

    id: Identifier
    version: NonEmptyText
    language: Language
    title: LocalizedText
    scales: dict[Identifier, Scale] = Field(default_factory=dict)
    factors: tuple[Factor, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    context: tuple[ContextField, ...] = ()
    #: The Participatieladder, recorded next to the factors (never read by rules).
    participation_ladder: ParticipationLadder | None = None


class CycleSettings(Model):
    """The contents of `cycle/settings.yaml`: the knowledge behind planning and monitoring.

    Attributes:
        review_weeks: Weeks until a goal is reviewed, per intervention.
        default_review_weeks: For interventions not listed in `review_weeks`.
        minimal_change: The smallest change in a factor's score that counts as meaningful.
        default_minimal_change: For factors not listed in `minimal_change`.
        evaluate_after_weeks: Weeks after the plan by which the trajectory should be evaluated.
        phases: Which support comes first ("now") and how many recommendations at once.

    Examples:
        >>> CycleSettings().default_review_weeks
        12
    """

    review_weeks: dict[Identifier, StrictInt] = Field(default_factory=dict)
    default_review_weeks: StrictInt = Field(default=12, ge=1, le=104)
    minimal_change: dict[Identifier, StrictInt | StrictFloat] = Field(default_factory=dict)
    default_minimal_change: StrictInt | StrictFloat = Field(default=0.5, gt=0)
    evaluate_after_weeks: StrictInt = Field(default=26, ge=1, le=208)
    phases: Phasing = Phasing()

    def review_weeks_for(self, intervention: str) -> int:
        """Weeks until review for an intervention."""
        return self.review_weeks.get(intervention, self.default_review_weeks)

    def minimal_change_for(self, factor: str) -> float:
        """The minimal meaningful change of a factor's score."""
        return float(self.minimal_change.get(factor, self.default_minimal_change))


class InterventionsFile(Model):
    """The contents of `interventions.yaml`."""

    interventions: tuple[Intervention, ...] = Field(min_length=1)
