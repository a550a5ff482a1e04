"""Validity against outcomes: how well a factor's score and level separate an outcome.

Outcomes are supplied by the municipality per pseudonymous client (paid work at 6 months, a rung
up on the Participatieladder at 12 months), aligned with the intake rows. Per outcome and factor,
over the rows where the factor is scored (as the scoring scores it) and the outcome is known:
the area under the ROC curve of the score with a 95% interval, the outcome rate per level with a
Wilson interval, and thresholds that would separate the outcome better, as a *suggestion* for the
knowledge base's authors. Nothing here changes a threshold, and nothing here is a score of a
person: it validates the instrument, it must never rank or select people.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from diagnose._base import LEVELS, Record
from diagnose.errors import QualityError
from diagnose.quality import _stats
from diagnose.quality._rows import factor_scores, level_codes

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import NDArray

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor
    from diagnose.quality._rows import Answers

__all__ = ["FactorValidity", "LevelRate", "SuggestedThresholds", "read_outcome", "validity"]

SUGGESTION_NOTE = (
    "A suggestion for the knowledge base's authors, never applied: thresholds are changed only "
    "by editing the knowledge base, with the reasoning in its thresholds_note."
)


class LevelRate(Record):
    """The outcome rate among the clients at one level (None where fewer than `min_cases`).

    Examples:
        >>> LevelRate(level="low", n=40, positives=10, rate=0.25, low=0.14, high=0.4).rate
        0.25
    """

    level: str
    n: int
    positives: int
    rate: float | None
    low: float | None
    high: float | None


class SuggestedThresholds(Record):
    """Cut-offs that would separate the outcome better: a suggestion, never applied.

    `separation_*` is the likelihood-ratio statistic G² of the outcome over the three levels
    (higher separates better); `better` says whether the suggestion beats the current cut-offs.

    Examples:
        >>> s = SuggestedThresholds(medium=2.0, high=3.5, current_medium=2.5, current_high=3.75,
        ...                         separation_current=10.0, separation_suggested=14.0, better=True)
        >>> s.applied, s.note.startswith("A suggestion")
        (False, True)
    """

    medium: float
    high: float
    current_medium: float
    current_high: float
    separation_current: float
    separation_suggested: float
    better: bool
    applied: bool = False
    note: str = SUGGESTION_NOTE


class FactorValidity(Record):
    """How well one factor separates one outcome.

    Attributes:
        outcome: The outcome's name.
        factor: The factor id.
        n: Clients with both a score and a known outcome.
        positives: Of those, how many had the outcome.
        auc: Area under the ROC curve of the score (0.5 is chance); None with too few cases.
        auc_ci: Its 95% interval (Hanley and McNeil).
        level_rates: The outcome rate per level.
        suggested_thresholds: Cut-offs that would separate better (a suggestion), or None.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> rows = [{"mo_1": 1 + n % 5, "mo_2": 1 + n % 5} for n in range(100)]
        >>> work = [n % 5 >= 2 for n in range(100)]
        >>> report = diagnose.instrument_quality(rows, knowledge_base=kb, outcomes={"work_6m": work})
        >>> v = report.validity["work_6m"]["motivation"]
        >>> v.n, v.auc, v.level_rates["low"].rate
        (100, 1.0, 0.0)
    """

    outcome: str
    factor: str
    n: int
    positives: int
    auc: float | None
    auc_ci: tuple[float, float] | None
    level_rates: dict[str, LevelRate]
    suggested_thresholds: SuggestedThresholds | None


def read_outcome(name: str, values: object, rows: int) -> NDArray[np.float64]:
    """An outcome as 1.0 / 0.0 / NaN (unknown), or a QualityError naming the outcome and the row."""
    if isinstance(values, str | bytes) or not hasattr(values, "__len__") or not hasattr(values, "__iter__"):
        raise QualityError(f"outcome {name!r}: expected a sequence of one value per row; got {values!r:.40}")
    if len(values) != rows:
        raise QualityError(
            f"outcome {name!r}: {len(values)} values for {rows} rows; "
            "give one per row, in the rows' order (None where unknown)"
        )
    out = np.full(rows, np.nan)
    for n, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, bool | np.bool_ | int | float | np.floating) and value in {0, 1}:
            out[n] = float(value)
        else:
            raise QualityError(
                f"outcome {name!r}, row {n + 1}: expected true/false, 1/0 or None; got {value!r:.40}"
            )
    return out


def _loglik(positives: NDArray[np.float64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
    """Binomial log-likelihood of each group at its own rate (0 log 0 counts as 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = positives / totals
        a = np.where(positives > 0, positives * np.log(p), 0.0)
        b = np.where(totals - positives > 0, (totals - positives) * np.log(1 - p), 0.0)
    return np.asarray(a + b, dtype=float)


def _suggest(
    factor: Factor,
    scores: NDArray[np.float64],
    outcome: NDArray[np.bool_],
    codes: NDArray[np.int8],
    min_cases: int,
) -> SuggestedThresholds | None:
    """The monotone three-level split (low < medium < high rate) with the largest G².

    Each level needs at least `min_cases` clients; None when no split qualifies.
    """
    values, inverse = np.unique(scores, return_inverse=True)
    counts = np.bincount(inverse).astype(float)
    hits = np.bincount(inverse, weights=outcome.astype(float))
    cum_n, cum_p = np.concatenate([[0], np.cumsum(counts)]), np.concatenate([[0], np.cumsum(hits)])
    total_n, total_p = cum_n[-1], cum_p[-1]
    null = float(_loglik(np.array([total_p]), np.array([total_n]))[0])
    best: tuple[float, int, int] | None = None
    j = len(values)
    for a in range(1, j - 1):
        for b in range(a + 1, j):
            n3 = np.array([cum_n[a], cum_n[b] - cum_n[a], total_n - cum_n[b]])
            p3 = np.array([cum_p[a], cum_p[b] - cum_p[a], total_p - cum_p[b]])
            if (n3 < min_cases).any():
                continue
            rates = p3 / n3
            if not rates[0] < rates[1] < rates[2]:
                continue
            g2 = 2 * (float(_loglik(p3, n3).sum()) - null)
            if best is None or g2 > best[0]:
                best = (g2, a, b)
    if best is None:
        return None
    n_now = np.array([(codes == c).sum() for c in range(3)], dtype=float)
    p_now = np.array([outcome[codes == c].sum() for c in range(3)], dtype=float)
    current = 2 * (float(_loglik(p_now, np.maximum(n_now, 1)).sum()) - null)
    return SuggestedThresholds(
        medium=float(values[best[1]]),
        high=float(values[best[2]]),
        current_medium=float(factor.thresholds.medium),
        current_high=float(factor.thresholds.high),
        separation_current=max(current, 0.0),
        separation_suggested=best[0],
        better=best[0] > current + 1e-9,
    )


def _factor(
    name: str, factor: Factor, scores: NDArray[np.float64], outcome: NDArray[np.float64], min_cases: int
) -> FactorValidity:
    known = ~np.isnan(scores) & ~np.isnan(outcome)
    s, y = scores[known], outcome[known] == 1
    n, positives = len(s), int(y.sum())
    codes = level_codes(factor, s)
    rates: dict[str, LevelRate] = {}
    for code, level in enumerate(LEVELS):
        at = codes == code
        count, hits = int(at.sum()), int(y[at].sum())
        if count >= min_cases:
            lows, highs = _stats.wilson(np.array([hits]), np.array([count]))
            rates[level] = LevelRate(
                level=level,
                n=count,
                positives=hits,
                rate=hits / count,
                low=float(lows[0]),
                high=float(highs[0]),
            )
        else:
            rates[level] = LevelRate(level=level, n=count, positives=hits, rate=None, low=None, high=None)
    auc: float | None = None
    ci: tuple[float, float] | None = None
    suggestion: SuggestedThresholds | None = None
    if positives >= min_cases and n - positives >= min_cases:
        value, low, high = _stats.auc(s, y)
        auc, ci = value, (low, high)
        suggestion = _suggest(factor, s, y, codes, min_cases)
    return FactorValidity(
        outcome=name,
        factor=factor.id,
        n=n,
        positives=positives,
        auc=auc,
        auc_ci=ci,
        level_rates=rates,
        suggested_thresholds=suggestion,
    )


def validity(
    kb: KnowledgeBase, answers: Answers, outcomes: Mapping[str, Sequence[object]], min_cases: int
) -> dict[str, dict[str, FactorValidity]]:
    """Per outcome (in the order given), per factor: how well it separates the outcome."""
    if not hasattr(outcomes, "items"):
        raise QualityError(f"outcomes: expected a mapping of outcome name to values; got {outcomes!r:.40}")
    read = {str(name): read_outcome(str(name), values, answers.rows) for name, values in outcomes.items()}
    scores = {f.id: factor_scores(kb, answers, f) for f in kb.factors.values()}
    return {
        name: {f.id: _factor(name, f, scores[f.id], outcome, min_cases) for f in kb.factors.values()}
        for name, outcome in read.items()
    }
