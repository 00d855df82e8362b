"""Per-column summaries: pure functions over one column, vectorised, no thresholds applied.

``summarize_column`` describes a feature (missingness, distinct values, the most frequent
values, numeric moments, quantiles, an IQR outlier rate, a histogram, a mixed-type share);
``summarize_target`` describes the target (class balance or distribution). Rules that
judge these numbers live in :mod:`mlsprint.data.profiling.findings`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlsprint.data.detectors import datetime_format
from mlsprint.data.fingerprint import kind_of

__all__ = [
    "ColumnSummary",
    "TargetSummary",
    "column_kind",
    "numeric_values",
    "sample_skewness",
    "summarize_column",
    "summarize_target",
    "value_counts",
    "weighted_quantiles",
]

Kind = Literal["numeric", "categorical", "boolean", "datetime", "text"]
TOP_VALUES = 10  # most frequent values kept per column
HIST_BINS = 20
MIXED_SAMPLE = 5000  # distinct string values checked for numbers
OUTLIER_IQR = 3.0  # a value beyond Q1 - 3 IQR or Q3 + 3 IQR is an outlier


@dataclass(frozen=True, slots=True)
class ColumnSummary:
    """What one column holds; numbers are computed on every row unless noted."""

    name: str
    kind: Kind
    dtype: str
    n_rows: int
    n_missing: int
    n_unique: int
    top_values: tuple[tuple[str, int], ...] = ()
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)
    skew: float | None = None
    outlier_rate: float | None = None
    histogram: tuple[tuple[float, ...], tuple[int, ...]] | None = None
    numeric_share: float | None = None  # strings only: share of values that parse as numbers
    python_types: tuple[str, ...] = ()  # object columns only: Python types seen
    datetime_format: str | None = None

    @property
    def missing_rate(self) -> float:
        return self.n_missing / self.n_rows if self.n_rows else 0.0

    @property
    def unique_ratio(self) -> float:
        present = self.n_rows - self.n_missing
        return self.n_unique / present if present else 0.0

    @property
    def top_share(self) -> float:
        """Share of the non-missing values taken by the most frequent value."""
        present = self.n_rows - self.n_missing
        return self.top_values[0][1] / present if present and self.top_values else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["top_values"] = [list(tv) for tv in self.top_values]
        out["histogram"] = (None if self.histogram is None else
                            {"edges": list(self.histogram[0]), "counts": list(self.histogram[1])})
        out["python_types"] = list(self.python_types)
        out["missing_rate"] = self.missing_rate
        out["unique_ratio"] = self.unique_ratio
        return out


@dataclass(frozen=True, slots=True)
class TargetSummary:
    """The target: class counts (classification) or its distribution (regression)."""

    name: str
    task: str
    n_missing: int
    class_counts: tuple[tuple[str, int], ...] = ()
    positive_class: str | None = None
    column: ColumnSummary | None = None

    @property
    def minority_share(self) -> float | None:
        """Share of the rarest class among labelled rows (None for regression)."""
        if not self.class_counts:
            return None
        total = sum(c for _, c in self.class_counts)
        return min(c for _, c in self.class_counts) / total if total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "task": self.task, "n_missing": self.n_missing,
            "class_counts": [list(cc) for cc in self.class_counts],
            "positive_class": self.positive_class, "minority_share": self.minority_share,
            "column": None if self.column is None else self.column.to_dict(),
        }


def column_kind(series: pd.Series) -> Kind:
    """numeric, boolean, datetime (a dtype or ISO-like strings) or categorical."""
    base = kind_of(series)
    if base == "boolean":
        return "boolean"
    if base in ("integer", "float"):
        return "numeric"
    if base == "datetime" or (base == "string" and datetime_format(series) is not None):
        return "datetime"
    return "categorical"


def numeric_values(series: pd.Series, kind: Kind | None = None, *,
                   fmt: str | None = None) -> np.ndarray:
    """The column as float64 (datetimes as seconds since the epoch; NaN where missing).

    ``fmt`` is the date format of a string column, when already known.
    """
    kind = kind or column_kind(series)
    if kind == "datetime":
        if fmt is None and kind_of(series) == "string":
            fmt = datetime_format(series)
        stamps = pd.to_datetime(series, format=fmt, errors="coerce") if fmt else series
        stamps = pd.Series(stamps).astype("datetime64[ns]")
        out = stamps.to_numpy(dtype="int64").astype("float64") / 1e9
        out[stamps.isna().to_numpy()] = np.nan
        return out
    if kind == "boolean":
        return series.astype("float64").to_numpy()
    return series.to_numpy(dtype="float64", na_value=np.nan)


def value_counts(series: pd.Series, factorized: tuple[np.ndarray, Any] | None = None
                 ) -> tuple[Any, np.ndarray, int]:
    """Distinct values (in order of appearance), their counts, and the missing count.

    One hashing pass (``pd.factorize``, or its result given as ``factorized``); every
    other per-column statistic is computed from these counts, so its cost grows with the
    distinct values, not the rows.
    """
    codes, uniques = factorized or pd.factorize(series, use_na_sentinel=True)
    counts = np.bincount(np.asarray(codes) + 1, minlength=len(uniques) + 1)
    return uniques, counts[1:], int(counts[0])


def _top_values(uniques: Any, counts: np.ndarray) -> tuple[tuple[str, int], ...]:
    order = np.argsort(-counts, kind="stable")[:TOP_VALUES]
    return tuple((str(uniques[i]), int(counts[i])) for i in order)


def sample_skewness(x: np.ndarray) -> float:
    """Adjusted Fisher-Pearson skewness ``G1`` (scipy's ``skew(x, bias=False)``).

    Examples
    --------
    >>> import numpy as np
    >>> round(float(sample_skewness(np.array([1.0, 2.0, 3.0, 10.0]))), 4)
    1.7636
    """
    n = x.size
    if n < 3:
        return 0.0
    d = x - x.mean()
    m2, m3 = float((d * d).mean()), float((d * d * d).mean())
    if m2 <= 0:
        return 0.0
    return float(m3 / m2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2))


def weighted_quantiles(values: np.ndarray, counts: np.ndarray, q: Any) -> np.ndarray:
    """``np.quantile`` (linear method) of ``values`` repeated ``counts`` times; sorted input."""
    cum = np.cumsum(counts)
    pos = np.asarray(q, dtype="float64") * (cum[-1] - 1)
    lo, hi = np.floor(pos), np.ceil(pos)
    x_lo = values[np.searchsorted(cum, lo, side="right")]
    x_hi = values[np.searchsorted(cum, hi, side="right")]
    return x_lo + (pos - lo) * (x_hi - x_lo)


def _numeric_stats(values: np.ndarray, counts: np.ndarray) -> dict[str, Any]:
    """Moments, quantiles, IQR outliers and a histogram from distinct values and counts."""
    finite = np.isfinite(values)
    order = np.argsort(values[finite], kind="stable")
    v, c = values[finite][order], counts[finite][order].astype("float64")
    n = c.sum()
    if n == 0:
        return {}
    mean = float((v * c).sum() / n)
    d = v - mean
    m2, m3 = float((c * d * d).sum() / n), float((c * d ** 3).sum() / n)
    std = float(np.sqrt(m2 * n / (n - 1))) if n > 1 else 0.0
    skew = float(m3 / m2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)) if n > 2 and m2 > 0 else 0.0
    q = weighted_quantiles(v, c, [0.01, 0.25, 0.5, 0.75, 0.99])
    iqr = q[3] - q[1]
    low, high = q[1] - OUTLIER_IQR * iqr, q[3] + OUTLIER_IQR * iqr
    outliers = float(c[(v < low) | (v > high)].sum() / n) if iqr > 0 else 0.0
    hist, edges = np.histogram(v, bins=HIST_BINS, weights=c)
    return dict(
        mean=mean, std=std, min=float(v[0]), max=float(v[-1]),
        quantiles={k: float(x) for k, x in zip(("0.01", "0.25", "0.5", "0.75", "0.99"), q,
                                               strict=True)},
        skew=skew, outlier_rate=outliers,
        histogram=(tuple(float(e) for e in edges), tuple(int(round(h)) for h in hist)),
    )


def _numeric_share(uniques: Any, counts: np.ndarray) -> float:
    """Share of non-missing string values that parse as numbers (weighted by frequency)."""
    if counts.sum() == 0:
        return 0.0
    top = np.argsort(-counts, kind="stable")[:MIXED_SAMPLE]
    parsed = pd.to_numeric(pd.Series(np.asarray(uniques, dtype=object)[top]).astype(str),
                           errors="coerce")
    weights = counts[top].astype("float64")
    return float(weights[parsed.notna().to_numpy()].sum() / weights.sum())


def _python_types(series: pd.Series) -> tuple[str, ...]:
    if series.dtype != object:
        return ()
    sample = series.dropna()
    sample = sample.iloc[:: max(1, len(sample) // 2000)]
    return tuple(sorted({type(v).__name__ for v in sample}))


def summarize_column(series: pd.Series, name: str | None = None, *,
                     factorized: tuple[np.ndarray, Any] | None = None) -> ColumnSummary:
    """Summarise one column (``factorized``: its ``pd.factorize`` result, if at hand).

    Examples
    --------
    >>> import pandas as pd
    >>> s = summarize_column(pd.Series([1.0, 2.0, None, 2.0], name="x"))
    >>> s.kind, s.n_missing, s.n_unique, s.top_values[0]
    ('numeric', 1, 2, ('2.0', 2))
    """
    name = str(series.name if name is None else name)
    base_kind = kind_of(series)
    uniques, counts, n_missing = value_counts(series, factorized)
    fmt = datetime_format(pd.Series(uniques)) if base_kind == "string" else None
    kind: Kind = ("datetime" if fmt else "categorical" if base_kind == "string"
                  else column_kind(series))
    base: dict[str, Any] = dict(name=name, kind=kind, dtype=str(series.dtype),
                                n_rows=len(series), n_missing=n_missing,
                                n_unique=int(len(counts)), top_values=_top_values(uniques, counts),
                                python_types=_python_types(series), datetime_format=fmt)
    if kind in ("numeric", "boolean", "datetime"):
        values = numeric_values(pd.Series(uniques), kind, fmt=fmt)
        base.update(_numeric_stats(values, counts))
    else:
        base["numeric_share"] = _numeric_share(uniques, counts)
    return ColumnSummary(**base)


def summarize_target(series: pd.Series, task: str, positive_class: Any = None) -> TargetSummary:
    """Summarise the target: class counts for classification, a column summary otherwise."""
    n_missing = int(series.isna().sum())
    if task == "regression":
        return TargetSummary(name=str(series.name), task=task, n_missing=n_missing,
                             column=summarize_column(series))
    counts = series.value_counts(dropna=True)
    return TargetSummary(
        name=str(series.name), task=task, n_missing=n_missing,
        class_counts=tuple((str(k), int(v)) for k, v in counts.items()),
        positive_class=None if positive_class is None else str(positive_class),
        column=summarize_column(series),
    )
