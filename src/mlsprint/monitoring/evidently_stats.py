"""Evidently 0.7's drift statistics, reproduced exactly (``--tests evidently``).

Kept for comparability with teams that report Evidently's numbers, and pinned by oracle
tests against golden values that Evidently 0.7.23 itself computed. The rules (see
``PITFALLS.md``): missing and infinite values are dropped first; PSI and Jensen-Shannon bin
numbers with > 20 distinct reference values into numpy's "sturges" equal-width bins over
reference and current together, otherwise one bin per value; PSI floors empty shares at
``min(nonzero)/1e6`` when that minimum is <= 1e-4, else at 1e-4, side by side; its
chi-square is a goodness-of-fit test with the reference as the expected shares.

The default choice (:func:`evidently_stattest`): a reference of <= 1,000 rows gets KS
(numbers with > 5 values), chi-square (3+ values) or Z (<= 2 values) at p < 0.05; a larger
one gets normed Wasserstein (numbers with > 5 values) or Jensen-Shannon, drifted at >= 0.1.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "evidently_binned",
    "evidently_chi_square",
    "evidently_jensen_shannon",
    "evidently_ks",
    "evidently_psi",
    "evidently_stattest",
    "evidently_wasserstein",
    "evidently_z",
]

THRESHOLDS = {"ks": 0.05, "chisquare": 0.05, "z": 0.05, "wasserstein": 0.1,
              "jensenshannon": 0.1, "psi": 0.1}


def _clean(values, numeric: bool) -> np.ndarray:
    if numeric:
        arr = np.asarray(values, dtype="float64").ravel()
        return arr[np.isfinite(arr)]
    arr = np.asarray(values, dtype=object).ravel()
    keep = np.array([v is not None and v == v for v in arr], dtype=bool)
    return arr[keep].astype(str)


def _level_counts(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys = np.unique(np.concatenate([ref, cur]))
    ref_counts = np.searchsorted(keys, ref)
    cur_counts = np.searchsorted(keys, cur)
    return (np.bincount(ref_counts, minlength=keys.size).astype("float64"),
            np.bincount(cur_counts, minlength=keys.size).astype("float64"))


def _fill_zeroes(shares: np.ndarray) -> np.ndarray:
    nonzero = shares[shares != 0]
    low = nonzero.min()
    fill = low / 10**6 if low <= 0.0001 else 0.0001
    return np.where(shares == 0, fill, shares)


def evidently_binned(reference, current, *, numeric: bool, fill_zeroes: bool = True
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Evidently's bin shares of reference and current (its ``get_binned_data``)."""
    ref, cur = _clean(reference, numeric), _clean(current, numeric)
    if numeric and np.unique(ref).size > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        ref_pct = np.histogram(ref, edges)[0] / ref.size
        cur_pct = np.histogram(cur, edges)[0] / cur.size
    else:
        ref_counts, cur_counts = _level_counts(ref, cur)
        ref_pct, cur_pct = ref_counts / ref.size, cur_counts / cur.size
    if fill_zeroes:
        ref_pct, cur_pct = _fill_zeroes(ref_pct), _fill_zeroes(cur_pct)
    return ref_pct, cur_pct


def evidently_psi(reference, current, *, numeric: bool) -> float:
    """Evidently's PSI (drifted at >= 0.1)."""
    ref_pct, cur_pct = evidently_binned(reference, current, numeric=numeric)
    return float(np.sum((ref_pct - cur_pct) * np.log(ref_pct / cur_pct)))


def evidently_jensen_shannon(reference, current, *, numeric: bool) -> float:
    """Evidently's Jensen-Shannon distance, natural log, no zero filling (drifted at >= 0.1)."""
    from scipy.spatial.distance import jensenshannon

    ref_pct, cur_pct = evidently_binned(reference, current, numeric=numeric, fill_zeroes=False)
    return float(jensenshannon(ref_pct, cur_pct))


def evidently_ks(reference, current) -> float:
    """Evidently's KS p-value (scipy ``ks_2samp``; drifted at p <= 0.05)."""
    from scipy.stats import ks_2samp

    with warnings.catch_warnings():  # ties: scipy falls back from exact to asymptotic
        warnings.filterwarnings("ignore", "ks_2samp: Exact calculation", RuntimeWarning)
        return float(ks_2samp(_clean(reference, True), _clean(current, True))[1])


def evidently_wasserstein(reference, current) -> float:
    """Evidently's Wasserstein distance over ``max(std(reference, ddof=0), 0.001)``."""
    from scipy.stats import wasserstein_distance

    ref, cur = _clean(reference, True), _clean(current, True)
    return float(wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001))


def evidently_chi_square(reference, current, *, numeric: bool = False) -> float:
    """Evidently's chi-square p-value: goodness of fit of current to reference shares."""
    from scipy.stats import chi2

    ref, cur = _clean(reference, numeric), _clean(current, numeric)
    ref_counts, cur_counts = _level_counts(ref, cur)
    expected = ref_counts * (cur.size / ref.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (cur_counts - expected) ** 2 / expected
    terms = np.where((expected == 0) & (cur_counts == 0), 0.0, terms)
    return float(chi2.sf(float(terms.sum()), terms.size - 1))


def evidently_z(reference, current, *, numeric: bool = False) -> float:
    """Evidently's two-proportion Z-test p-value (first sorted level against the rest)."""
    from scipy.stats import norm

    ref, cur = _clean(reference, numeric), _clean(current, numeric)
    keys = np.unique(np.concatenate([ref, cur]))
    if keys.size == 1:
        return 1.0
    p1, p2 = float(np.sum(ref != keys[0])) / ref.size, float(np.sum(cur != keys[0])) / cur.size
    pooled = (p1 * ref.size + p2 * cur.size) / (ref.size + cur.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / ref.size + 1.0 / cur.size))
    return float(2 * (1 - norm.cdf(np.abs(z))))


def evidently_stattest(reference, current, *, numeric: bool) -> tuple[str, float, bool]:
    """Evidently's default test for one column: ``(test name, value, drifted)``."""
    ref, cur = _clean(reference, numeric), _clean(current, numeric)
    n_values = np.unique(np.concatenate([ref, cur])).size
    if ref.size <= 1000:
        if numeric and n_values > 5:
            name, value = "ks", evidently_ks(ref, cur)
            return name, value, value <= THRESHOLDS[name]
        if n_values > 2:
            name, value = "chisquare", evidently_chi_square(ref, cur, numeric=numeric)
        else:
            name, value = "z", evidently_z(ref, cur, numeric=numeric)
        return name, value, value < THRESHOLDS[name]
    if numeric and n_values > 5:
        name, value = "wasserstein", evidently_wasserstein(ref, cur)
    else:
        name, value = "jensenshannon", evidently_jensen_shannon(ref, cur, numeric=numeric)
    return name, value, value >= THRESHOLDS[name]
