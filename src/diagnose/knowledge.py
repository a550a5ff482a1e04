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

import functools
import threading
import typing
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from diagnose._base import Identifier, Language, Level, LocalizedText, Model, NonEmptyText

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from diagnose._compiled import CompiledRules
    from diagnose._engine import RuleEngine
    from diagnose.adjustment import CycleRule
    from diagnose.checks import Case
    from diagnose.conditions import Rule
    from diagnose.errors import KnowledgeBaseProblem

T = TypeVar("T")

__all__ = [
    "EVIDENCE_LEVELS",
    "ContextField",
    "CycleSettings",
    "EvidenceLevel",
    "Factor",
    "Instrument",
    "Intervention",
    "InterventionsFile",
    "Item",
    "KnowledgeBase",
    "Origin",
    "Scale",
    "Thresholds",
    "default_knowledge_base_path",
    "iter_errors",
    "knowledge_base_schema",
    "load_knowledge_base",
]

#: Evidence levels of the Dutch recognition system (Movisie / NJi databanks), strongest first,
#: and `not_rated` for interventions that were not (yet) assessed there.
EvidenceLevel = Literal[
    "effective_strong",
    "effective_good",
    "effective_first",
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
        evidence_level: Its level on the Dutch recognition scale, or `not_rated`.
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
    evidence_level: EvidenceLevel
    international_evidence: LocalizedText | None = None
    delivery: LocalizedText | None = None
    sources: tuple[NonEmptyText, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unrated_says_why(self) -> Intervention:
        if self.evidence_level == "not_rated" and self.international_evidence is None:
            raise ValueError("a 'not_rated' intervention must state its 'international_evidence'")
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


class CycleSettings(Model):
    """The contents of `cycle/settings.yaml`: the knowledge behind planning and monitoring.

    Attributes:
        review_weeks: Weeks until a goal is reviewed, per intervention.
        default_review_weeks: For interventions not listed in `review_weeks`.
        minimal_change: The smallest change in a factor's score that counts as meaningful.
        default_minimal_change: For factors not listed in `minimal_change`.
        evaluate_after_weeks: Weeks after the plan by which the trajectory should be evaluated.

    Examples:
        >>> CycleSettings().default_review_weeks
        12
    """

    review_weeks: dict[Identifier, StrictInt] = Field(default_factory=dict)
    default_review_weeks: StrictInt = Field(default=12, ge=1, le=104)
    minimal_change: dict[Identifier, StrictInt | StrictFloat] = Field(default_factory=dict)
    default_minimal_change: StrictInt | StrictFloat = Field(default=0.5, gt=0)
    evaluate_after_weeks: StrictInt = Field(default=26, ge=1, le=208)

    def review_weeks_for(self, intervention: str) -> int:
        """Weeks until review for an intervention."""
        return self.review_weeks.get(intervention, self.default_review_weeks)

    def minimal_change_for(self, factor: str) -> float:
        """The minimal meaningful change of a factor's score."""
        return float(self.minimal_change.get(factor, self.default_minimal_change))


class InterventionsFile(Model):
    """The contents of `interventions.yaml`."""

    interventions: tuple[Intervention, ...] = Field(min_length=1)


def suggest(name: str, known: Mapping[str, Any] | tuple[str, ...] | list[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest known name, or an empty string."""
    import difflib  # noqa: PLC0415 - only needed on the error path

    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _rule_engine(kb: KnowledgeBase) -> RuleEngine:
    from diagnose._engine import RuleEngine  # noqa: PLC0415 - the engine (and durable-rules) loads lazily

    return RuleEngine(kb)


def _cycle_rule_engine(kb: KnowledgeBase) -> RuleEngine:
    from diagnose._engine import RuleEngine  # noqa: PLC0415 - the engine (and durable-rules) loads lazily

    return RuleEngine(kb, cycle=True)


def _compiled_rules(kb: KnowledgeBase) -> CompiledRules:
    from diagnose._compiled import CompiledRules  # noqa: PLC0415 - it imports the whole pipeline

    return CompiledRules(kb)


class KnowledgeBase:
    """A loaded, checked knowledge base. Immutable; safe to share between threads.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> kb.factors["self_efficacy"].influenceable
        True
        >>> kb.content_hash.startswith("sha256:")
        True
    """

    __slots__ = (
        "_compiled",
        "_cycle_engine",
        "_engine",
        "_engine_lock",
        "_items_by_id",
        "cases",
        "content_hash",
        "context_fields",
        "cycle",
        "cycle_rules",
        "cycle_rules_by_id",
        "fact_fields",
        "factors",
        "instrument",
        "interventions",
        "items",
        "items_by_factor",
        "origins",
        "path",
        "rule_reads",
        "rules",
        "rules_by_id",
    )

    def __init__(  # noqa: PLR0913 - keyword-only assembly of checked parts
        self,
        *,
        instrument: Instrument,
        interventions: tuple[Intervention, ...],
        rules: tuple[Rule, ...],
        content_hash: str,
        path: Path | None,
        origins: Mapping[str, Origin] | None = None,
        cases: tuple[tuple[str, Case], ...] = (),
        cycle: CycleSettings | None = None,
        cycle_rules: tuple[CycleRule, ...] = (),
    ) -> None:
        """Assemble a knowledge base from checked parts; use `load_knowledge_base()` instead."""
        self.instrument = instrument
        self.origins: Mapping[str, Origin] = MappingProxyType(dict(origins or {}))
        self.cases = cases
        #: Review periods and minimal meaningful changes, from `cycle/settings.yaml` (or defaults).
        self.cycle: CycleSettings = cycle if cycle is not None else CycleSettings()
        #: Monitoring rules from `cycle/*.yaml`, run by `diagnose.monitoring.review`.
        self.cycle_rules: tuple[CycleRule, ...] = cycle_rules
        self.cycle_rules_by_id: Mapping[str, CycleRule] = MappingProxyType({r.id: r for r in cycle_rules})
        self._cycle_engine: RuleEngine | None = None
        self.path = path
        self.content_hash = content_hash
        self.factors: Mapping[str, Factor] = MappingProxyType({f.id: f for f in instrument.factors})
        self.items: tuple[Item, ...] = instrument.items
        self._items_by_id: Mapping[str, Item] = MappingProxyType({i.id: i for i in instrument.items})
        self.items_by_factor: Mapping[str, tuple[Item, ...]] = MappingProxyType(
            {f.id: tuple(i for i in instrument.items if i.factor == f.id) for f in instrument.factors}
        )
        self.context_fields: Mapping[str, ContextField] = MappingProxyType(
            {c.id: c for c in instrument.context}
        )
        self.interventions: Mapping[str, Intervention] = MappingProxyType({i.id: i for i in interventions})
        self.rules: tuple[Rule, ...] = rules
        self.rules_by_id: Mapping[str, Rule] = MappingProxyType({r.id: r for r in rules})
        #: Per rule id: the factors and the context fields it reads, each once, in order.
        self.rule_reads: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
            {r.id: _reads(r) for r in rules}
        )
        #: The fact fields some rule reads; the fact the engine sees carries only these.
        self.fact_fields: frozenset[str] = _fact_fields(rules)
        self._engine: RuleEngine | None = None
        self._compiled: CompiledRules | None = None
        self._engine_lock = threading.Lock()

    @property
    def id(self) -> str:
        """The instrument's id."""
        return self.instrument.id

    @property
    def version(self) -> str:
        """The instrument's declared version."""
        return self.instrument.version

    def item(self, item_id: str) -> Item:
        """Return the item with this id (KeyError if there is none)."""
        return self._items_by_id[item_id]

    def engine(self) -> RuleEngine:
        """The compiled rule engine for this knowledge base, created on first use."""
        return self._engine or self._made("_engine", _rule_engine)

    def compiled(self) -> CompiledRules:
        """The pipeline precompiled for batches (`diagnose._compiled`), created on first use."""
        return self._compiled or self._made("_compiled", _compiled_rules)

    def cycle_engine(self) -> RuleEngine:
        """The compiled cycle rules, created on first use."""
        return self._cycle_engine or self._made("_cycle_engine", _cycle_rule_engine)

    def _made(self, slot: str, make: Callable[[KnowledgeBase], T]) -> T:
        """The value of a lazy slot, made once even when threads ask at the same time."""
        with self._engine_lock:
            value: T | None = getattr(self, slot)
            if value is None:
                value = make(self)
                setattr(self, slot, value)
        return value

    def __repr__(self) -> str:
        """Show id, version and hash."""
        return f"<KnowledgeBase {self.id} {self.version} {self.content_hash[:19]}>"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where something was defined: file (relative to the folder), 1-based line and column, path.

    `KnowledgeBase.origins` maps `rule:<id>`, `factor:<id>`, `item:<id>`, `intervention:<id>` and
    `context:<id>` to their origin, so that later checks can point at the right line.
    """

    file: str
    line: int
    column: int
    path: str

    def __str__(self) -> str:
        """Render as `file:line:col: path`."""
        return f"{self.file}:{self.line}:{self.column}: {self.path}"


def _fact_fields(rules: tuple[Rule, ...]) -> frozenset[str]:
    from diagnose.conditions import (  # noqa: PLC0415 - avoids an import cycle
        ContextCondition,
        ScoreCondition,
        context_key,
        iter_atoms,
        level_key,
        score_key,
    )

    fields: set[str] = set()
    for rule in rules:
        for atom in iter_atoms(rule.when):
            if isinstance(atom, ContextCondition):
                fields.add(context_key(atom.context))
            elif isinstance(atom, ScoreCondition):
                fields.add(score_key(atom.factor))
            else:
                fields.add(level_key(atom.factor))
    return frozenset(fields)


def _reads(rule: Rule) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from diagnose.conditions import ContextCondition, iter_atoms  # noqa: PLC0415 - avoids an import cycle

    factors: dict[str, None] = {}
    fields: dict[str, None] = {}
    for atom in iter_atoms(rule.when):
        if isinstance(atom, ContextCondition):
            fields[atom.context] = None
        else:
            factors[atom.factor] = None
    return tuple(factors), tuple(fields)


def default_knowledge_base_path() -> Path:
    """The folder of the packaged default knowledge base.

    In an installed wheel it is `diagnose/_rules`; in a source checkout, the top-level `rules/`.

    Examples:
        >>> (default_knowledge_base_path() / "instrument.yaml").is_file()
        True
    """
    packaged = Path(__file__).parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def iter_errors(path: str | Path | None = None) -> Iterator[KnowledgeBaseProblem]:
    """Yield every problem in the knowledge base at `path` (the default one when None).

    Examples:
        >>> import diagnose
        >>> list(diagnose.iter_errors())
        []
    """
    from diagnose._loader import read_knowledge_base  # noqa: PLC0415 - avoids an import cycle

    _kb, problems = read_knowledge_base(Path(path) if path is not None else default_knowledge_base_path())
    yield from problems


def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load and check a knowledge base.

    Args:
        path: A knowledge-base folder; None for the packaged default (loaded once, then shared).

    Returns:
        The checked knowledge base.

    Raises:
        KnowledgeBaseError: listing every problem, each as `file:line:col: path: message`.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> kb.factors["health"].name.en
        'Health and work capacity'
    """
    if path is None:
        return _default_knowledge_base()
    return _load(Path(path))


@functools.cache
def _default_knowledge_base() -> KnowledgeBase:
    return _load(default_knowledge_base_path())


def _load(path: Path) -> KnowledgeBase:
    from diagnose._loader import read_knowledge_base  # noqa: PLC0415 - avoids an import cycle
    from diagnose.errors import KnowledgeBaseError  # noqa: PLC0415

    kb, problems = read_knowledge_base(path)
    if problems or kb is None:
        raise KnowledgeBaseError(problems)
    return kb


def knowledge_base_schema() -> dict[str, Any]:
    """The JSON Schema of the knowledge-base files (instrument, interventions, rule and case files).

    It is committed as `rules/schema.json` for editors (VS Code's YAML extension reads the
    `# yaml-language-server: $schema=...` line at the top of each file).

    Examples:
        >>> schema = knowledge_base_schema()
        >>> [entry["$ref"].removeprefix("#/$defs/") for entry in schema["anyOf"]]
        ['Instrument', 'InterventionsFile', 'RuleFile', 'CaseFile', 'CycleSettings', 'CycleRuleFile']
    """
    from pydantic.json_schema import models_json_schema  # noqa: PLC0415 - only for this export

    from diagnose.adjustment import CycleRuleFile  # noqa: PLC0415 - avoids an import cycle
    from diagnose.checks import CaseFile  # noqa: PLC0415 - avoids an import cycle
    from diagnose.conditions import RuleFile  # noqa: PLC0415 - avoids an import cycle

    models: list[type[BaseModel]] = [
        Instrument,
        InterventionsFile,
        RuleFile,
        CaseFile,
        CycleSettings,
        CycleRuleFile,
    ]
    refs, schema = models_json_schema([(m, "validation") for m in models], by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "diagnose knowledge-base file",
        "anyOf": [refs[(m, "validation")] for m in models],
        **schema,
    }
