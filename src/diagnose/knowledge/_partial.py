"""What a knowledge-base file still tells when it does not validate as a whole.

The loader reports every problem of every stage in one run: a schema error in one rule, or in
the instrument, must not hide a misspelt factor elsewhere. So the cross-reference checks run
over what did validate: the factors and context fields the instrument declares (each entry
validated on its own, when the file as a whole is invalid), and the rules of a rule file that
validate on their own (at their own index). The problems of the parts that do not validate are
reported by the validation of the whole file, once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from diagnose.knowledge._models import ContextField, Factor
from diagnose.knowledge.conditions import Condition, Rule, RuleExample

if TYPE_CHECKING:
    from diagnose.knowledge._models import Instrument, Thresholds
    from diagnose.knowledge._yaml import YamlDocument

__all__ = ["Declared", "RuleParts", "rule_parts", "valid_entries"]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Declared:
    """The factors and context fields an instrument declares, as far as they could be read.

    Attributes:
        factors: Every declared factor id (also of entries that are otherwise invalid).
        thresholds: The thresholds of the factors that validated.
        context_ids: Every declared context field id.
        context: The context fields that validated.
    """

    factors: list[str] = field(default_factory=list)
    thresholds: dict[str, Thresholds] = field(default_factory=dict)
    context_ids: list[str] = field(default_factory=list)
    context: dict[str, ContextField] = field(default_factory=dict)

    @classmethod
    def of(cls, instrument: Instrument) -> Declared:
        """Everything a valid instrument declares."""
        return cls(
            factors=[f.id for f in instrument.factors],
            thresholds={f.id: f.thresholds for f in instrument.factors},
            context_ids=[c.id for c in instrument.context],
            context={c.id: c for c in instrument.context},
        )

    @classmethod
    def read(cls, doc: YamlDocument) -> Declared:
        """What an instrument file that did not validate still declares, entry by entry."""
        factors = valid_entries(doc, "factors", Factor)
        fields = valid_entries(doc, "context", ContextField)
        return cls(
            factors=_raw_ids(doc, "factors"),
            thresholds={f.id: f.thresholds for _, f in factors},
            context_ids=_raw_ids(doc, "context"),
            context={c.id: c for _, c in fields},
        )


def _raw_ids(doc: YamlDocument, section: str) -> list[str]:
    entries = doc.data.get(section) if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return []
    return [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]


def valid_entries(
    doc: YamlDocument | dict[str, object], section: str, model: type[M], context: dict[str, Any] | None = None
) -> list[tuple[int, M]]:
    """The entries of a list in a file (or a mapping in it) that validate on their own, with their index."""
    data = doc if isinstance(doc, dict) else doc.data
    entries = data.get(section) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    out = []
    for index, entry in enumerate(entries):
        try:
            text = json.dumps(entry, ensure_ascii=False, default=str)
            out.append((index, model.model_validate_json(text, context=context)))
        except ValidationError:
            continue  # reported where the whole file is validated
    return out


@dataclass(frozen=True, slots=True)
class RuleParts:
    """The parts of a rule that are checked against the rest of the knowledge base.

    For a rule that does not validate, each part that does validate on its own is kept (None, or
    no example, for a part that does not), so that its references are checked all the same.
    """

    id: str | None
    when: Condition | None
    recommend: str | None
    examples: tuple[tuple[int, RuleExample], ...]

    @classmethod
    def of(cls, rule: Rule) -> RuleParts:
        """All the parts of a valid rule."""
        return cls(rule.id, rule.when, rule.recommend, tuple(enumerate(rule.examples)))

    @classmethod
    def read(cls, raw: dict[str, object]) -> RuleParts:
        """The parts of a rule (as read from the file) that validate on their own."""
        when: Condition | None = None
        if "when" in raw:
            try:
                when = _CONDITION.validate_json(json.dumps(raw["when"], ensure_ascii=False, default=str))
            except ValidationError:
                when = None
        examples = valid_entries(raw, "examples", RuleExample)
        ident, recommend = raw.get("id"), raw.get("recommend")
        return cls(
            ident if isinstance(ident, str) else None,
            when,
            recommend if isinstance(recommend, str) else None,
            tuple(examples),
        )


_CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)


def rule_parts(doc: YamlDocument) -> list[tuple[int, RuleParts]]:
    """The rules of a rule file that did not validate: what each still tells, at its index."""
    entries = doc.data.get("rules") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return []
    out = []
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            valid = valid_entries({"rules": [entry]}, "rules", Rule)
            out.append((index, RuleParts.of(valid[0][1]) if valid else RuleParts.read(entry)))
    return out
