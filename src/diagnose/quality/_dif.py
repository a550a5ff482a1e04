"""Differential item functioning: does an item behave differently for groups at equal scores?

Per factor, over the complete cases (every item answered), each item's answer is split in
favourable (scored value above the middle of its scale) or not, and groups are compared within
strata of equal total factor score with the Mantel-Haenszel common odds ratio and its test
(statsmodels' `StratifiedTable`). The ETS classification follows Holland and Thayer (1988):
delta = -2.35 ln(OR); `C` when |delta| >= 1.5 and p < 0.05, `B` when |delta| >= 1 and p < 0.05,
else `A`. Class `B` and `C` items are flagged.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from diagnose.quality._models import AuditFlag, ItemFunctioning
from diagnose.quality._rows import scored_matrix

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Item
    from diagnose.quality._rows import Answers

__all__ = ["item_functioning"]

_SIGNIFICANCE = 0.05
_LARGE, _MODERATE = 1.5, 1.0


def _tables(
    favourable: NDArray[np.bool_],
    total: NDArray[np.float64],
    focal: NDArray[np.bool_],
    ref: NDArray[np.bool_],
) -> list[list[list[int]]]:
    tables = []
    for value in np.unique(total[focal | ref]):
        at = total == value
        f, r = at & focal, at & ref
        table = [
            [int(favourable[f].sum()), int((~favourable[f]).sum())],
            [int(favourable[r].sum()), int((~favourable[r]).sum())],
        ]
        if f.sum() and r.sum() and table[0][0] + table[1][0] and table[0][1] + table[1][1]:
            tables.append(table)
    return tables


def p_text(p_value: float) -> str:
    """A p-value for a message: `p = 0.012`, or `p < 0.001`.

    Examples:
        >>> p_text(0.0123), p_text(1e-20)
        ('p = 0.012', 'p < 0.001')
    """
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"  # noqa: PLR2004 - the usual cut-off


def _ets(delta: float, p_value: float) -> Literal["A", "B", "C"]:
    if p_value >= _SIGNIFICANCE or abs(delta) < _MODERATE:
        return "A"
    return "C" if abs(delta) >= _LARGE else "B"


def _one(  # noqa: PLR0913, PLR0917 - the pieces of one comparison
    item: Item,
    factor: str,
    favourable: NDArray[np.bool_],
    total: NDArray[np.float64],
    focal: NDArray[np.bool_],
    ref: NDArray[np.bool_],
    group: str,
    reference: str,
) -> ItemFunctioning | None:
    from statsmodels.stats.contingency_tables import StratifiedTable  # noqa: PLC0415 - optional dependency

    tables = _tables(favourable, total, focal, ref)
    if not tables:
        return None
    result = StratifiedTable(np.array(tables, dtype=float).transpose(1, 2, 0))
    odds, p_value = float(result.oddsratio_pooled), float(result.test_null_odds().pvalue)
    if not (math.isfinite(odds) and odds > 0 and math.isfinite(p_value)):
        return None
    delta = -2.35 * math.log(odds)
    ets = _ets(delta, p_value)
    flag = None
    if ets != "A":
        counts = {
            group: (int(favourable[focal].sum()), int(focal.sum())),
            reference: (int(favourable[ref].sum()), int(ref.sum())),
        }
        message = (
            f"item {item.id!r}: at equal {factor!r} scores, {group!r} answers it favourably with "
            f"{odds:.2f} times the odds of {reference!r} (ETS class {ets}, {p_text(p_value)}); "
            "check its wording and translation"
        )
        flag = AuditFlag(
            kind="item_functioning",
            item=item.id,
            groups=(group, reference),
            ratio=odds,
            p_value=p_value,
            counts=counts,
            message=message,
        )
    return ItemFunctioning(
        item=item.id,
        factor=factor,
        group=group,
        reference=reference,
        odds_ratio=odds,
        delta=delta,
        p_value=p_value,
        strata=len(tables),
        ets_class=ets,
        flag=flag,
    )


def item_functioning(  # noqa: PLR0913, PLR0917 - the pieces of the audit it needs
    kb: KnowledgeBase,
    answers: Answers,
    labels: NDArray[np.object_],
    shown: list[str],
    reference: str | None,
    min_group_size: int,
) -> list[ItemFunctioning]:
    """Each item against each shown group (but the reference) at equal total factor scores."""
    out: list[ItemFunctioning] = []
    if reference is None:
        return out
    for factor in kb.factors.values():
        items = kb.items_by_factor[factor.id]
        if len(items) < 2:  # noqa: PLR2004 - a total of one item says nothing about the item
            continue
        matrix = scored_matrix(kb, answers, factor)
        complete = ~np.isnan(matrix).any(axis=1)
        total = np.where(complete, np.nan_to_num(matrix).sum(axis=1), np.nan)
        ref = complete & (labels == reference)
        for group in shown:
            focal = complete & (labels == group)
            if group == reference or focal.sum() < min_group_size or ref.sum() < min_group_size:
                continue
            for column, item in enumerate(items):
                favourable = np.nan_to_num(matrix[:, column]) > (item.scale.min + item.scale.max) / 2
                found = _one(item, factor.id, favourable, total, focal, ref, group, reference)
                if found is not None:
                    out.append(found)
    return out
