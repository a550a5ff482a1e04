"""Reading a knowledge-base folder: every file, every problem, located; then cross-references."""

from __future__ import annotations

import hashlib
import json
import types
import typing
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from diagnose._partial import Declared, RuleParts, rule_parts, valid_entries
from diagnose._yaml import YamlDocument, read_yaml
from diagnose.adjustment import (
    CYCLE_FACTS,
    CycleAllOf,
    CycleAnyOf,
    CycleFact,
    CycleNotOf,
    CycleRule,
    CycleRuleFile,
)
from diagnose.checks import Case, CaseFile
from diagnose.conditions import (
    CONDITION_TAGS,
    AllOf,
    AnyOf,
    Condition,
    ContextCondition,
    LevelCondition,
    NotOf,
    RuleFile,
    ScoreCondition,
)
from diagnose.errors import KnowledgeBaseProblem
from diagnose.fairness import protected_question, sanction_word
from diagnose.knowledge import (
    ContextField,
    CycleSettings,
    Instrument,
    InterventionsFile,
    Item,
    KnowledgeBase,
    Origin,
    Scale,
    suggest,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

    from diagnose.conditions import Rule

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

INSTRUMENT = "instrument.yaml"
INTERVENTIONS = "interventions.yaml"
RECOMMEND = "recommend"
CASES = "cases"
CYCLE = "cycle"
CYCLE_SETTINGS = "cycle/settings.yaml"
_TAG_MODELS: dict[str, type[BaseModel]] = {
    "all-of": AllOf,
    "any-of": AnyOf,
    "not-of": NotOf,
    "factor-level": LevelCondition,
    "factor-score": ScoreCondition,
    "context-value": ContextCondition,
}


def format_loc(loc: Sequence[str | int]) -> str:
    """Render a location as `rules[3].when.all[0].factor`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class _Reader:
    """Collects the problems of one folder as it reads it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[KnowledgeBaseProblem] = []

    def add(self, doc: YamlDocument | str, loc: Loc, message: str, *, key: bool = False) -> None:
        if isinstance(doc, str):
            self.problems.append(KnowledgeBaseProblem(doc, 0, 0, format_loc(loc), message))
            return
        line, column = doc.locate_key(loc) if key else doc.locate(loc)
        self.problems.append(KnowledgeBaseProblem(doc.file, line, column, format_loc(loc), message))

    def read(self, relative: str) -> YamlDocument | None:
        path = self.root / relative
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.add(relative, (), "file not found: a knowledge base needs this file")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.add(relative, (), f"cannot read the file: {exc}")
            return None
        doc, problems = read_yaml(text, relative)
        self.problems.extend(problems)
        if doc is not None and not isinstance(doc.data, dict):
            self.add(doc, (), f"expected a mapping at the top of the file, got {_describe(doc.data)}")
            return None
        return doc

    def validate(self, doc: YamlDocument, model: type[M], context: dict[str, Any] | None = None) -> M | None:
        try:
            return model.model_validate_json(
                json.dumps(doc.data, ensure_ascii=False, default=str), context=context
            )
        except ValidationError as exc:
            self._report(doc, model, exc)
            return None

    def _report(self, doc: YamlDocument, model: type[BaseModel], exc: ValidationError) -> None:
        errors = exc.errors(include_url=False)
        resolved = [(_resolve(doc.data, tuple(err["loc"])), err) for err in errors]
        grouped: dict[Loc, list[tuple[str, str]]] = {}
        for loc, err in resolved:
            raw_loc = tuple(err["loc"])
            kind = err["type"]
            if kind == "invalid_scale":
                continue  # reported where the scale is defined
            if kind == "too_short" and any(
                len(other) > len(loc) and other[: len(loc)] == loc for other, _ in resolved
            ):
                continue  # pydantic counts only the valid members; the invalid ones are reported
            if kind == "missing":
                self.add(doc, loc[:-1], f"missing required key {raw_loc[-1]!r}")
            elif kind == "extra_forbidden":
                name = str(raw_loc[-1])
                message = f"unknown key {name!r}{suggest(name, _allowed_keys(model, raw_loc[:-1]))}"
                self.add(doc, loc, message, key=True)
            else:
                grouped.setdefault(loc, []).append((kind, _message(err)))
        for loc, messages in grouped.items():
            literal = [m for kind, m in messages if kind == "literal_error"]
            chosen = literal[:1] or list(dict.fromkeys(m for _, m in messages))
            self.add(doc, loc, " or ".join(chosen))


def _resolve(data: object, loc: Loc) -> Loc:
    """Keep the parts of a pydantic location that exist in the data (drops tags and union labels).

    The first part that does not exist (a missing key) is kept, and the walk stops there.
    """
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:  # noqa: SIM114 - mypy narrows each arm
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and (part in CONDITION_TAGS or "[" in part or part in _LABELS):
            continue
        else:
            out.append(part)
            break
        out.append(part)
    return tuple(out)


_LABELS = frozenset({"str", "int", "float", "bool", "none", "function-after", "tuple", "list", "dict"})


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:  # noqa: C901 - one branch per typing form
    """The keys a mapping at `loc` may have, found by walking the model's annotations."""
    candidates: list[Any] = [model]
    for part in loc:
        if isinstance(part, str) and part in _TAG_MODELS:
            candidates = [_TAG_MODELS[part]]
            continue
        following: list[Any] = []
        for candidate in _flatten(candidates):
            if isinstance(part, int) and typing.get_origin(candidate) in {tuple, list}:
                following.extend(a for a in typing.get_args(candidate) if a is not Ellipsis)
            elif isinstance(part, str) and typing.get_origin(candidate) is dict:
                following.append(typing.get_args(candidate)[1])
            elif isinstance(part, str) and isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, field in candidate.model_fields.items():
                    if part in {name, field.alias}:
                        following.append(field.annotation)
        candidates = following or candidates
    keys: list[str] = []
    for candidate in _flatten(candidates):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            keys.extend(f.alias or n for n, f in candidate.model_fields.items())
    return keys


def _flatten(types_: list[Any]) -> Iterator[Any]:
    for t in types_:
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            yield from _flatten([typing.get_args(t)[0]])
        elif origin in {typing.Union, types.UnionType}:
            yield from _flatten(list(typing.get_args(t)))
        else:
            yield t


#: What each plain pydantic error type means, in our words (the input is added after it).
_EXPECTED = {
    "string_pattern_mismatch": (
        "expected an id of lowercase letters, digits and underscores that starts with a letter"
    ),
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "int_or_float_type": "expected a number",
    "bool_type": "expected true or false",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


def _message(err: Any) -> str:  # noqa: ANN401, PLR0911 - pydantic's ErrorDetails; one exit per kind
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    got = f", got {_describe(value)}"
    if kind in _EXPECTED:
        return _EXPECTED[kind] + got
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",")]
        hint = suggest(value, options) if isinstance(value, str) else ""
        return f"expected {expected}{got}{hint}"
    if kind == "string_type":
        return f"expected text{got}" + (" (put it in quotes)" if isinstance(value, int | float) else "")
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return "must not be empty"
    if kind == "too_short":
        least = ctx.get("min_length")
        entries = "entry" if least == 1 else "entries"
        return f"expected at least {least} {entries}, got {ctx.get('actual_length')}"
    if kind in {"greater_than_equal", "less_than_equal"}:
        bound = f"at least {ctx.get('ge')}" if kind == "greater_than_equal" else f"at most {ctx.get('le')}"
        return f"expected a number of {bound}{got}"
    return str(err["msg"]).removeprefix("Value error, ")


