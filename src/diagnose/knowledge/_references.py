"""Checks across the files of a knowledge base: ids that must exist, examples that must fit, fairness."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from diagnose._base import suggest
from diagnose.knowledge._messages import Loc, describe_value
from diagnose.knowledge._models import ContextField, Instrument, InterventionsFile, Item, Scale
from diagnose.knowledge._partial import Declared, RuleParts, valid_entries
from diagnose.knowledge._tree import atoms_at
from diagnose.knowledge.conditions import ContextCondition, LevelCondition, ScoreCondition
from diagnose.knowledge.fairness import protected_question, sanction_word

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from diagnose.knowledge._read import Reader
    from diagnose.knowledge._yaml import YamlDocument
    from diagnose.knowledge.conditions import Atom, Condition


def duplicate_ids(
    reader: Reader, doc: YamlDocument, kind: str, section: str, ids: Sequence[str | None]
) -> None:
    """Report each id used before in the section (None: an entry without a readable id)."""
    first: dict[str, int] = {}
    for index, ident in enumerate(ids):
        if ident is None:
            continue
        if ident in first:
            line, _ = doc.locate((section, first[ident], "id"))
            reader.add(
                doc,
                (section, index, "id"),
                f"duplicate {kind} id {ident!r} (first defined on line {line})",
            )
        else:
            first[ident] = index


def _check_fairness(
    reader: Reader,
    doc: YamlDocument,
    context: Sequence[tuple[int, ContextField]],
    items: Sequence[tuple[int, Item]],
) -> None:
    """Context fields and items may not name or ask about protected attributes."""
    for index, field in context:
        texts: list[tuple[Loc, str]] = [
            (("context", index, "id"), field.id),
            (("context", index, "description", "nl"), field.description.nl),
            (("context", index, "description", "en"), field.description.en),
            *((("context", index, "values", n), v) for n, v in enumerate(field.values)),
        ]
        for loc, text in texts:
            if found := protected_question([text]):
                attribute, word = found
                reader.add(
                    doc,
                    loc,
                    f"context field {field.id!r} is refused: it names a protected attribute ({attribute}; "
                    f"the word {word!r}), and support may not be chosen by it",
                )
                break
    for index, item in items:
        for language in ("nl", "en"):
            if found := protected_question([getattr(item.text, language)]):
                attribute, word = found
                reader.add(
                    doc,
                    ("items", index, "text", language),
                    f"item {item.id!r} is refused: it asks about a protected attribute ({attribute}; "
                    f"the word {word!r}); ask about what can be supported instead",
                )
                break


def check_instrument_parts(reader: Reader, doc: YamlDocument) -> None:
    """The checks of an instrument that did not validate, over the entries that do on their own."""
    assert isinstance(doc.data, dict)  # noqa: S101 - read() returns only mappings
    for kind, section in (("factor", "factors"), ("item", "items"), ("context field", "context")):
        entries = doc.data.get(section)
        ids = [
            e.get("id") if isinstance(e, dict) and isinstance(e.get("id"), str) else None
            for e in (entries if isinstance(entries, list) else [])
        ]
        duplicate_ids(reader, doc, kind, section, ids)
    items = valid_entries(doc, "items", Item, context=scales_of(doc))
    _check_fairness(reader, doc, valid_entries(doc, "context", ContextField), items)


def check_instrument(reader: Reader, doc: YamlDocument, instrument: Instrument) -> None:
    factors = {f.id: f for f in instrument.factors}
    duplicate_ids(reader, doc, "factor", "factors", [f.id for f in instrument.factors])
    duplicate_ids(reader, doc, "item", "items", [i.id for i in instrument.items])
    duplicate_ids(reader, doc, "context field", "context", [c.id for c in instrument.context])
    _check_fairness(reader, doc, list(enumerate(instrument.context)), list(enumerate(instrument.items)))
    ranges: dict[str, tuple[int, int]] = {}
    counts: dict[str, int] = dict.fromkeys(factors, 0)
    for index, item in enumerate(instrument.items):
        if item.factor not in factors:
            message = f"unknown factor {item.factor!r}{suggest(item.factor, factors)}"
            reader.add(doc, ("items", index, "factor"), message)
            continue
        counts[item.factor] += 1
        span = (item.scale.min, item.scale.max)
        first = ranges.setdefault(item.factor, span)
        if span != first:
            reader.add(
                doc,
                ("items", index, "scale"),
                f"scale runs {span[0]}-{span[1]}, but other items of factor {item.factor!r} run "
                f"{first[0]}-{first[1]}; the items of one factor must share one range",
            )
    check_screening(reader, doc, instrument)
    for index, factor in enumerate(instrument.factors):
        if counts.get(factor.id, 0) < factor.min_answered:
            reader.add(
                doc,
                ("factors", index, "min_answered"),
                f"factor {factor.id!r} has {counts.get(factor.id, 0)} item(s), fewer than "
                f"min_answered ({factor.min_answered})",
            )
        if factor.id in ranges:
            low, high = ranges[factor.id]
            t = factor.thresholds
            if not (low < t.medium <= high and low < t.high <= high):
                reader.add(
                    doc,
                    ("factors", index, "thresholds"),
                    f"thresholds must lie above {low} and at most {high} (the factor's score range); "
                    f"got medium {t.medium}, high {t.high}",
                )


def duplicate_rule_ids(
    reader: Reader, files: Sequence[tuple[YamlDocument, Sequence[tuple[int, str]]]], kind: str
) -> None:
    """Rule ids are unique across all files of one kind; a repeat points at the first one."""
    first_seen: dict[str, str] = {}
    for doc, ids in files:
        for index, ident in ids:
            if ident in first_seen:
                message = f"duplicate {kind} id {ident!r} (first defined at {first_seen[ident]})"
                reader.add(doc, ("rules", index, "id"), message)
            else:
                line, column = doc.locate(("rules", index, "id"))
                first_seen[ident] = f"{doc.file}:{line}:{column}"


def check_interventions(
    reader: Reader, doc: YamlDocument, parsed: InterventionsFile, known: Declared | None
) -> None:
    duplicate_ids(reader, doc, "intervention", "interventions", [i.id for i in parsed.interventions])
    for index, intervention in enumerate(parsed.interventions):
        texts: list[tuple[Loc, str]] = [
            (("interventions", index, "id"), intervention.id),
            *(
                (("interventions", index, "name", lang), getattr(intervention.name, lang))
                for lang in ("nl", "en")
            ),
            *(
                (("interventions", index, "description", lang), getattr(intervention.description, lang))
                for lang in ("nl", "en")
            ),
        ]
        for loc, text in texts:
            if word := sanction_word(text):
                reader.add(
                    doc,
                    loc,
                    f"intervention {intervention.id!r} is refused: the word {word!r} reads as a sanction; "
                    "the catalogue holds support only",
                )
                break
    factors = known.factors if known is not None else None
    for index, intervention in enumerate(parsed.interventions):
        for t_index, target in enumerate(intervention.targets if factors is not None else ()):
            if factors is not None and target not in factors:
                reader.add(
                    doc,
                    ("interventions", index, "targets", t_index),
                    f"unknown factor {target!r}{suggest(target, factors)}",
                )


def iter_condition_atoms(condition: Condition, loc: Loc) -> Iterator[tuple[Loc, Atom]]:
    """Yield every factor and context test of a condition with its location in the file."""
    return atoms_at(condition, loc)


def check_rules(
    reader: Reader,
    rule_entries: Sequence[tuple[YamlDocument, Sequence[tuple[int, RuleParts]]]],
    known: Declared,
    known_interventions: list[str] | None,
) -> None:
    factors, thresholds = known.factors, known.thresholds
    context: dict[str, ContextField | None] = dict.fromkeys(known.context_ids)
    context.update(known.context)  # a declared field that is invalid itself: None, not checked
    ids = [(doc, [(n, r.id) for n, r in rules if r.id is not None]) for doc, rules in rule_entries]
    duplicate_rule_ids(reader, ids, "rule")
    for doc, rules in rule_entries:
        for index, rule in rules:
            where: Loc = ("rules", index)
            recommend = rule.recommend
            if (
                known_interventions is not None
                and recommend is not None
                and recommend not in known_interventions
            ):
                reader.add(
                    doc,
                    (*where, "recommend"),
                    f"unknown intervention {recommend!r}{suggest(recommend, known_interventions)}",
                )
            atoms = iter_condition_atoms(rule.when, (*where, "when")) if rule.when is not None else iter(())
            for loc, atom in atoms:
                _ATOM_CHECKS[type(atom)](reader, doc, loc, atom, factors, context)  # type: ignore[operator]  # each check takes its own kind
            for e_index, example in rule.examples:
                _check_example(
                    reader, doc, (*where, "examples", e_index), example, factors, context, thresholds
                )


def _check_factor_atom(  # noqa: PLR0913, PLR0917 - the checker's state is passed, not kept in globals
    reader: Reader,
    doc: YamlDocument,
    loc: Loc,
    atom: LevelCondition | ScoreCondition,
    factors: list[str],
    context: Mapping[str, Any],  # noqa: ARG001 - every atom check takes the same arguments
) -> None:
    if atom.factor not in factors:
        reader.add(doc, (*loc, "factor"), f"unknown factor {atom.factor!r}{suggest(atom.factor, factors)}")


def _check_context_atom(  # noqa: PLR0913, PLR0917 - as _check_factor_atom
    reader: Reader,
    doc: YamlDocument,
    loc: Loc,
    atom: ContextCondition,
    factors: list[str],  # noqa: ARG001 - every atom check takes the same arguments
    context: Mapping[str, Any],
) -> None:
    if atom.context not in context:
        message = f"unknown context field {atom.context!r}{suggest(atom.context, list(context))}"
        if not context:
            message += " (the instrument declares no context fields)"
        reader.add(doc, (*loc, "context"), message)
        return
    field = context[atom.context]
    if field is None:
        return  # the field's own problem is reported in the instrument
    accepted = atom.accepted()
    key = "is" if atom.is_ is not None else "in"
    if accepted is None:
        if field.type not in {"integer", "number"}:
            reader.add(
                doc,
                (*loc, "context"),
                f"bounds need a number field; {atom.context!r} is {field.type}",
            )
        return
    for index, value in enumerate(accepted):
        problem = context_value_problem(field.type, field.values, value)
        if problem:
            where = (*loc, key) if key == "is" else (*loc, key, index)
            reader.add(doc, where, f"context field {atom.context!r}: {problem}")


#: The check of each kind of atom (a new kind of atom adds its check here).
_ATOM_CHECKS = {
    LevelCondition: _check_factor_atom,
    ScoreCondition: _check_factor_atom,
    ContextCondition: _check_context_atom,
}


def context_value_problem(kind: str, values: Sequence[str], value: object) -> str | None:
    """Say what is wrong with a value for a context field of this type, or None when it fits."""
    if kind == "boolean" and not isinstance(value, bool):
        return f"expected true or false, got {describe_value(value)}"
    if kind == "enum" and value not in values:
        options = ", ".join(repr(v) for v in values)
        hint = suggest(value, list(values)) if isinstance(value, str) else ""
        return f"expected one of {options}, got {describe_value(value)}{hint}"
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"expected a whole number, got {describe_value(value)}"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, got {describe_value(value)}"
    return None


def _check_example(  # noqa: PLR0913, PLR0917 - as _check_atom
    reader: Reader,
    doc: YamlDocument,
    loc: Loc,
    example: Any,  # noqa: ANN401 - a RuleExample; typed loosely to keep this helper small
    factors: list[str],
    context: Mapping[str, Any],
    thresholds: Mapping[str, Any] | None = None,
) -> None:
    thresholds = thresholds or {}
    for section in ("levels", "scores"):
        for name in getattr(example, section):
            if name not in factors:
                reader.add(
                    doc,
                    (*loc, section, name),
                    f"unknown factor {name!r}{suggest(name, factors)}",
                    key=True,
                )
    for name, value in example.scores.items():
        given = example.levels.get(name)
        spec = thresholds.get(name)
        if given is not None and spec is not None:
            level = spec.level(value)
            if level != given:
                reader.add(
                    doc,
                    (*loc, "scores", name),
                    f"score {value:g} of {name!r} is {level!r}, but the example gives level {given!r}; "
                    "give one of the two, or make them agree",
                )
    for name, value in example.context.items():
        field = context.get(name)
        if name not in context:
            reader.add(
                doc,
                (*loc, "context", name),
                f"unknown context field {name!r}{suggest(name, list(context))}",
                key=True,
            )
        elif field is not None and (problem := context_value_problem(field.type, field.values, value)):
            reader.add(doc, (*loc, "context", name), problem)


def scales_of(doc: YamlDocument) -> dict[str, Any]:
    """The validation context of an instrument: its valid scales by name, and the invalid ones."""
    assert isinstance(doc.data, dict)  # noqa: S101 - read() returns only mappings
    scales: dict[str, Scale] = {}
    invalid: set[str] = set()
    raw_scales = doc.data.get("scales")
    if isinstance(raw_scales, dict):
        for name, raw in raw_scales.items():
            try:
                scales[str(name)] = Scale.model_validate_json(json.dumps(raw, default=str))
            except ValidationError:
                invalid.add(str(name))  # reported with its location when the whole file is validated
    return {"scales": scales, "invalid_scales": invalid}


def check_screening(reader: Reader, doc: YamlDocument, instrument: Instrument) -> None:
    """A factor's screening items are distinct items of that factor that can score it alone."""
    of_factor = {i.id: i.factor for i in instrument.items}
    for index, factor in enumerate(instrument.factors):
        for n, item in enumerate(factor.screening):
            where = ("factors", index, "screening", n)
            if item not in of_factor:
                reader.add(doc, where, f"unknown item {item!r}{suggest(item, of_factor)}")
            elif of_factor[item] != factor.id:
                reader.add(
                    doc, where, f"item {item!r} belongs to factor {of_factor[item]!r}, not to {factor.id!r}"
                )
            elif item in factor.screening[:n]:
                reader.add(doc, where, f"item {item!r} is listed twice")
        if factor.screening and factor.min_answered > len(factor.screening):
            reader.add(
                doc,
                ("factors", index, "screening"),
                f"a screen of {len(factor.screening)} item(s) cannot score factor {factor.id!r} alone "
                f"(min_answered is {factor.min_answered}): when the screen is not low, nothing else is asked",
            )
