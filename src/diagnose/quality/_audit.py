"""The fairness audit: advice and decisions per group, at equal factor levels, and items per group.

The groups (sex, origin, age band...) come from the municipality as audit-only data, aligned
with the diagnoses; they never enter an intake, a rule or a diagnosis (the fairness guard keeps
refusing them there). A group smaller than `min_group_size` is suppressed: its rates are None,
never shown. Per intervention: the share of each group recommended it (with Wilson intervals),
a flag where a group's rate is below four fifths of the highest, and the comparison that matters
for a support instrument: groups *at the same levels* of the factors the intervention's rules
read (Mantel-Haenszel over those strata, by statsmodels). The rules cannot see groups, so a
disparity at equal levels comes from human decisions or from the items; the per-item check
(differential item functioning, Mantel-Haenszel over total-score strata) shows the latter.

This audits the *instrument* and how it is used; nothing here scores, ranks or selects people.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from diagnose._base import LEVELS
from diagnose.assessment.recommendation import Diagnosis
from diagnose.cycle.plan import Decision
from diagnose.errors import QualityError
from diagnose.quality import _stats
from diagnose.quality._dif import item_functioning, p_text
from diagnose.quality._models import AuditFlag, DecisionRate, FairnessAudit, ItemFunctioning, Rate
from diagnose.quality._rows import read_answers

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["AuditFlag", "DecisionRate", "FairnessAudit", "ItemFunctioning", "Rate", "fairness_audit"]

#: The four-fifths band: a ratio of rates below this (or above its inverse) is flagged.
FOUR_FIFTHS = 0.8
#: A comparison at equal levels is flagged only when also significant at this level.
SIGNIFICANCE = 0.05
Action = Literal["accept", "adapt", "decline"]
_ACTIONS: tuple[Action, ...] = ("accept", "adapt", "decline")
_EqualLevels = Literal["advice_at_equal_levels", "decline_at_equal_levels"]


def _listed(what: str, values: object) -> list[object]:
    """An iterable (not text, not a mapping) as a list, or a QualityError naming the argument."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise QualityError(f"{what}: expected a sequence, one entry per diagnosis; got {values!r:.40}")
    return list(values)


def _check_diagnoses(diagnoses: object, kb: KnowledgeBase) -> list[Diagnosis]:
    found = _listed("diagnoses", diagnoses)
    for n, d in enumerate(found, start=1):
        if not isinstance(d, Diagnosis):
            raise QualityError(f"diagnosis {n}: expected a Diagnosis; got {d!r:.40}")
        if d.knowledge_base_hash != kb.content_hash:
            raise QualityError(
                f"diagnosis {n}: made with knowledge base {d.knowledge_base_id!r} {d.knowledge_base_version} "
                f"({d.knowledge_base_hash[:19]}), not with {kb.id!r} {kb.version} ({kb.content_hash[:19]}); "
                "pass the knowledge base the diagnoses were made with"
            )
    return found  # type: ignore[return-value]  # each checked above


def _check_groups(values: object, count: int) -> list[str | None]:
    groups = _listed("groups", values)
    if len(groups) != count:
        raise QualityError(
            f"groups: {len(groups)} values for {count} diagnoses; give one per diagnosis, in order "
            "(None where unknown)"
        )
    for n, g in enumerate(groups, start=1):
        if g is not None and (not isinstance(g, str) or not g.strip()):
            raise QualityError(f"groups, diagnosis {n}: expected a group label (text) or None; got {g!r:.40}")
    return groups  # type: ignore[return-value]  # each checked above


def _check_decisions(decisions: object, diagnoses: list[Diagnosis]) -> list[dict[str, Action]]:
    decisions = _listed("decisions", decisions)
    if len(decisions) != len(diagnoses):
        raise QualityError(
            f"decisions: {len(decisions)} entries for {len(diagnoses)} diagnoses; give one per diagnosis, "
            "in order (None or an empty list where nothing was decided)"
        )
    out: list[dict[str, Action]] = []
    for n, (entry, d) in enumerate(zip(decisions, diagnoses, strict=True), start=1):
        recommended = {r.intervention for r in d.recommendations}
        found: dict[str, Action] = {}
        if isinstance(entry, Mapping):
            pairs = list(entry.items())
        elif entry is None:
            pairs = []
        elif isinstance(entry, Sequence) and not isinstance(entry, str | bytes):
            if not all(isinstance(e, Decision) for e in entry):
                raise QualityError(f"decisions, diagnosis {n}: expected Decision objects or a mapping")
            pairs = [(e.intervention, e.action) for e in entry]
        else:
            raise QualityError(
                f"decisions, diagnosis {n}: expected a mapping of intervention to action, a list of "
                f"Decisions or None; got {entry!r:.40}"
            )
        for intervention, action in pairs:
            if action not in _ACTIONS:
                raise QualityError(
                    f"decisions, diagnosis {n}, {intervention!r}: expected one of 'accept', 'adapt', "
                    f"'decline'; got {action!r:.40}"
                )
            if intervention not in recommended:
                raise QualityError(
                    f"decisions, diagnosis {n}: a decision on {intervention!r}, which was not recommended "
                    "to this client"
                )
            found[str(intervention)] = action
        out.append(found)
    return out