def read_knowledge_base(root: Path) -> tuple[KnowledgeBase | None, list[KnowledgeBaseProblem]]:
    """Read, validate and cross-check a knowledge-base folder.

    Returns:
        The knowledge base (None when there were problems) and every problem found.
    """
    reader = _Reader(root)
    if not root.is_dir():
        reader.add(str(root), (), "not a knowledge-base folder (it does not exist or is not a folder)")
        return None, reader.problems

    instrument, instrument_doc = _read_instrument(reader)
    # What the instrument declares, even when it is invalid: the references are checked all the same.
    known = (
        Declared.of(instrument)
        if instrument is not None
        else (Declared.read(instrument_doc) if instrument_doc is not None else None)
    )
    interventions_doc = reader.read(INTERVENTIONS)
    interventions = (
        reader.validate(interventions_doc, InterventionsFile) if interventions_doc is not None else None
    )
    invalid_rule_files: list[YamlDocument] = []
    rule_files = _read_all(reader, RECOMMEND, RuleFile, required=True, failed=invalid_rule_files)
    cases, case_origins = _read_cases(reader)
    cycle = _read_cycle(reader, known, interventions)
    cycle_files = _read_cycle_rules(reader)

    if instrument is not None and instrument_doc is not None:
        _check_instrument(reader, instrument_doc, instrument)
    elif instrument_doc is not None:
        _check_instrument_parts(reader, instrument_doc)
    if interventions is not None and interventions_doc is not None:
        _check_interventions(reader, interventions_doc, interventions, known)
    if known is not None:
        declared: list[str] | None
        if interventions is not None:
            declared = [i.id for i in interventions.interventions]
        else:  # the catalogue is invalid, but the ids it declares still tell which references are wrong
            declared = _raw_ids(interventions_doc, "interventions")
        # The rules of an invalid file that validate on their own are checked too, at their index.
        rule_entries = [
            (doc, [(n, RuleParts.of(r)) for n, r in enumerate(parsed.rules)]) for doc, parsed in rule_files
        ]
        rule_entries += [(doc, rule_parts(doc)) for doc in invalid_rule_files]
        _check_rules(reader, sorted(rule_entries, key=lambda entry: entry[0].file), known, declared)

    if reader.problems or instrument is None or interventions is None:
        return None, sorted(reader.problems, key=lambda p: (p.file, p.line, p.column))
    rules = tuple(rule for _doc, parsed in rule_files for rule in parsed.rules)
    digest = content_hash(instrument, interventions, rule_files, cycle, cycle_files)
    assert instrument_doc is not None  # noqa: S101 - instrument is only parsed from a document
    assert interventions_doc is not None  # noqa: S101 - likewise
    origins = _origins(instrument_doc, instrument, interventions_doc, interventions, rule_files)
    origins.update(case_origins)
    origins.update(_cycle_origins(cycle_files))
    kb = KnowledgeBase(
        instrument=instrument,
        interventions=interventions.interventions,
        rules=rules,
        content_hash=digest,
        path=root,
        origins=origins,
        cases=tuple(cases),
        cycle=cycle,
        cycle_rules=tuple(rule for _doc, parsed in cycle_files for rule in parsed.rules),
    )
    if limits := _engine_limit_problems(kb):
        return None, limits
    return kb, []


