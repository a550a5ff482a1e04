"""Reading a knowledge-base folder: every file, every problem, located; then cross-references."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnose.engine._durable import compile_cycle_ruleset, compile_ruleset
from diagnose.engine._limits import limit_problems
from diagnose.errors import KnowledgeBaseProblem
from diagnose.knowledge._base import KnowledgeBase, Origin
from diagnose.knowledge._cycle_checks import check_cycle, check_cycle_rules
from diagnose.knowledge._hash import content_hash
from diagnose.knowledge._messages import Loc, M, format_loc
from diagnose.knowledge._models import CycleSettings, Instrument, InterventionsFile
from diagnose.knowledge._partial import Declared, RuleParts, rule_parts, valid_entries
from diagnose.knowledge._read import (
    CASES,
    CYCLE,
    CYCLE_SETTINGS,
    INSTRUMENT,
    INTERVENTIONS,
    RECOMMEND,
    Reader,
)
from diagnose.knowledge._references import (
    check_instrument,
    check_instrument_parts,
    check_interventions,
    check_rules,
    duplicate_ids,
    scales_of,
)
from diagnose.knowledge._snapshot import SNAPSHOT
from diagnose.knowledge._snapshot import load as load_snapshot
from diagnose.knowledge.cases import Case, CaseFile
from diagnose.knowledge.conditions import (
    RuleFile,
)
from diagnose.knowledge.cycle_rules import (
    CycleRule,
    CycleRuleFile,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from diagnose.knowledge._yaml import YamlDocument


def read_knowledge_base(
    root: Path, *, snapshot: Path | None = SNAPSHOT
) -> tuple[KnowledgeBase | None, list[KnowledgeBaseProblem]]:
    """Read, validate and cross-check a knowledge-base folder.

    Args:
        root: The folder.
        snapshot: A snapshot file (`diagnose.knowledge._snapshot`): when `root` holds byte for
            byte the files it was made from, the knowledge base is built from it; otherwise, or
            when None, the folder is read and checked in full.

    Returns:
        The knowledge base (None when there were problems) and every problem found.
    """
    if snapshot is not None and (kb := load_snapshot(root, snapshot)) is not None:
        return kb, []
    reader = Reader(root)
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
        check_instrument(reader, instrument_doc, instrument)
    elif instrument_doc is not None:
        check_instrument_parts(reader, instrument_doc)
    if interventions is not None and interventions_doc is not None:
        check_interventions(reader, interventions_doc, interventions, known)
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
        check_rules(reader, sorted(rule_entries, key=lambda entry: entry[0].file), known, declared)

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
    """What the rule engine could not take (`diagnose.engine._limits`), found before it sees the rules."""
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
    reader: Reader, folder: str, model: type[M], *, required: bool, failed: list[YamlDocument] | None = None
) -> list[tuple[YamlDocument, M]]:
    """Read and validate every `*.yaml` file of a subfolder, in name order.

    The files that were read but did not validate are added to `failed`, when given.
    """
    names = [n for n in reader.names(folder) if f"{folder}/{n}" != CYCLE_SETTINGS]
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


def _read_instrument(reader: Reader) -> tuple[Instrument | None, YamlDocument | None]:
    doc = reader.read(INSTRUMENT)
    if doc is None:
        return None, None
    instrument = reader.validate(doc, Instrument, context=scales_of(doc))
    return instrument, doc


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


def _read_cases(reader: Reader) -> tuple[list[tuple[str, Case]], dict[str, Origin]]:
    """The optional `cases/*.yaml` files: the cases and where each is defined."""
    cases: list[tuple[str, Case]] = []
    origins: dict[str, Origin] = {}
    for doc, parsed in _read_all(reader, CASES, CaseFile, required=False):
        duplicate_ids(reader, doc, "case", "cases", [c.id for c in parsed.cases])
        for number, case in enumerate(parsed.cases):
            cases.append((doc.file, case))
            line, column = doc.locate(("cases", number, "id"))
            origins[f"case:{doc.file}:{case.id}"] = Origin(doc.file, line, column, f"cases[{number}]")
    return cases, origins


def _read_cycle_rules(reader: Reader) -> list[tuple[YamlDocument, CycleRuleFile]]:
    """The cycle rule files (`cycle/*.yaml` but the settings), validated and checked."""
    invalid: list[YamlDocument] = []
    files = _read_all(reader, CYCLE, CycleRuleFile, required=False, failed=invalid)
    # The rules of an invalid file that validate on their own are checked too, at their index.
    entries = [(doc, list(enumerate(parsed.rules))) for doc, parsed in files]
    entries += [(doc, valid_entries(doc, "rules", CycleRule)) for doc in invalid]
    check_cycle_rules(reader, sorted(entries, key=lambda entry: entry[0].file))
    return files


def _read_cycle(
    reader: Reader, known: Declared | None, interventions: InterventionsFile | None
) -> CycleSettings | None:
    """The optional `cycle/settings.yaml`, validated and cross-checked."""
    if not reader.exists(CYCLE_SETTINGS):
        return None
    doc = reader.read(CYCLE_SETTINGS)
    cycle = reader.validate(doc, CycleSettings) if doc is not None else None
    if cycle is not None and doc is not None and known is not None:
        check_cycle(reader, doc, cycle, known.factors, interventions)
    return cycle
