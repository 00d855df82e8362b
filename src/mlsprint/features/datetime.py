"""Datetime features: calendar parts, cyclical encodings and elapsed time.

``DatetimeFeatures`` turns each datetime-like column into numbers a model can use:
``year``, ``month``, ``day``, ``dayofweek`` and (when the training values carry a time
of day) ``hour``; ``sin``/``cos`` pairs for month, day of week and hour so that December
sits next to January; and the days elapsed since the earliest training value.
Accepted input: ``datetime64`` columns (time-zone aware ones are read in their local wall
time), ISO-8601 text (``"2013-08-14"``, ``"2013-08-14 10:30:00"``) and numbers, read as
Unix seconds. A missing or unparseable value gives NaN in every output column, which the
numeric imputer that follows fills and flags.
"""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mlsprint.features.names import input_feature_names

__all__ = ["DatetimeFeatures", "to_datetime"]

_NS_PER_DAY = 86_400 * 10**9
_PERIODS = {"month": 12, "dayofweek": 7, "hour": 24}
_ACCESSOR = {"dayofweek": "day_of_week"}  # pandas 3 deprecates .dt.dayofweek


def to_datetime(values: Any) -> pd.Series:
    """Parse one column (1-D) to naive ``datetime64[ns]``; bad values become NaT.

    Examples
    --------
    >>> to_datetime(["2013-08-14", None, "x"]).dt.year.tolist()
    [2013.0, nan, nan]
    """
    arr = np.asarray(values, dtype=object)
    present = [v for v in arr if not _missing(v)]
    if present and all(isinstance(v, Number) and not isinstance(v, bool) for v in present):
        nums = pd.to_numeric(pd.Series(arr), errors="coerce")
        stamps = pd.to_datetime(nums, unit="s", errors="coerce")
    else:
        naive = [v.tz_localize(None) if isinstance(v, pd.Timestamp) and v.tz else v
                 for v in arr]
        stamps = pd.to_datetime(pd.Series(naive, dtype=object), errors="coerce",
                                format="ISO8601")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps.astype("datetime64[ns]").reset_index(drop=True)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and bool(np.isnan(value))


class DatetimeFeatures(TransformerMixin, BaseEstimator):
    """Calendar parts, cyclical encodings and elapsed days of datetime-like columns.

    Parameters
    ----------
    cyclical : bool, default=True
        Add ``sin``/``cos`` of month, day of week and (if used) hour.
    elapsed : bool, default=True
        Add the days elapsed since the earliest value seen in training.

    Attributes
    ----------
    reference_ : list of pandas.Timestamp
        Earliest training value of each column (NaT when a column was all missing).
    has_time_ : list of bool
        Whether a column's training values carry a time of day (then ``hour`` is used).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"d": ["2020-01-01", "2020-12-31"]})
    >>> f = DatetimeFeatures(cyclical=False).fit(X)
    >>> f.get_feature_names_out().tolist()
    ['d_year', 'd_month', 'd_day', 'd_dayofweek', 'd_days_elapsed']
    >>> f.transform(X)[:, -1].tolist()
    [0.0, 365.0]
    """

    _parameter_constraints: dict = {"cyclical": ["boolean"], "elapsed": ["boolean"]}

    def __init__(self, cyclical: bool = True, elapsed: bool = True) -> None:
        self.cyclical = cyclical
        self.elapsed = elapsed

    def fit(self, X: Any, y: Any = None) -> DatetimeFeatures:
        """Learn each column's earliest value and whether it carries a time of day."""
        self._validate_params()
        columns = self._columns(X, reset=True)
        self.reference_ = []
        self.has_time_ = []
        for stamps in columns:
            self.reference_.append(stamps.min())
            present = stamps.dropna()
            self.has_time_.append(bool((present != present.dt.normalize()).any()))
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Numeric features, NaN where the input is missing or unparseable."""
        check_is_fitted(self)
        columns = self._columns(X, reset=False)
        blocks = [self._features(s, j) for j, s in enumerate(columns)]
        return np.hstack(blocks) if blocks else np.empty((0, 0))

    def _parts(self, j: int) -> list[str]:
        parts = ["year", "month", "day", "dayofweek"]
        return parts + ["hour"] if self.has_time_[j] else parts

    def _features(self, stamps: pd.Series, j: int) -> np.ndarray:
        parts = {p: getattr(stamps.dt, _ACCESSOR.get(p, p)).to_numpy(dtype=float,
                                                                     na_value=np.nan)
                 for p in self._parts(j)}
        cols = list(parts.values())
        if self.cyclical:
            for part, values in parts.items():
                if part in _PERIODS:
                    if part == "month":
                        values = values - 1
                    angle = 2 * np.pi * values / _PERIODS[part]
                    cols += [np.sin(angle), np.cos(angle)]
        if self.elapsed:
            ref = self.reference_[j]
            ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
            ns[stamps.isna().to_numpy()] = np.nan
            origin = np.nan if pd.isna(ref) else float(pd.Timestamp(ref).value)
            cols.append((ns - origin) / _NS_PER_DAY)
        return np.column_stack(cols)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``col_year``, ``col_month``, ..., ``col_month_sin``, ``col_days_elapsed``."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        out: list[str] = []
        for j, name in enumerate(names):
            parts = self._parts(j)
            out += [f"{name}_{p}" for p in parts]
            if self.cyclical:
                out += [f"{name}_{p}_{f}" for p in parts if p in _PERIODS
                        for f in ("sin", "cos")]
            if self.elapsed:
                out.append(f"{name}_days_elapsed")
        return np.asarray(out, dtype=object)

    def _columns(self, X: Any, *, reset: bool) -> list[pd.Series]:
        if isinstance(X, pd.DataFrame):  # category/str/datetime columns as Python objects
            X = X.astype(object)
        arr = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)
        if np.iscomplexobj(arr):
            raise ValueError("Complex data not supported")
        return [to_datetime(arr[:, j]) for j in range(arr.shape[1])]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags
