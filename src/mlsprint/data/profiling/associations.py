"""Associations between columns, all on a 0-1 scale so one matrix can hold them.

* numeric-numeric: ``|Spearman rho|``
* categorical-categorical: Cramer's V (no bias correction)
* numeric-categorical: the correlation ratio eta (the square root of the share of the
  numeric column's variance explained by the categories)

Categoricals keep their 20 most frequent levels (others pooled, missing its own level);
missing numbers take the column's mean rank (Spearman) or are left out (eta).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.profiling.summary import Kind, numeric_values

__all__ = [
    "AssociationMatrix",
    "association_matrix",
    "chi2_statistic",
    "correlation_ratio",
    "cramers_v",
    "rank_average",
    "spearman_matrix",
]

MAX_LEVELS = 20


@dataclass(frozen=True, slots=True)
class AssociationMatrix:
    """Symmetric association values between ``columns``, with the measure of each pair."""

    columns: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    measures: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"columns": list(self.columns),
                "values": [[round(v, 6) if np.isfinite(v) else None for v in row]
                           for row in self.values],
                "measures": [list(r) for r in self.measures]}


def chi2_statistic(table: np.ndarray) -> tuple[float, int]:
    """Pearson's chi-square of independence of a contingency table and its dof."""
    table = np.asarray(table, dtype="float64")
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    expected = np.outer(table.sum(1), table.sum(0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return chi2, (table.shape[0] - 1) * (table.shape[1] - 1)


def cramers_v(a: np.ndarray, b: np.ndarray) -> float:
    """Cramer's V between two integer-coded categorical arrays (no bias correction).

    Examples
    --------
    >>> import numpy as np
    >>> round(cramers_v(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0])), 6)
    1.0
    """
    a_codes, a_levels = pd.factorize(a)
    b_codes, b_levels = pd.factorize(b)
    r, c = len(a_levels), len(b_levels)
    if r < 2 or c < 2:
        return 0.0
    table = np.bincount(a_codes * c + b_codes, minlength=r * c).reshape(r, c)
    chi2, _ = chi2_statistic(table)
    return float(np.sqrt(chi2 / (table.sum() * (min(r, c) - 1))))


def correlation_ratio(codes: np.ndarray, values: np.ndarray) -> float:
    """The correlation ratio eta of a numeric array given integer category codes.

    Examples
    --------
    >>> import numpy as np
    >>> correlation_ratio(np.array([0, 0, 1, 1]), np.array([1.0, 1.0, 3.0, 3.0]))
    1.0
    """
    ok = np.isfinite(values)
    codes, values = np.asarray(codes)[ok], values[ok]
    if values.size < 2:
        return 0.0
    codes = pd.factorize(codes)[0]
    total = float(((values - values.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    count = np.bincount(codes)
    means = np.bincount(codes, weights=values) / np.maximum(count, 1)
    between = float((count * (means - values.mean()) ** 2).sum())
    return float(np.sqrt(min(between / total, 1.0)))


def rank_average(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank (scipy's ``rankdata``)."""
    return pd.Series(x).rank(method="average").to_numpy(dtype="float64")


def spearman_matrix(M: np.ndarray) -> np.ndarray:
    """Spearman's rho between the columns of ``M``; NaN takes the column's mean rank."""
    ranks = np.empty_like(M, dtype="float64")
    for j in range(M.shape[1]):
        col = M[:, j]
        ok = np.isfinite(col)
        r = np.full(col.shape, np.nan)
        r[ok] = rank_average(col[ok])
        r[~ok] = r[ok].mean() if ok.any() else 0.0
        ranks[:, j] = r
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.corrcoef(ranks, rowvar=False).reshape(M.shape[1], M.shape[1])


def _level_codes(series: pd.Series) -> np.ndarray:
    codes, levels = pd.factorize(series, use_na_sentinel=False)
    if len(levels) > MAX_LEVELS:
        counts = np.bincount(codes)
        keep = np.argsort(-counts, kind="stable")[:MAX_LEVELS]
        remap = np.full(len(levels), MAX_LEVELS)
        remap[keep] = np.arange(MAX_LEVELS)
        codes = remap[codes]
    return np.asarray(codes, dtype=np.int64)


def association_matrix(X: pd.DataFrame, kinds: Mapping[str, Kind],
                       columns: Sequence[str] | None = None) -> AssociationMatrix:
    """The pairwise association matrix of ``columns`` (default: all) of ``X``."""
    names = [str(c) for c in (columns if columns is not None else X.columns)]
    numeric = [n for n in names if kinds[n] in ("numeric", "datetime", "boolean")]
    nums = {n: numeric_values(X[n], kinds[n]) for n in numeric}
    cats = {n: _level_codes(X[n]) for n in names if n not in nums}
    rho = spearman_matrix(np.column_stack([nums[n] for n in numeric])) if numeric else None
    pos = {n: i for i, n in enumerate(numeric)}
    k = len(names)
    values = np.eye(k)
    measures = [["" for _ in range(k)] for _ in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            a, b = names[i], names[j]
            if a in nums and b in nums:
                v, m = abs(rho[pos[a], pos[b]]), "spearman"
            elif a in cats and b in cats:
                v, m = cramers_v(cats[a], cats[b]), "cramers_v"
            else:
                num, cat = (a, b) if a in nums else (b, a)
                v, m = correlation_ratio(cats[cat], nums[num]), "eta"
            values[i, j] = values[j, i] = v if np.isfinite(v) else np.nan
            measures[i][j] = measures[j][i] = m
    return AssociationMatrix(columns=tuple(names),
                             values=tuple(tuple(float(x) for x in row) for row in values),
                             measures=tuple(tuple(r) for r in measures))
