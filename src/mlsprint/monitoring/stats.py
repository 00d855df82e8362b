"""Drift statistics as pure functions: arrays in, a number (or a pair) out.

Two families:

* value statistics on raw samples (``ks``, ``wasserstein_normed``, ``z_test``);
* count statistics on aligned histograms (``psi_from_counts``, ``chi_square``,
  ``jensen_shannon_from_counts``), so a reference stored as binned counts (see
  :mod:`mlsprint.monitoring.reference`) can be compared with chunked current data.

``psi`` and ``jensen_shannon`` accept raw values and bin them on reference quantiles
(numbers) or on the union of levels (categories). The caller applies thresholds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

__all__ = [
    "chi_square",
    "holm",
    "jensen_shannon",
    "jensen_shannon_from_counts",
    "ks",
    "psi",
    "psi_from_counts",
    "quantile_edges",
    "total_variation",
    "wasserstein_normed",
    "z_test",
]

PSI_EPS = 1e-4  # floor for an empty bin's share (the usual PSI convention)


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype="float64").ravel()
    return arr[np.isfinite(arr)]


def quantile_edges(values: Sequence[float] | np.ndarray, *, bins: int = 10) -> np.ndarray:
    """Inner bin edges at the reference quantiles ``1/bins ... (bins-1)/bins``, deduplicated.

    Values ``v`` fall in bin ``searchsorted(edges, v, side="left")``, so the bins are
    ``(-inf, e0], (e0, e1], ..., (e_last, inf)`` (a tied mass at an edge stays in one bin)
    and no current value is ever outside.
    """
    arr = _finite(values)
    if bins < 2:
        raise ValueError(f"bins must be an int >= 2. Got {bins} instead.")
    if arr.size == 0:
        return np.empty(0)
    qs = np.quantile(arr, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(qs)


def _category_counts(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(reference, dtype=object).ravel()
    cur = np.asarray(current, dtype=object).ravel()
    levels = sorted(set(map(str, ref)) | set(map(str, cur)))
    index = {level: i for i, level in enumerate(levels)}
    ref_counts = np.bincount([index[str(v)] for v in ref], minlength=len(levels))
    cur_counts = np.bincount([index[str(v)] for v in cur], minlength=len(levels))
    return ref_counts.astype("float64"), cur_counts.astype("float64")


def _binned_counts(reference, current, *, bins: int, categorical: bool):
    if categorical:
        return _category_counts(reference, current)
    ref, cur = _finite(reference), _finite(current)
    edges = quantile_edges(ref, bins=bins)
    n_bins = edges.size + 1
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=n_bins)
    cur_counts = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=n_bins)
    return ref_counts.astype("float64"), cur_counts.astype("float64")


def psi_from_counts(reference_counts, current_counts, *, eps: float = PSI_EPS) -> float:
    """Population stability index of two aligned histograms.

    ``sum((c - r) * ln(c / r))`` over bin shares, each share floored at ``eps``.
    Zero when the shares are equal; symmetric in its two arguments.
    """
    ref = np.asarray(reference_counts, dtype="float64")
    cur = np.asarray(current_counts, dtype="float64")
    if ref.shape != cur.shape:
        raise ValueError(f"histograms must align: {ref.shape} vs {cur.shape}")
    if ref.sum() <= 0 or cur.sum() <= 0:
        return float("nan")
    r = np.maximum(ref / ref.sum(), eps)
    c = np.maximum(cur / cur.sum(), eps)
    return float(np.sum((c - r) * np.log(c / r)))


def psi(reference, current, *, bins: int = 10, categorical: bool = False,
        eps: float = PSI_EPS) -> float:
    """PSI of raw values: reference-quantile bins for numbers, one bin per level otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(1000.0)
    >>> psi(x, x)
    0.0
    >>> round(psi(x, x + 300), 3) > 0.2
    True
    """
    ref_counts, cur_counts = _binned_counts(reference, current, bins=bins,
                                            categorical=categorical)
    return psi_from_counts(ref_counts, cur_counts, eps=eps)


def jensen_shannon_from_counts(reference_counts, current_counts) -> float:
    """Jensen-Shannon distance (natural log, so in [0, sqrt(ln 2)]) of two histograms."""
    from scipy.spatial.distance import jensenshannon

    ref = np.asarray(reference_counts, dtype="float64")
    cur = np.asarray(current_counts, dtype="float64")
    if ref.sum() <= 0 or cur.sum() <= 0:
        return float("nan")
    return float(jensenshannon(ref / ref.sum(), cur / cur.sum()))


def jensen_shannon(reference, current, *, bins: int = 10, categorical: bool = False) -> float:
    """Jensen-Shannon distance of raw values binned as in :func:`psi`."""
    ref_counts, cur_counts = _binned_counts(reference, current, bins=bins,
                                            categorical=categorical)
    return jensen_shannon_from_counts(ref_counts, cur_counts)


def total_variation(reference_counts, current_counts) -> float:
    """Half the L1 distance of two histograms' shares: the share of mass that moved."""
    ref = np.asarray(reference_counts, dtype="float64")
    cur = np.asarray(current_counts, dtype="float64")
    if ref.sum() <= 0 or cur.sum() <= 0:
        return float("nan")
    return float(0.5 * np.abs(ref / ref.sum() - cur / cur.sum()).sum())