def _rate(count: int, n: int) -> Rate:
    low, high = _stats.wilson(np.array([count]), np.array([n]))
    return Rate(rate=count / n, low=float(low[0]), high=float(high[0]), n=n, count=count)


def _strata(kb: KnowledgeBase, diagnoses: list[Diagnosis]) -> dict[str, NDArray[np.int64]]:
    """Per intervention, each client's stratum: the levels of the factors its rules read, as a code."""
    kinds = ("not_assessed", *LEVELS)
    factors = list(kb.factors)
    levels = np.array(
        [[kinds.index(d.profile.scores[f].level) for f in factors] for d in diagnoses], dtype=np.int64
    ).reshape(len(diagnoses), len(factors))
    out: dict[str, NDArray[np.int64]] = {}
    for intervention in kb.interventions:
        read: dict[str, None] = {}
        for rule in kb.rules:
            if rule.recommend == intervention:
                read.update(dict.fromkeys(kb.rule_reads[rule.id][0]))
        codes = np.zeros(len(diagnoses), dtype=np.int64)
        for f in read:  # a number in base 4, one digit per factor read
            codes = codes * len(kinds) + levels[:, factors.index(f)]
        out[intervention] = np.unique(codes, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return out


def _pooled(
    event: NDArray[np.bool_],
    labels: NDArray[np.object_],
    strata: NDArray[np.int64],
    group: str,
    reference: str,
) -> tuple[float, float, int] | None:
    """Mantel-Haenszel risk ratio of `group` over `reference` across strata, its p-value, strata used."""
    from statsmodels.stats.contingency_tables import StratifiedTable  # noqa: PLC0415 - optional dependency

    size = int(strata.max()) + 1 if len(strata) else 0
    g, r = labels == group, labels == reference
    a = np.bincount(strata[g & event], minlength=size)
    b = np.bincount(strata[g & ~event], minlength=size)
    c = np.bincount(strata[r & event], minlength=size)
    d = np.bincount(strata[r & ~event], minlength=size)
    # a stratum says something only with both groups in it and both outcomes in it
    used = (a + b > 0) & (c + d > 0) & (a + c > 0) & (b + d > 0)
    if not used.any():
        return None
    tables = np.array([[a[used], b[used]], [c[used], d[used]]], dtype=float)
    result = StratifiedTable(tables)
    ratio = float(result.riskratio_pooled)
    p_value = float(result.test_null_odds().pvalue)
    if not math.isfinite(ratio) or not math.isfinite(p_value):
        return None
    return ratio, p_value, int(used.sum())


def _four_fifths(
    what: Literal["advice_rate", "acceptance_rate"],
    intervention: str,
    rates: Mapping[str, Rate | None],
    flags: list[AuditFlag],
    noun: str,
) -> None:
    shown = {g: r for g, r in rates.items() if r is not None}
    if len(shown) < 2:  # noqa: PLR2004 - a comparison needs two groups
        return
    top = max(shown, key=lambda g: (shown[g].rate, g))
    if shown[top].rate == 0:
        return
    for group, rate in shown.items():
        ratio = rate.rate / shown[top].rate
        if group != top and ratio < FOUR_FIFTHS:
            counts = {group: (rate.count, rate.n), top: (shown[top].count, shown[top].n)}
            message = (
                f"{intervention!r}: {noun} of {group!r} ({rate.rate:.1%}) is {ratio:.2f} times that of "
                f"{top!r} ({shown[top].rate:.1%}), below four fifths"
            )
            flags.append(
                AuditFlag(
                    kind=what,
                    intervention=intervention,
                    groups=(group, top),
                    ratio=ratio,
                    counts=counts,
                    message=message,
                )
            )


def fairness_audit(
    diagnoses: Iterable[Diagnosis],
    groups: Iterable[str | None],
    decisions: Iterable[object] | None = None,
    min_group_size: int = 10,
    *,
    knowledge_base: KnowledgeBase | None = None,
) -> FairnessAudit:
    """Compare advice, decisions and items between groups supplied for the audit only.

    Args:
        diagnoses: The diagnoses of a caseload, all made with one knowledge base.
        groups: One group label per diagnosis, in the same order (None where unknown); the
            groups are used here only and never stored in a diagnosis.
        decisions: Optionally, per diagnosis, the professional's decisions on its advice: a
            mapping of intervention to `accept` / `adapt` / `decline`, a list of `Decision`s, or None.
        min_group_size: Groups with fewer clients are suppressed: no rate is shown for them.
        knowledge_base: The knowledge base of the diagnoses (the packaged default when None).

    Returns:
        The audit; see `FairnessAudit`.

    Raises:
        QualityError: diagnoses from another knowledge base, groups or decisions that do not
            line up with the diagnoses (with the diagnosis's number), a bad action or group label.

    Examples:
        >>> import diagnose
        >>> ds = [diagnose.assess({"mo_1": 1 + n % 2, "mo_2": 1}) for n in range(40)]
        >>> audit = diagnose.fairness_audit(ds, ["a"] * 30 + ["b"] * 10)
        >>> r = audit.advice_rates["motivational_interviewing"]["a"]
        >>> r.rate, r.n, audit.groups
        (1.0, 30, {'a': 30, 'b': 10})
        >>> small = diagnose.fairness_audit(ds, ["a"] * 35 + ["b"] * 5)
        >>> small.advice_rates["motivational_interviewing"]["b"] is None, small.suppressed
        (True, ('b',))
    """
    from diagnose.knowledge._load import load_knowledge_base  # noqa: PLC0415 - the default only when asked

    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    if type(min_group_size) is not int or min_group_size < 1:
        raise QualityError(f"min_group_size: expected a whole number of at least 1, got {min_group_size!r}")
    found = _check_diagnoses(diagnoses, kb)
    labels_list = _check_groups(groups, len(found))
    decided = _check_decisions(decisions, found) if decisions is not None else None
    labels = np.array(labels_list, dtype=object)
    sizes = {g: int((labels == g).sum()) for g in sorted({g for g in labels_list if g is not None})}
    shown = [g for g, n in sizes.items() if n >= min_group_size]
    suppressed = tuple(g for g in sizes if g not in shown)
    reference = max(shown, key=lambda g: (sizes[g], g)) if shown else None
    strata = _strata(kb, found)
    advised = [frozenset(r.intervention for r in d.recommendations) for d in found]
    advice: dict[str, dict[str, Rate | None]] = {}
    decision_rates: dict[str, dict[str, DecisionRate | None]] = {}
    flags: list[AuditFlag] = []
    comparisons: list[_Comparison] = []
    groups_seen = _Groups(labels, sizes, shown, reference, min_group_size)
    for intervention in kb.interventions:
        got = np.array([intervention in a for a in advised], dtype=bool)
        advice[intervention] = {
            g: _rate(int(got[labels == g].sum()), sizes[g]) if g in shown else None for g in sizes
        }
        _four_fifths("advice_rate", intervention, advice[intervention], flags, "the advice rate")
        for g in shown:
            if reference is not None and g != reference:
                what: _EqualLevels = "advice_at_equal_levels"
                _equal_levels(
                    what, intervention, got, labels, strata[intervention], g, reference, comparisons
                )
        if decided is not None:
            decision_rates[intervention] = _decisions(
                intervention, decided, strata[intervention], groups_seen, flags, comparisons
            )
    flags.extend(_adjusted_flags(comparisons))
    functioning = item_functioning(kb, read_answers(kb, found), labels, shown, reference, min_group_size)
    flags.extend(f.flag for f in functioning if f.flag is not None)
    return FairnessAudit(
        knowledge_base_id=kb.id,
        knowledge_base_version=kb.version,
        knowledge_base_hash=kb.content_hash,
        diagnoses=len(found),
        min_group_size=min_group_size,
        groups={g: (n if g in shown else None) for g, n in sizes.items()},
        suppressed=suppressed,
        unknown_group=int(sum(g is None for g in labels_list)),
        reference=reference,
        advice_rates=advice,
        decision_rates=decision_rates if decided is not None else None,
        item_functioning=tuple(functioning),
        flags=tuple(flags),
    )


class _Groups(NamedTuple):
    """The groups of an audit: each client's label, the sizes, those shown, the reference."""

    labels: NDArray[np.object_]
    sizes: dict[str, int]
    shown: list[str]
    reference: str | None
    min_group_size: int


def _decisions(  # noqa: PLR0913, PLR0917 - the pieces of one intervention's part of the audit
    intervention: str,
    decided: list[dict[str, Action]],
    strata: NDArray[np.int64],
    groups: _Groups,
    flags: list[AuditFlag],
    comparisons: list[_Comparison],
) -> dict[str, DecisionRate | None]:
    """Per group, how the advice for one intervention was decided; adds the acceptance flags."""
    actions = np.array([d.get(intervention, "") for d in decided], dtype=object)
    mask = actions != ""
    per_group: dict[str, DecisionRate | None] = {}
    acceptance: dict[str, Rate | None] = {}
    for g in groups.sizes:
        mine = (groups.labels == g) & mask
        n = int(mine.sum())
        if g not in groups.shown or n < groups.min_group_size:
            per_group[g] = acceptance[g] = None
            continue
        counts = {a: int((actions[mine] == a).sum()) for a in _ACTIONS}
        declined = _rate(counts["decline"], n)
        per_group[g] = DecisionRate(
            n=n,
            accepted=counts["accept"] / n,
            adapted=counts["adapt"] / n,
            declined=declined.rate,
            declined_low=declined.low,
            declined_high=declined.high,
        )
        acceptance[g] = _rate(counts["accept"], n)
    _four_fifths("acceptance_rate", intervention, acceptance, flags, "the acceptance rate")
    reference = groups.reference
    if reference is None or acceptance.get(reference) is None:
        return per_group
    decided_strata = strata[mask]
    declined_event = actions[mask] == "decline"
    for g in groups.shown:
        if g != reference and acceptance.get(g) is not None:
            what: _EqualLevels = "decline_at_equal_levels"
            labels = groups.labels[mask]
            _equal_levels(
                what, intervention, declined_event, labels, decided_strata, g, reference, comparisons
            )
    return per_group


class _Comparison(NamedTuple):
    """A comparison at equal levels before the p-values are adjusted for their number."""

    what: Literal["advice_at_equal_levels", "decline_at_equal_levels"]
    intervention: str
    groups: tuple[str, str]
    ratio: float
    p_value: float
    strata: int
    counts: dict[str, tuple[int, int]]


def _equal_levels(  # noqa: PLR0913, PLR0917 - the pieces of one comparison
    what: Literal["advice_at_equal_levels", "decline_at_equal_levels"],
    intervention: str,
    event: NDArray[np.bool_],
    labels: NDArray[np.object_],
    strata: NDArray[np.int64],
    group: str,
    reference: str,
    comparisons: list[_Comparison],
) -> None:
    pooled = _pooled(event, labels, strata, group, reference)
    if pooled is None:
        return
    ratio, p_value, used = pooled
    g, r = labels == group, labels == reference
    counts = {group: (int(event[g].sum()), int(g.sum())), reference: (int(event[r].sum()), int(r.sum()))}
    comparisons.append(_Comparison(what, intervention, (group, reference), ratio, p_value, used, counts))


def _adjusted_flags(comparisons: list[_Comparison]) -> list[AuditFlag]:
    """Flags for the comparisons outside the four-fifths band and significant after adjustment.

    The p-values are adjusted for the number of comparisons made with the Holm-Sidak method
    (statsmodels' `multipletests`).
    """
    from statsmodels.stats.multitest import multipletests  # noqa: PLC0415 - optional dependency

    if not comparisons:
        return []
    # Holm-Sidak: Holm's step-down control of the family-wise error, a little less conservative;
    # statsmodels' plain "holm" runs a full garbage collection (seconds beside 100,000 diagnoses).
    adjusted = multipletests([c.p_value for c in comparisons], method="holm-sidak")[1]
    flags = []
    for c, p_value in zip(comparisons, adjusted, strict=True):
        if FOUR_FIFTHS <= c.ratio <= 1 / FOUR_FIFTHS or p_value >= SIGNIFICANCE:
            continue
        group, reference = c.groups
        noun = "advice" if c.what == "advice_at_equal_levels" else "a decline of the advice"
        message = (
            f"{c.intervention!r}: at equal factor levels, {group!r} gets {noun} {c.ratio:.2f} times as "
            f"often as {reference!r} (Mantel-Haenszel over {c.strata} "
            f"{'stratum' if c.strata == 1 else 'strata'}, "
            f"Holm-Sidak-adjusted {p_text(float(p_value))}); the rules cannot see groups, so look at the "
            "decisions or the items"
        )
        flags.append(
            AuditFlag(
                kind=c.what,
                intervention=c.intervention,
                groups=c.groups,
                ratio=c.ratio,
                p_value=float(p_value),
                counts=c.counts,
                message=message,
            )
        )
    return flags
