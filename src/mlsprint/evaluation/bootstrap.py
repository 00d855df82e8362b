"""Percentile bootstrap: resample rows with replacement, recompute, read the quantiles.

One set of row indices serves every statistic of a report, so intervals of two models
scored on the same resamples are *paired* (their difference keeps the row-level
correlation). Resamples on which a statistic is undefined (for instance ROC AUC on a
resample holding one class) are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["Interval", "bootstrap_indices", "bootstrap_interval", "percentile_interval"]


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with a percentile bootstrap interval.

    ``n_valid`` counts the resamples on which the statistic was defined.
    """

    estimate: float
    low: float
    high: float
    confidence: float = 0.95
    n_valid: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the closed interval."""
        return bool(self.low <= value <= self.high)


def bootstrap_indices(n: int, *, n_boot: int, random_state: int | None,
                      strata: np.ndarray | None = None) -> np.ndarray:
    """Row indices of ``n_boot`` resamples of ``n`` rows, shape ``(n_boot, n)``.

    With ``strata`` each resample keeps the count of every stratum (a stratified
    bootstrap), which keeps a rare class present in every resample.

    Examples
    --------
    >>> bootstrap_indices(4, n_boot=2, random_state=0).shape
    (2, 4)
    """
    if n < 1:
        raise ValueError(f"bootstrap needs at least one row; got n={n}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be a positive int; got {n_boot}")
    rng = np.random.default_rng(random_state)
    if strata is None:
        return rng.integers(0, n, size=(n_boot, n))
    strata = np.asarray(strata)
    out = np.empty((n_boot, n), dtype=np.int64)
    start = 0
    for value in np.unique(strata):
        members = np.flatnonzero(strata == value)
        picks = rng.integers(0, len(members), size=(n_boot, len(members)))
        out[:, start:start + len(members)] = members[picks]
        start += len(members)
    return out


def percentile_interval(estimate: float, replicates: np.ndarray, *,
                        confidence: float = 0.95) -> Interval:
    """The percentile interval of bootstrap ``replicates`` (NaNs are dropped)."""
    reps = np.asarray(replicates, dtype="float64")
    reps = reps[np.isfinite(reps)]
    if not len(reps):
        return Interval(float(estimate), float("nan"), float("nan"), confidence, 0)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(reps, [alpha, 1.0 - alpha])
    return Interval(float(estimate), float(low), float(high), confidence, int(len(reps)))


def bootstrap_interval(statistic: Callable[[np.ndarray], float], n: int, *,
                       n_boot: int = 1000, random_state: int | None = None,
                       confidence: float = 0.95,
                       indices: np.ndarray | None = None) -> Interval:
    """Bootstrap ``statistic(rows)`` where ``rows`` indexes the data of ``n`` rows.

    ``statistic`` receives an integer index array and returns a float (NaN when the
    resample makes it undefined). Pass ``indices`` to reuse resamples across statistics.

    Examples
    --------
    >>> x = np.arange(100.0)
    >>> iv = bootstrap_interval(lambda rows: x[rows].mean(), len(x), random_state=0)
    >>> iv.low < 49.5 < iv.high
    True
    """
    if indices is None:
        indices = bootstrap_indices(n, n_boot=n_boot, random_state=random_state)
    estimate = _safe(statistic, np.arange(n))
    reps = np.array([_safe(statistic, rows) for rows in indices])
    return percentile_interval(estimate, reps, confidence=confidence)


def _safe(statistic: Callable[[np.ndarray], float], rows: np.ndarray) -> float:
    try:
        value = float(statistic(rows))
    except ValueError:  # undefined on this resample (one class, empty group)
        return float("nan")
    return value