def _engine_limit_problems(kb: KnowledgeBase) -> list[KnowledgeBaseProblem]:
    """What the rule engine could not take (`diagnose._limits`), found before it sees the rules."""
    from diagnose._engine import compile_cycle_ruleset, compile_ruleset  # noqa: PLC0415 - the engine's compiler, not durable
    from diagnose._limits import limit_problems  # noqa: PLC0415 - as above

    problems: list[KnowledgeBaseProblem] = []
    for compile_, kind, folder in (
        (compile_ruleset, "rule", RECOMMEND),
        (compile_cycle_ruleset, "cycle_rule", "cycle"),
    ):
        try:
            found = limit_problems(compile_(kb))
        except OverflowError as exc:  # a whole-number bound beyond any float
            found = [("", f"a number in the rules is too large for the rule engine: {exc}")]
        for rule_id, message in found:
            origin = kb.origins.get(f"{kind}:{rule_id}") if rule_id else None
            if origin is None:
                problems.append(KnowledgeBaseProblem(f"{folder}/", 0, 0, "", message))
            else:
                problems.append(
                    KnowledgeBaseProblem(origin.file, origin.line, origin.column, origin.path, message)
                )
    return problems


def _raw_ids(doc: YamlDocument | None, section: str) -> list[str] | None:
    """The `id`s a file declares under `section`, read from its raw data (None if unreadable)."""
    data = doc.data if doc is not None else None
    entries = data.get(section) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None
    return [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _read_all(
    reader: _Reader, folder: str, model: type[M], *, required: bool, failed: list[YamlDocument] | None = None
) -> list[tuple[YamlDocument, M]]:
    """Read and validate every `*.yaml` file of a subfolder, in name order.

    The files that were read but did not validate are added to `failed`, when given.
    """
    directory = reader.root / folder
    names = sorted(p.name for p in directory.glob("*.yaml")) if directory.is_dir() else []
    names = [n for n in names if f"{folder}/{n}" != CYCLE_SETTINGS]
    if required and not names:
        reader.add(folder, (), f"no rule files: a knowledge base needs at least one {folder}/*.yaml")
    out = []
    for name in names:
        doc = reader.read(f"{folder}/{name}")
        parsed = reader.validate(doc, model) if doc is not None else None
        if doc is not None and parsed is not None:
            out.append((doc, parsed))
        elif doc is not None and failed is not None:
            failed.append(doc)
    return out


def _origins(
    instrument_doc: YamlDocument,
    instrument: Instrument,
    interventions_doc: YamlDocument,
    interventions: InterventionsFile,
    rule_files: Sequence[tuple[YamlDocument, RuleFile]],
) -> dict[str, Origin]:
    """Where each factor, item, context field, intervention and rule is defined."""
    origins: dict[str, Origin] = {}

    def note(kind: str, ident: str, doc: YamlDocument, loc: Loc) -> None:
        line, column = doc.locate((*loc, "id"))
        origins[f"{kind}:{ident}"] = Origin(doc.file, line, column, format_loc(loc))

    sections: tuple[tuple[str, str, Sequence[Any]], ...] = (
        ("factors", "factor", instrument.factors),
        ("items", "item", instrument.items),
        ("context", "context", instrument.context),
    )
    for section, kind, entries in sections:
        for index, entry in enumerate(entries):
            note(kind, entry.id, instrument_doc, (section, index))
    for index, intervention in enumerate(interventions.interventions):
        note("intervention", intervention.id, interventions_doc, ("interventions", index))
    for doc, parsed in rule_files:
        for index, rule in enumerate(parsed.rules):
            note("rule", rule.id, doc, ("rules", index))
            for number in range(len(rule.examples)):
                loc = ("rules", index, "examples", number)
                line, column = doc.locate(loc)
                origins[f"example:{rule.id}:{number}"] = Origin(doc.file, line, column, format_loc(loc))
    return origins


def _read_instrument(reader: _Reader) -> tuple[Instrument | None, YamlDocument | None]:
    doc = reader.read(INSTRUMENT)
    if doc is None:
        return None, None
    instrument = reader.validate(doc, Instrument, context=_scales(doc))
    return instrument, doc


def _scales(doc: YamlDocument) -> dict[str, Any]:
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


def _duplicates(
    reader: _Reader, doc: YamlDocument, kind: str, section: str, ids: Sequence[str | None]
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
    reader: _Reader,
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


def _check_instrument_parts(reader: _Reader, doc: YamlDocument) -> None:
    """The checks of an instrument that did not validate, over the entries that do on their own."""
    assert isinstance(doc.data, dict)  # noqa: S101 - read() returns only mappings
    for kind, section in (("factor", "factors"), ("item", "items"), ("context field", "context")):
        entries = doc.data.get(section)
        ids = [
            e.get("id") if isinstance(e, dict) and isinstance(e.get("id"), str) else None
            for e in (entries if isinstance(entries, list) else [])
        ]
        _duplicates(reader, doc, kind, section, ids)
    items = valid_entries(doc, "items", Item, context=_scales(doc))
    _check_fairness(reader, doc, valid_entries(doc, "context", ContextField), items)


def _check_screening(reader: _Reader, doc: YamlDocument, instrument: Instrument) -> None:
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


def _check_instrument(reader: _Reader, doc: YamlDocument, instrument: Instrument) -> None:
    factors = {f.id: f for f in instrument.factors}
    _duplicates(reader, doc, "factor", "factors", [f.id for f in instrument.factors])
    _duplicates(reader, doc, "item", "items", [i.id for i in instrument.items])
    _duplicates(reader, doc, "context field", "context", [c.id for c in instrument.context])
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
    _check_screening(reader, doc, instrument)
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


def _cycle_origins(files: Sequence[tuple[YamlDocument, CycleRuleFile]]) -> dict[str, Origin]:
    origins: dict[str, Origin] = {}
    for doc, parsed in files:
        for index, rule in enumerate(parsed.rules):
            line, column = doc.locate(("rules", index, "id"))
            origins[f"cycle_rule:{rule.id}"] = Origin(doc.file, line, column, f"rules[{index}]")
            for number in range(len(rule.examples)):
                loc = ("rules", index, "examples", number)
                line, column = doc.locate(loc)
                origins[f"example:{rule.id}:{number}"] = Origin(doc.file, line, column, format_loc(loc))
    return origins


def _read_cases(reader: _Reader) -> tuple[list[tuple[str, Case]], dict[str, Origin]]:
    """The optional `cases/*.yaml` files: the cases and where each is defined."""
    cases: list[tuple[str, Case]] = []
    origins: dict[str, Origin] = {}
    for doc, parsed in _read_all(reader, CASES, CaseFile, required=False):
        _duplicates(reader, doc, "case", "cases", [c.id for c in parsed.cases])
        for number, case in enumerate(parsed.cases):
            cases.append((doc.file, case))
            line, column = doc.locate(("cases", number, "id"))
            origins[f"case:{doc.file}:{case.id}"] = Origin(doc.file, line, column, f"cases[{number}]")
    return cases, origins


def _duplicate_rule_ids(
    reader: _Reader, files: Sequence[tuple[YamlDocument, Sequence[tuple[int, str]]]], kind: str
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


def _read_cycle_rules(reader: _Reader) -> list[tuple[YamlDocument, CycleRuleFile]]:
    """The cycle rule files (`cycle/*.yaml` but the settings), validated and checked."""
    invalid: list[YamlDocument] = []
    files = _read_all(reader, CYCLE, CycleRuleFile, required=False, failed=invalid)
    # The rules of an invalid file that validate on their own are checked too, at their index.
    entries = [(doc, list(enumerate(parsed.rules))) for doc, parsed in files]
    entries += [(doc, valid_entries(doc, "rules", CycleRule)) for doc in invalid]
    _check_cycle_rules(reader, sorted(entries, key=lambda entry: entry[0].file))
    return files


def _fact_value_problem(name: str, value: object) -> str | None:
    values = CYCLE_FACTS[name][1]
    if value in values and isinstance(value, bool) == isinstance(values[0], bool):
        return None
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v).lower() for v in values)
    return f"fact {name!r} is one of {shown}, got {value!r}"


def _check_cycle_rules(
    reader: _Reader, entries: Sequence[tuple[YamlDocument, Sequence[tuple[int, CycleRule]]]]
) -> None:
    """Cycle rules: unique ids, facts of the right scope, values each fact can take."""
    ids = [(doc, [(n, r.id) for n, r in rules]) for doc, rules in entries]
    _duplicate_rule_ids(reader, ids, "cycle rule")
    for doc, rules in entries:
        for index, rule in rules:
            _check_cycle_rule(reader, doc, ("rules", index), rule)


def _check_cycle_rule(reader: _Reader, doc: YamlDocument, where: Loc, rule: CycleRule) -> None:
    for loc, test in _cycle_facts(rule.when, (*where, "when")):
        if CYCLE_FACTS[test.fact][0] == "goal" and rule.scope == "trajectory":
            reader.add(
                doc, (*loc, "fact"), f"{test.fact!r} is a fact about a goal; a trajectory rule cannot read it"
            )
        for n, value in enumerate(test.accepted()):
            if problem := _fact_value_problem(test.fact, value):
                reader.add(doc, (*loc, "is") if test.is_ is not None else (*loc, "in", n), problem)
    for n, example in enumerate(rule.examples):
        for name, value in example.facts.items():
            if problem := _fact_value_problem(name, value):
                reader.add(doc, (*where, "examples", n, "facts", name), problem)


def _cycle_facts(condition: object, loc: Loc) -> Iterator[tuple[Loc, CycleFact]]:
    if isinstance(condition, CycleAllOf):
        for n, child in enumerate(condition.all_):
            yield from _cycle_facts(child, (*loc, "all", n))
    elif isinstance(condition, CycleAnyOf):
        for n, child in enumerate(condition.any_):
            yield from _cycle_facts(child, (*loc, "any", n))
    elif isinstance(condition, CycleNotOf):
        yield from _cycle_facts(condition.not_, (*loc, "not"))
    elif isinstance(condition, CycleFact):
        yield loc, condition


def _read_cycle(
    reader: _Reader, known: Declared | None, interventions: InterventionsFile | None
) -> CycleSettings | None:
    """The optional `cycle/settings.yaml`, validated and cross-checked."""
    if not (reader.root / CYCLE_SETTINGS).is_file():
        return None
    doc = reader.read(CYCLE_SETTINGS)
    cycle = reader.validate(doc, CycleSettings) if doc is not None else None
    if cycle is not None and doc is not None and known is not None:
        _check_cycle(reader, doc, cycle, known.factors, interventions)
    return cycle


def _check_cycle(
    reader: _Reader,
    doc: YamlDocument,
    cycle: CycleSettings,
    factors: list[str],
    interventions: InterventionsFile | None,
) -> None:
    for name, value in cycle.minimal_change.items():
        if name not in factors:
            reader.add(
                doc, ("minimal_change", name), f"unknown factor {name!r}{suggest(name, factors)}", key=True
            )
        elif value <= 0:
            reader.add(doc, ("minimal_change", name), f"expected a number above 0, got {value}")
    known = [i.id for i in interventions.interventions] if interventions is not None else None
    for name, weeks in cycle.review_weeks.items():
        if known is not None and name not in known:
            reader.add(
                doc, ("review_weeks", name), f"unknown intervention {name!r}{suggest(name, known)}", key=True
            )
        elif not 1 <= weeks <= 104:  # noqa: PLR2004 - a review within two years
            reader.add(
                doc, ("review_weeks", name), f"expected a whole number of weeks from 1 to 104, got {weeks}"
            )


def _check_interventions(
    reader: _Reader, doc: YamlDocument, parsed: InterventionsFile, known: Declared | None
) -> None:
    _duplicates(reader, doc, "intervention", "interventions", [i.id for i in parsed.interventions])
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


def iter_condition_atoms(
    condition: Condition, loc: Loc
) -> Iterator[tuple[Loc, LevelCondition | ScoreCondition | ContextCondition]]:
    """Yield every factor and context test of a condition with its location in the file."""
    if isinstance(condition, AllOf):
        for index, child in enumerate(condition.all_):
            yield from iter_condition_atoms(child, (*loc, "all", index))
    elif isinstance(condition, AnyOf):
        for index, child in enumerate(condition.any_):
            yield from iter_condition_atoms(child, (*loc, "any", index))
    elif isinstance(condition, NotOf):
        yield from iter_condition_atoms(condition.not_, (*loc, "not"))
    else:
        yield loc, condition


def _check_rules(
    reader: _Reader,
    rule_entries: Sequence[tuple[YamlDocument, Sequence[tuple[int, RuleParts]]]],
    known: Declared,
    known_interventions: list[str] | None,
) -> None:
    factors, thresholds = known.factors, known.thresholds
    context: dict[str, ContextField | None] = dict.fromkeys(known.context_ids)
    context.update(known.context)  # a declared field that is invalid itself: None, not checked
    ids = [(doc, [(n, r.id) for n, r in rules if r.id is not None]) for doc, rules in rule_entries]
    _duplicate_rule_ids(reader, ids, "rule")
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
                _check_atom(reader, doc, loc, atom, factors, context)
            for e_index, example in rule.examples:
                _check_example(
                    reader, doc, (*where, "examples", e_index), example, factors, context, thresholds
                )


def _check_atom(  # noqa: PLR0913, PLR0917 - the checker's state is passed, not kept in globals
    reader: _Reader,
    doc: YamlDocument,
    loc: Loc,
    atom: LevelCondition | ScoreCondition | ContextCondition,
    factors: list[str],
    context: Mapping[str, Any],
) -> None:
    if isinstance(atom, LevelCondition | ScoreCondition):
        if atom.factor not in factors:
            reader.add(
                doc,
                (*loc, "factor"),
                f"unknown factor {atom.factor!r}{suggest(atom.factor, factors)}",
            )
        return
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


def context_value_problem(kind: str, values: Sequence[str], value: object) -> str | None:
    """Say what is wrong with a value for a context field of this type, or None when it fits."""
    if kind == "boolean" and not isinstance(value, bool):
        return f"expected true or false, got {_describe(value)}"
    if kind == "enum" and value not in values:
        options = ", ".join(repr(v) for v in values)
        hint = suggest(value, list(values)) if isinstance(value, str) else ""
        return f"expected one of {options}, got {_describe(value)}{hint}"
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"expected a whole number, got {_describe(value)}"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, got {_describe(value)}"
    return None


def _check_example(  # noqa: PLR0913, PLR0917 - as _check_atom
    reader: _Reader,
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


def content_hash(
    instrument: Instrument,
    interventions: InterventionsFile,
    rule_files: Sequence[tuple[YamlDocument, RuleFile]],
    cycle: CycleSettings | None = None,
    cycle_files: Sequence[tuple[YamlDocument, CycleRuleFile]] = (),
) -> str:
    """`sha256:` over a canonical JSON form: independent of key order, quoting and whitespace.

    It covers everything that decides or explains advice; worked examples and cases (tests of
    the knowledge, not knowledge) are left out, so adding a test does not change the hash.
    """
    rules: list[Rule] = sorted((r for _d, f in rule_files for r in f.rules), key=lambda r: r.id)
    dumped = instrument.model_dump(mode="json", by_alias=True)
    for factor in dumped["factors"]:  # no screening: the hash it had before screening existed
        if not factor.get("screening"):
            factor.pop("screening", None)
    content = {
        "instrument": dumped,
        "interventions": interventions.model_dump(mode="json", by_alias=True),
        "rules": [r.model_dump(mode="json", by_alias=True, exclude={"examples"}) for r in rules],
        "rule_files": {
            d.file: f.description.model_dump(mode="json") if f.description else None
            for d, f in sorted(rule_files, key=lambda pair: pair[0].file)
        },
    }
    if cycle is not None:  # absent settings leave the hash of older knowledge bases unchanged
        content["cycle"] = cycle.model_dump(mode="json")
    cycle_rules = sorted((r for _d, f in cycle_files for r in f.rules), key=lambda r: r.id)
    if cycle_rules:
        content["cycle_rules"] = [
            r.model_dump(mode="json", by_alias=True, exclude={"examples"}) for r in cycle_rules
        ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
