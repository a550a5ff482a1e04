"""The fairness audit's result types (see `diagnose.quality._audit`)."""

from __future__ import annotations

from typing import Literal

from diagnose._base import Record

__all__ = ["AuditFlag", "DecisionRate", "FairnessAudit", "ItemFunctioning", "Rate"]

NOTE = (
    "This audit checks the instrument and how it is used, per group; the groups were supplied "
    "for the audit only. It is no score of any person and must never be used to rank or select people."
)


class Rate(Record):
    """A share of a group's clients with its Wilson 95% interval: `count` of `n`.

    Examples:
        >>> Rate(rate=0.25, low=0.14, high=0.41, n=40, count=10).count
        10
    """

    rate: float
    low: float
    high: float
    n: int
    count: int


class DecisionRate(Record):
    """How a group's advice for one intervention was decided: shares of `n` decisions.

    Examples:
        >>> DecisionRate(n=20, accepted=0.7, adapted=0.1, declined=0.2, declined_low=0.08,
        ...              declined_high=0.42).declined
        0.2
    """

    n: int
    accepted: float
    adapted: float
    declined: float
    declined_low: float
    declined_high: float


FlagKind = Literal[
    "advice_rate",
    "advice_at_equal_levels",
    "acceptance_rate",
    "decline_at_equal_levels",
    "item_functioning",
]


class AuditFlag(Record):
    """A difference between groups that needs a look: what, which groups, the ratio, the counts.

    Attributes:
        kind: `advice_rate` or `acceptance_rate` (below four fifths of the highest group's),
            `advice_at_equal_levels` or `decline_at_equal_levels` (Mantel-Haenszel risk ratio
            over equal levels outside the four-fifths band and significant), `item_functioning`
            (an item that behaves differently for groups at the same factor score).
        intervention: The intervention, for advice and decisions.
        item: The item, for item functioning.
        groups: The group flagged and the group it is compared with.
        ratio: The ratio of the first group's rate (or odds, for items) to the second's.
        p_value: Of the Mantel-Haenszel test, where one was made.
        counts: Per group, (clients with the event, clients compared).
        message: The flag in words.

    Examples:
        >>> f = AuditFlag(kind="advice_rate", intervention="job_matching", groups=("b", "a"),
        ...               ratio=0.5, counts={"b": (5, 50), "a": (10, 50)}, message="...")
        >>> f.ratio, f.counts["b"]
        (0.5, (5, 50))
    """

    kind: FlagKind
    intervention: str | None = None
    item: str | None = None
    groups: tuple[str, str]
    ratio: float
    p_value: float | None = None
    counts: dict[str, tuple[int, int]]
    message: str


class ItemFunctioning(Record):
    """Differential item functioning of one item for one group against the reference group.

    The item's answer counts as favourable when its scored value is above its scale's middle;
    the Mantel-Haenszel common odds ratio compares the groups at equal total scores of the
    factor (complete cases). ETS class: `A` negligible, `B` moderate, `C` large
    (|delta| >= 1.5 and significant), with delta = -2.35 ln(odds ratio).

    Examples:
        >>> ItemFunctioning(item="se_1", factor="self_efficacy", group="b", reference="a",
        ...                 odds_ratio=1.0, delta=0.0, p_value=0.9, strata=12, ets_class="A").ets_class
        'A'
    """

    item: str
    factor: str
    group: str
    reference: str
    odds_ratio: float
    delta: float
    p_value: float
    strata: int
    ets_class: Literal["A", "B", "C"]
    flag: AuditFlag | None = None


class FairnessAudit(Record):
    """The fairness audit of a caseload's diagnoses (and decisions) against audit-only groups.

    Attributes:
        diagnoses: How many diagnoses.
        min_group_size: Groups with fewer clients are suppressed.
        groups: Each group's size, None where suppressed.
        suppressed: The suppressed groups.
        unknown_group: Diagnoses without a group.
        reference: The group others are compared with at equal levels (the largest shown).
        advice_rates: Per intervention, per group, the share recommended it (None: suppressed).
        decision_rates: Per intervention, per group, how its advice was decided (None without decisions).
        item_functioning: Per item and group, how it behaves at equal factor scores.
        flags: What needs a look.
        note: What the audit is for, and what it must never be used for.

    Examples:
        >>> import diagnose
        >>> audit = diagnose.fairness_audit([], [])
        >>> audit.diagnoses, audit.flags
        (0, ())
    """

    kind: Literal["fairness_audit"] = "fairness_audit"
    knowledge_base_id: str
    knowledge_base_version: str
    knowledge_base_hash: str
    diagnoses: int
    min_group_size: int
    groups: dict[str, int | None]
    suppressed: tuple[str, ...]
    unknown_group: int
    reference: str | None
    advice_rates: dict[str, dict[str, Rate | None]]
    decision_rates: dict[str, dict[str, DecisionRate | None]] | None
    item_functioning: tuple[ItemFunctioning, ...]
    flags: tuple[AuditFlag, ...]
    note: str = NOTE
