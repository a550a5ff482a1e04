"""The statistics behind the quality report and the audit, on plain numpy arrays.

Each function takes complete data (no NaN) and returns plain floats; the callers decide when
there are too few cases for a figure. The factor analysis is statsmodels', the proportion
intervals and Mantel-Haenszel tables are statsmodels', the F and normal quantiles scipy's.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Matrix = NDArray[np.float64]

__all__ = ["alpha", "auc", "feldt_interval", "item_rest", "omega", "one_factor_loadings", "wilson"]


def alpha(matrix: Matrix) -> float:
    """Cronbach's alpha of complete cases (rows) by items (columns), from the covariance matrix.

    Examples:
        >>> import numpy as np
        >>> round(alpha(np.array([[1.0, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]])), 3)
        0.982
    """
    k = matrix.shape[1]
    cov = np.cov(matrix, rowvar=False, ddof=1)
    total = float(cov.sum())
    if total <= 0:
        return math.nan
    return float(k / (k - 1) * (1 - float(np.trace(cov)) / total))


def feldt_interval(value: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for Cronbach's alpha of `n` cases and `k` items.

    Examples:
        >>> tuple(round(x, 3) for x in feldt_interval(0.8, 100, 5))
        (0.731, 0.856)
    """
    from scipy.stats import f  # noqa: PLC0415 - scipy loads with the report, not with diagnose

    tail = (1 - level) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (
        1 - (1 - value) * float(f.isf(tail, df1, df2)),
        1 - (1 - value) * float(f.isf(1 - tail, df1, df2)),
    )


def item_rest(matrix: Matrix) -> list[float]:
    """Each item's correlation with the sum of the other items (NaN for an item that never varies).

    Examples:
        >>> import numpy as np
        >>> [round(r, 2) for r in item_rest(np.array([[1.0, 2, 5], [2, 3, 4], [3, 3, 2], [4, 5, 1]]))]
        [-0.67, -0.69, -0.95]
    """
    total = matrix.sum(axis=1)
    out = []
    for column in range(matrix.shape[1]):
        x, rest = matrix[:, column], total - matrix[:, column]
        if x.std() == 0 or rest.std() == 0:
            out.append(math.nan)
        else:
            out.append(float(np.corrcoef(x, rest)[0, 1]))
    return out


def one_factor_loadings(matrix: Matrix) -> tuple[list[float], list[float]] | None:
    """Standardised loadings and uniquenesses of a one-factor maximum-likelihood model.

    statsmodels fits it on the items' correlation matrix (factor_analyzer gives the same
    loadings; the tests compare them); the signs are turned so that the loadings sum to a
    positive number. None when the model cannot be fitted (an item that never varies, a
    singular correlation matrix).

    Examples:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(500, 1)) @ np.full((1, 4), 0.8) + rng.normal(size=(500, 4)) * 0.6
        >>> loadings, uniquenesses = one_factor_loadings(x)
        >>> [round(v, 1) for v in loadings]
        [0.8, 0.8, 0.8, 0.8]
    """
    from statsmodels.multivariate.factor import Factor  # noqa: PLC0415 - optional dependency, loaded on use

    n, k = matrix.shape
    if (matrix.std(axis=0) == 0).any():
        return None
    corr = np.corrcoef(matrix, rowvar=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its own convergence notes; a bad fit shows in the figures
            result = Factor(corr=corr, n_factor=1, method="ml", nobs=n).fit(rng=0, opt={"gtol": 1e-10})
    except (ValueError, np.linalg.LinAlgError):
        return None
    loadings = np.asarray(result.loadings, dtype=float)[:, 0]
    uniquenesses = np.asarray(result.uniqueness, dtype=float)
    if not (np.isfinite(loadings).all() and np.isfinite(uniquenesses).all()) or len(loadings) != k:
        return None
    if loadings.sum() < 0:
        loadings = -loadings
    return [float(x) for x in loadings], [float(x) for x in uniquenesses]


def omega(loadings: list[float], uniquenesses: list[float]) -> float:
    """McDonald's omega (total) of standardised one-factor loadings: (sum l)^2 / ((sum l)^2 + sum u).

    Examples:
        >>> round(omega([0.7, 0.7, 0.7], [0.51, 0.51, 0.51]), 3)
        0.742
    """
    common = sum(loadings) ** 2
    return common / (common + sum(uniquenesses))


def wilson(successes: NDArray[np.int64], totals: NDArray[np.int64]) -> tuple[Matrix, Matrix]:
    """Wilson 95% intervals (low, high) for proportions, by statsmodels; totals must be positive.

    Examples:
        >>> import numpy as np
        >>> low, high = wilson(np.array([5]), np.array([10]))
        >>> round(float(low[0]), 3), round(float(high[0]), 3)
        (0.237, 0.763)
    """
    from statsmodels.stats.proportion import proportion_confint  # noqa: PLC0415 - optional dependency

    low, high = proportion_confint(successes, totals, alpha=0.05, method="wilson")
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def auc(scores: Matrix, outcome: NDArray[np.bool_]) -> tuple[float, float, float]:
    """Area under the ROC curve of `scores` for a yes/no `outcome`, with a 95% interval.

    The area is the Mann-Whitney U statistic over the product of the group sizes (ties count
    half), the interval Hanley and McNeil's (1982), clipped to [0, 1]. Both groups must be present.

    Examples:
        >>> import numpy as np
        >>> value, low, high = auc(np.array([1.0, 2, 3, 4, 5, 6]), np.array([0, 0, 1, 0, 1, 1], bool))
        >>> round(value, 3), round(low, 3) >= 0, high <= 1
        (0.889, True, True)
    """
    from scipy.stats import mannwhitneyu, norm  # noqa: PLC0415 - optional dependency

    positive, negative = scores[outcome], scores[~outcome]
    n1, n0 = len(positive), len(negative)
    u = float(mannwhitneyu(positive, negative, alternative="two-sided").statistic)
    area = u / (n1 * n0)
    q1, q2 = area / (2 - area), 2 * area * area / (1 + area)
    variance = (area * (1 - area) + (n1 - 1) * (q1 - area * area) + (n0 - 1) * (q2 - area * area)) / (n1 * n0)
    half = float(norm.ppf(0.975)) * math.sqrt(max(variance, 0.0))
    return area, max(0.0, area - half), min(1.0, area + half)