def ks(reference, current) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value (scipy, two-sided, auto method)."""
    from scipy.stats import ks_2samp

    ref, cur = _finite(reference), _finite(current)
    if ref.size == 0 or cur.size == 0:
        return float("nan"), float("nan")
    with warnings.catch_warnings():  # ties: scipy falls back from exact to asymptotic
        warnings.filterwarnings("ignore", "ks_2samp: Exact calculation", RuntimeWarning)
        result = ks_2samp(ref, cur)
    return float(result.statistic), float(result.pvalue)


def chi_square(reference_counts, current_counts, *, min_expected: float = 5.0
               ) -> tuple[float, float]:
    """Two-sample chi-square test of homogeneity on a 2 x k contingency table (Pearson).

    Unlike a goodness-of-fit test it treats the reference as a sample too, so a level seen
    only in current is evidence, not certainty. Bins whose expected count falls below
    ``min_expected`` (on either row) are pooled into one (folded into the smallest bin when
    still sparse), and empty columns dropped.
    Returns ``(statistic, p_value)``; ``(0.0, 1.0)`` when fewer than two bins remain.
    """
    from scipy.stats import chi2

    ref = np.asarray(reference_counts, dtype="float64")
    cur = np.asarray(current_counts, dtype="float64")
    table = _pool_sparse(np.vstack([ref, cur]), min_expected)
    if table.shape[1] < 2 or table[0].sum() <= 0 or table[1].sum() <= 0:
        return 0.0, 1.0
    rows = table.sum(axis=1, keepdims=True)
    cols = table.sum(axis=0, keepdims=True)
    expected = rows * cols / table.sum()
    stat = float(np.sum((table - expected) ** 2 / expected))
    dof = table.shape[1] - 1
    return stat, float(chi2.sf(stat, dof))


def _pool_sparse(table: np.ndarray, min_expected: float) -> np.ndarray:
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or table.sum() <= 0:
        return table
    rows = table.sum(axis=1, keepdims=True)
    expected = rows * table.sum(axis=0, keepdims=True) / table.sum()
    sparse = (expected < min_expected).any(axis=0)
    if not sparse.any():
        return table
    pooled = table[:, sparse].sum(axis=1, keepdims=True)
    dense = table[:, ~sparse]
    if dense.shape[1] == 0:
        return pooled
    pooled_expected = rows * pooled.sum() / table.sum()
    if (pooled_expected < min_expected).any():  # still sparse: fold into the smallest bin
        smallest = int(np.argmin(dense.sum(axis=0)))
        dense = dense.copy()
        dense[:, smallest] += pooled[:, 0]
        return dense
    return np.hstack([dense, pooled])


def z_test(reference_successes: float, reference_n: float, current_successes: float,
           current_n: float) -> tuple[float, float]:
    """Two-proportion z-test with the pooled proportion; returns ``(z, p_value)`` two-sided."""
    from scipy.stats import norm

    if reference_n <= 0 or current_n <= 0:
        return float("nan"), float("nan")
    p1, p2 = reference_successes / reference_n, current_successes / current_n
    pooled = (reference_successes + current_successes) / (reference_n + current_n)
    se = np.sqrt(pooled * (1 - pooled) * (1 / reference_n + 1 / current_n))
    if se == 0:
        return 0.0, 1.0
    z = float((p2 - p1) / se)
    return z, float(2 * norm.sf(abs(z)))


def wasserstein_normed(reference, current, *, ddof: int = 0, floor: float = 0.001) -> float:
    """Wasserstein-1 distance divided by ``max(std(reference), floor)``.

    In units of reference standard deviations: a shift of the mean by ``d`` standard
    deviations gives ``d``.
    """
    from scipy.stats import wasserstein_distance

    ref, cur = _finite(reference), _finite(current)
    if ref.size == 0 or cur.size == 0:
        return float("nan")
    scale = max(float(np.std(ref, ddof=ddof)), floor)
    return float(wasserstein_distance(ref, cur) / scale)


def holm(p_values: Sequence[float] | np.ndarray, *, alpha: float = 0.05) -> np.ndarray:
    """Holm's step-down rejections (family-wise error <= ``alpha``); NaN never rejects."""
    p = np.asarray(p_values, dtype="float64")
    reject = np.zeros(p.shape, dtype=bool)
    valid = np.flatnonzero(np.isfinite(p))
    m = valid.size
    for rank, idx in enumerate(valid[np.argsort(p[valid], kind="stable")]):
        if p[idx] > alpha / (m - rank):
            break
        reject[idx] = True
    return reject
