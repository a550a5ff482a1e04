"""The instrument quality report: reliability per factor, behaviour per item, warnings.

Per factor, over its complete cases (every item answered: listwise), with reverse items scored
as the scoring scores them: Cronbach's alpha with Feldt's 95% interval, McDonald's omega from a
one-factor maximum-likelihood model (factor_analyzer), the mean and spread of the factor score
and the share of each level (by the knowledge base's thresholds). Per item: how often it was
answered, not asked, declined or not known (kept apart, as the scoring keeps them apart), the
share of answers at the bottom (floor) and top (ceiling) of its scale, its correlation with the
rest of its factor (item-rest) and alpha without it. A figure from fewer than `min_cases` cases
is None, never a number; a warning says so.

This validates the *instrument* (do its items measure their factor together?); nothing here
scores, ranks or selects people.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from diagnose._base import LEVELS, Record
from diagnose.errors import QualityError
from diagnose.quality import _stats
from diagnose.quality._rows import ANSWERED, KINDS, Answers, level_codes, read_answers, scored_matrix
from diagnose.quality._validity import FactorValidity, validity

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import NDArray

    from diagnose.assessment.scoring import MissingReason
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor

__all__ = [
    "ALPHA_MINIMUM",
    "FLOOR_CEILING_MAXIMUM",
    "MIN_CASES",
    "FactorQuality",
    "InstrumentQuality",
    "ItemQuality",
    "QualityWarning",
    "instrument_quality",
]

#: The least number of complete cases behind a figure by default (a parameter of the report).
MIN_CASES = 30
#: The least `min_cases` a caller may ask for: fewer cases give no usable figure at all.
MIN_CASES_FLOOR = 5
#: Alpha (and omega) below this is warned about: the usual minimum for group-level use.
ALPHA_MINIMUM = 0.7
#: A share of answers at the bottom or top of the scale above this is warned about.
FLOOR_CEILING_MAXIMUM = 0.15

NOTE = (
    "This report validates the instrument: whether its items measure their factor together and "
    "how its levels relate to outcomes. It is no score of any person and must never be used to "
    "rank or select people."
)

WarningCode = Literal[
    "low_alpha",
    "low_omega",
    "negative_item_rest",
    "floor",
    "ceiling",
    "too_few_cases",
    "omega_not_estimated",
]


class QualityWarning(Record):
    """Something in the report that needs a look, with a stable `code`.

    Examples:
        >>> w = QualityWarning(code="floor", factor="health", item="he_1", value=0.2,
        ...                    message="item 'he_1': 20% of answers at the bottom of the scale")
        >>> w.code, w.item
        ('floor', 'he_1')
    """

    code: WarningCode
    factor: str | None = None
    item: str | None = None
    value: float | None = None
    message: str


class ItemQuality(Record):
    """How one item behaves (shares are from 0 to 1; None where there were too few cases).

    Attributes:
        item: The item id.
        factor: Its factor.
        reverse: Whether it is reverse-scored.
        n: Rows that answered it.
        missing_rate: Share of rows where it was not asked (absent or empty).
        declined_rate: Share of rows where the client preferred not to say.
        unknown_rate: Share of rows where the client did not know.
        floor: Share of its answers at the bottom of its scale (the answer as given).
        ceiling: Share of its answers at the top of its scale.
        item_rest: Correlation of its scored value with the sum of the factor's other items,
            over the factor's complete cases; negative suggests a wrong reverse key.
        alpha_if_deleted: The factor's alpha without this item (needs three items or more).

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> rows = [{"se_1": 1 + n % 5, "se_2": 1 + n % 5, "se_3": 1 + (n // 2) % 5} for n in range(40)]
        >>> i = diagnose.instrument_quality(rows, knowledge_base=kb).items["se_1"]
        >>> i.n, i.missing_rate, i.floor
        (40, 0.0, 0.2)
    """

    item: str
    factor: str
    reverse: bool
    n: int
    missing_rate: float | None
    declined_rate: float | None
    unknown_rate: float | None
    floor: float | None
    ceiling: float | None
    item_rest: float | None
    alpha_if_deleted: float | None


class FactorQuality(Record):
    """Reliability of one factor over its complete cases (None where there were too few).

    Attributes:
        factor: The factor id.
        items: Its items, in questionnaire order.
        n: Complete cases: rows that answered every item of the factor.
        alpha: Cronbach's alpha, reverse items scored.
        alpha_ci: Feldt's 95% interval for alpha.
        omega: McDonald's omega (total) from a one-factor model (three items or more).
        loadings: The standardised loadings behind omega, per item.
        mean: Mean of the factor score (the mean of its scored items).
        sd: Standard deviation of the factor score.
        level_shares: Share of `low`, `medium` and `high` by the knowledge base's thresholds.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> f = diagnose.instrument_quality([{"se_1": 1}], knowledge_base=kb).factors["self_efficacy"]
        >>> f.n, f.alpha, f.level_shares
        (0, None, None)
    """

    factor: str
    items: tuple[str, ...]
    n: int
    alpha: float | None
    alpha_ci: tuple[float, float] | None
    omega: float | None
    loadings: dict[str, float] | None
    mean: float | None
    sd: float | None
    level_shares: dict[str, float] | None


class InstrumentQuality(Record):
    """The quality report over a set of intakes for one knowledge base.

    Attributes:
        knowledge_base_id: The knowledge base the rows were checked against.
        knowledge_base_version: Its version.
        knowledge_base_hash: Its content hash.
        rows: How many intakes.
        min_cases: The least number of cases behind a figure.
        factors: Per factor, its reliability.
        items: Per item, how it behaves.
        validity: Per outcome, per factor, how well it separates the outcome (empty without outcomes).
        warnings: What needs a look, most serious first (per factor, in the knowledge base's order).
        note: What the report is for, and what it must never be used for.

    Examples:
        >>> import diagnose
        >>> report = diagnose.instrument_quality([], knowledge_base=diagnose.load_knowledge_base())
        >>> report.rows, report.warnings[0].code
        (0, 'too_few_cases')
    """

    kind: Literal["instrument_quality"] = "instrument_quality"
    knowledge_base_id: str
    knowledge_base_version: str
    knowledge_base_hash: str
    rows: int
    min_cases: int
    factors: dict[str, FactorQuality]
    items: dict[str, ItemQuality]
    validity: dict[str, dict[str, FactorValidity]]
    warnings: tuple[QualityWarning, ...]
    note: str = NOTE


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _item_rates(kb: KnowledgeBase, answers: Answers, min_cases: int) -> dict[str, ItemQuality]:
    out = {}
    rows = answers.rows
    for item in kb.items:
        kinds, raw = answers.kinds[item.id], answers.raw[item.id]
        n = int((kinds == ANSWERED).sum())

        def rate(reason: MissingReason, kinds: NDArray[np.int8] = kinds) -> float | None:
            return float(np.count_nonzero(kinds == KINDS[reason]) / rows) if rows else None

        enough = n >= min_cases
        out[item.id] = ItemQuality(
            item=item.id,
            factor=item.factor,
            reverse=item.reverse,
            n=n,
            missing_rate=rate("not_asked"),
            declined_rate=rate("declined"),
            unknown_rate=rate("unknown"),
            floor=float((raw == item.scale.min).sum() / n) if enough else None,
            ceiling=float((raw == item.scale.max).sum() / n) if enough else None,
            item_rest=None,
            alpha_if_deleted=None,
        )
    return out


def _reliability(
    kb: KnowledgeBase, answers: Answers, factor: Factor, min_cases: int, items: dict[str, ItemQuality]
) -> FactorQuality:
    ids = tuple(i.id for i in kb.items_by_factor[factor.id])
    matrix = scored_matrix(kb, answers, factor)
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    n, k = complete.shape
    empty = FactorQuality(
        factor=factor.id,
        items=ids,
        n=n,
        alpha=None,
        alpha_ci=None,
        omega=None,
        loadings=None,
        mean=None,
        sd=None,
        level_shares=None,
    )
    if n < min_cases:
        return empty
    scores = complete.mean(axis=1)
    codes = level_codes(factor, scores)
    shares = {level: float((codes == code).sum() / n) for code, level in enumerate(LEVELS)}
    alpha = ci = omega = loadings = None
    if k >= 2:  # noqa: PLR2004 - alpha needs two items
        alpha = _finite(_stats.alpha(complete))
        if alpha is not None:
            low, high = _stats.feldt_interval(alpha, n, k)
            ci = (low, high)
        rest = _stats.item_rest(complete)
        for column, item_id in enumerate(ids):
            dropped = _finite(_stats.alpha(np.delete(complete, column, axis=1))) if k >= 3 else None  # noqa: PLR2004 - two items remain
            items[item_id] = items[item_id].model_copy(
                update={"item_rest": _finite(rest[column]), "alpha_if_deleted": dropped}
            )
    if k >= 3:  # noqa: PLR2004 - a one-factor model needs three items
        fitted = _stats.one_factor_loadings(complete)
        if fitted is not None:
            omega = _finite(_stats.omega(*fitted))
            loadings = dict(zip(ids, fitted[0], strict=True))
    return empty.model_copy(
        update={
            "alpha": alpha,
            "alpha_ci": ci,
            "omega": omega,
            "loadings": loadings,
            "mean": float(scores.mean()),
            "sd": float(scores.std(ddof=1)),
            "level_shares": shares,
        }
    )


def _factor_warnings(f: FactorQuality, items: dict[str, ItemQuality], min_cases: int) -> list[QualityWarning]:
    out: list[QualityWarning] = []
    k = len(f.items)
    if f.n < min_cases:
        message = (
            f"factor {f.factor!r}: {f.n} complete cases, fewer than {min_cases}; its figures are not shown"
        )
        out.append(QualityWarning(code="too_few_cases", factor=f.factor, value=float(f.n), message=message))
        return out
    for i in f.items:
        rest = items[i].item_rest
        if rest is not None and rest < 0:
            message = (
                f"item {i!r}: correlates negatively ({rest:.2f}) with the rest of {f.factor!r}; "
                "check its reverse key and its wording"
            )
            out.append(
                QualityWarning(
                    code="negative_item_rest", factor=f.factor, item=i, value=rest, message=message
                )
            )
    if f.alpha is not None and f.alpha < ALPHA_MINIMUM:
        message = f"factor {f.factor!r}: alpha {f.alpha:.2f} is below {ALPHA_MINIMUM}"
        out.append(QualityWarning(code="low_alpha", factor=f.factor, value=f.alpha, message=message))
    if f.omega is not None and f.omega < ALPHA_MINIMUM:
        message = f"factor {f.factor!r}: omega {f.omega:.2f} is below {ALPHA_MINIMUM}"
        out.append(QualityWarning(code="low_omega", factor=f.factor, value=f.omega, message=message))
    if f.omega is None and k >= 3:  # noqa: PLR2004 - a one-factor model needs three items
        message = f"factor {f.factor!r}: the one-factor model could not be fitted, so omega is not given"
        out.append(QualityWarning(code="omega_not_estimated", factor=f.factor, message=message))
    return out


def _warnings(
    kb: KnowledgeBase, factors: dict[str, FactorQuality], items: dict[str, ItemQuality], min_cases: int
) -> tuple[QualityWarning, ...]:
    out = [w for f in factors.values() for w in _factor_warnings(f, items, min_cases)]
    for item in kb.items:
        quality = items[item.id]
        for code, share, end in (("floor", quality.floor, "bottom"), ("ceiling", quality.ceiling, "top")):
            if share is not None and share > FLOOR_CEILING_MAXIMUM:
                message = f"item {item.id!r}: {share:.0%} of answers at the {end} of the scale"
                out.append(
                    QualityWarning(code=code, factor=item.factor, item=item.id, value=share, message=message)  # type: ignore[arg-type]  # a WarningCode
                )
    return tuple(out)


def _min_cases(value: object) -> int:
    if type(value) is not int or value < MIN_CASES_FLOOR:
        raise QualityError(f"min_cases: expected a whole number of at least {MIN_CASES_FLOOR}, got {value!r}")
    return value


def instrument_quality(
    rows: object,
    *,
    knowledge_base: KnowledgeBase,
    outcomes: Mapping[str, Sequence[object]] | None = None,
    min_cases: int = MIN_CASES,
) -> InstrumentQuality:
    """Report how well the instrument measures on a set of intakes.

    Args:
        rows: The intakes: answer mappings, `Intake`s, intake records, `Diagnosis` objects, a
            pandas DataFrame or an Arrow table (one column per item).
        knowledge_base: The knowledge base the intakes were made with.
        outcomes: Optional outcomes per pseudonymous client, aligned with the rows: name to one
            value per row (true/false or 1/0, None where unknown), such as paid work at 6 months.
        min_cases: The least number of cases behind a figure (at least 5); fewer give None.

    Returns:
        The report; see `InstrumentQuality`.

    Raises:
        QualityError: a row for another knowledge base, an unknown item or a bad answer (with
            its row), a group attribute among the answers, or outcomes that do not fit the rows.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> rows = [{"mo_1": 1 + n % 5, "mo_2": 1 + n % 5, "mo_3": 5 - n % 5} for n in range(50)]
        >>> f = diagnose.instrument_quality(rows, knowledge_base=kb).factors["motivation"]
        >>> f.n, round(f.alpha, 3), f.level_shares
        (50, 1.0, {'low': 0.4, 'medium': 0.2, 'high': 0.4})
    """
    min_cases = _min_cases(min_cases)
    answers = read_answers(knowledge_base, rows)
    items = _item_rates(knowledge_base, answers, min_cases)
    factors = {
        f.id: _reliability(knowledge_base, answers, f, min_cases, items)
        for f in knowledge_base.factors.values()
    }
    found = validity(knowledge_base, answers, outcomes, min_cases) if outcomes else {}
    return InstrumentQuality(
        knowledge_base_id=knowledge_base.id,
        knowledge_base_version=knowledge_base.version,
        knowledge_base_hash=knowledge_base.content_hash,
        rows=answers.rows,
        min_cases=min_cases,
        factors=factors,
        items=items,
        validity=found,
        warnings=_warnings(knowledge_base, factors, items, min_cases),
    )
