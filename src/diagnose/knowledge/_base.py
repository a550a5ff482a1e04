"""The loaded knowledge base: its parts, looked up by id, and where each was defined."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from diagnose.knowledge._models import ContextField, CycleSettings, Factor, Instrument, Intervention, Item
from diagnose.knowledge._tree import iter_atoms

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from diagnose.knowledge.cases import Case
    from diagnose.knowledge.conditions import Rule
    from diagnose.knowledge.cycle_rules import CycleRule


T = TypeVar("T")


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
        "__weakref__",
        "_derived",
        "_derived_lock",
        "cases",
        "content_hash",
        "context_fields",
        "cycle",
        "cycle_rules",
        "cycle_rules_by_id",
        "factors",
        "instrument",
        "interventions",
        "items",
        "items_by_factor",
        "items_by_id",
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
        #: Monitoring rules from `cycle/*.yaml`, run by `diagnose.cycle.monitoring.review`.
        self.cycle_rules: tuple[CycleRule, ...] = cycle_rules
        self.cycle_rules_by_id: Mapping[str, CycleRule] = MappingProxyType({r.id: r for r in cycle_rules})
        self.path = path
        self.content_hash = content_hash
        self.factors: Mapping[str, Factor] = MappingProxyType({f.id: f for f in instrument.factors})
        self.items: tuple[Item, ...] = instrument.items
        #: Item id → item.
        self.items_by_id: Mapping[str, Item] = MappingProxyType({i.id: i for i in instrument.items})
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
        self._derived: dict[Callable[[KnowledgeBase], object], object] = {}
        self._derived_lock = threading.RLock()  # what one maker builds may need another (the scorer)

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
        return self.items_by_id[item_id]

    def __repr__(self) -> str:
        """Show id, version and hash."""
        return f"<KnowledgeBase {self.id} {self.version} {self.content_hash[:19]}>"


def derived(kb: KnowledgeBase, make: Callable[[KnowledgeBase], T]) -> T:
    """What `make` builds from `kb`, built once per knowledge base and dropped with it.

    The engine and the batch path keep what they compile from a knowledge base here, so that
    the model itself knows nothing of them. Threads that ask at the same time get one value.
    """
    try:
        return kb._derived[make]  # type: ignore[return-value]  # noqa: SLF001 - stored by this function only, as make's T
    except KeyError:
        pass
    derived_values = kb._derived  # noqa: SLF001 - the knowledge base's own memo, kept by this function
    with kb._derived_lock:  # noqa: SLF001 - as above
        if make not in derived_values:
            derived_values[make] = make(kb)
        return derived_values[make]  # type: ignore[return-value]  # stored by this function only, as make's T


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


def _reads(rule: Rule) -> tuple[tuple[str, ...], tuple[str, ...]]:
    factors: dict[str, None] = {}
    fields: dict[str, None] = {}
    for kind, name in (atom.reads for atom in iter_atoms(rule.when)):
        (fields if kind == "context" else factors)[name] = None
    return tuple(factors), tuple(fields)
