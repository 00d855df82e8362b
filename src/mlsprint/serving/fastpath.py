"""A compiled path for small JSON requests: the pipeline's arithmetic without its overhead.

About half of a single-row prediction through a scikit-learn ``ColumnTransformer`` is
Python overhead (PITFALLS.md). :func:`compile_fast_path` translates a fitted
``Pipeline([ColumnTransformer, estimator])`` built from common steps (SimpleImputer,
StandardScaler, MinMaxScaler, OneHotEncoder, OrdinalEncoder, passthrough, drop) into plain
numpy over the request's values, and calls a LightGBM booster directly. It is used only
after it reproduced the pipeline to 1e-9 on sample rows; anything else returns ``None``
and the pipeline answers.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FastPath", "compile_fast_path"]

_log = logging.getLogger("mlsprint.serving")
# A step maps input columns to output arrays: one per output column, or a 2-D block of
# adjacent output columns (np.column_stack takes both).
Step = Callable[[list[np.ndarray]], list[np.ndarray]]
TOLERANCE = 1e-9


class Unsupported(Exception):
    """The pipeline holds a step the fast path cannot reproduce."""


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _imputer(t: Any) -> Step:
    if getattr(t, "add_indicator", False) or not pd.isna(t.missing_values):
        raise Unsupported("SimpleImputer with indicator or non-NaN missing marker")
    stats = list(t.statistics_)
    if any(_missing(s) for s in stats):
        raise Unsupported("SimpleImputer dropping all-missing columns")

    def run(cols: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for col, stat in zip(cols, stats, strict=True):
            if isinstance(col, pd.Series):
                out.append(col.where(col.notna(), stat))
            elif col.dtype.kind == "f":
                out.append(np.where(np.isnan(col), stat, col))
            else:
                out.append(np.where(pd.isna(col), stat, col).astype(object))
        return out
    return run


def _scaler(t: Any) -> Step:
    mean = t.mean_ if t.with_mean else None
    scale = t.scale_ if t.with_std else None

    def run(cols: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for j, col in enumerate(cols):
            x = np.asarray(col, dtype="float64")
            if mean is not None:
                x = x - mean[j]
            if scale is not None:
                x = x / scale[j]
            out.append(x)
        return out
    return run


def _minmax(t: Any) -> Step:
    if t.clip:
        raise Unsupported("MinMaxScaler(clip=True)")
    return lambda cols: [np.asarray(c, dtype="float64") * t.scale_[j] + t.min_[j]
                         for j, c in enumerate(cols)]


_SMALL = 64  # up to this many rows LightGBM runs on one thread
_FEW = 8  # up to this many rows categories are looked up value by value


@dataclass(frozen=True, slots=True)
class _Table:
    """The categories of one encoded column, for per-value and vectorised lookups."""

    index: dict[Any, int]
    nan_pos: int | None
    known: list[Any]
    positions: np.ndarray

    @classmethod
    def of(cls, categories: np.ndarray) -> _Table:
        index: dict[Any, int] = {}
        nan_pos = None
        for k, cat in enumerate(categories):
            if _missing(cat):
                nan_pos = k
            else:
                index[cat] = k
        return cls(index, nan_pos, list(index), np.array(list(index.values()), dtype=np.int64))

    def _arrow_codes(self, col: pd.Series) -> np.ndarray | None:
        """Positions in ``known`` of an Arrow-backed text column (pandas' default ``str``
        from Parquet): Arrow's hash lookup, ~10x faster than building a Categorical."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not isinstance(col.dtype, (pd.StringDtype, pd.ArrowDtype)) or not hasattr(
                col.array, "__arrow_array__"):
            return None
        array = pa.chunked_array(col.array.__arrow_array__())
        if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)) or not all(
                isinstance(k, str) for k in self.known):
            return None
        found = pc.index_in(array, value_set=pa.array(self.known, type=array.type))
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)

    def code(self, value: Any) -> int:
        """The position of one value (-1: unknown; a missing value: its category or -1)."""
        if _missing(value):
            return -1 if self.nan_pos is None else self.nan_pos
        return self.index.get(value, -1)

    def codes(self, col: Any) -> tuple[np.ndarray, np.ndarray]:
        """Category positions (-1: unknown) and the mask of missing values."""
        if isinstance(col, pd.Series):  # a frame column: a vectorised lookup (C speed)
            missing = col.isna().to_numpy()
            found = self._arrow_codes(col)
            if found is None:
                found = pd.Categorical(col, categories=self.known).codes.astype(np.int64)
            codes = np.where(found >= 0, self.positions[np.maximum(found, 0)], -1)
        else:
            missing = np.array([_missing(v) for v in col], dtype=bool)
            codes = np.array([-1 if m else self.index.get(v, -1) for v, m in
                              zip(col, missing, strict=True)], dtype=np.int64)
        if self.nan_pos is not None:
            codes = np.where(missing, self.nan_pos, codes)
        return codes, missing


def _onehot(t: Any) -> Step:
    if t.drop_idx_ is not None or getattr(t, "_infrequent_enabled", False):
        raise Unsupported("OneHotEncoder with drop or infrequent categories")
    tables = [_Table.of(c) for c in t.categories_]
    offsets = np.cumsum([0, *(len(c) for c in t.categories_)])
    strict = t.handle_unknown == "error"

    def run(cols: list[np.ndarray]) -> list[np.ndarray]:
        # one (rows x categories) block for every column: a single part for column_stack
        # (a block per column and a view per category cost more than the arithmetic)
        block = np.zeros((len(cols[0]) if cols else 0, int(offsets[-1])))
        if cols and not isinstance(cols[0], pd.Series) and len(cols[0]) <= _FEW:
            for col, table, offset in zip(cols, tables, offsets, strict=False):
                for i, value in enumerate(col):  # a few rows: per value, no numpy calls
                    k = table.code(value)
                    if k >= 0:
                        block[i, offset + k] = 1.0
                    elif strict:
                        raise ValueError("unknown category")
            return [block]
        for col, table, offset in zip(cols, tables, offsets, strict=False):
            codes, _ = table.codes(col)
            if strict and (codes < 0).any():
                raise ValueError("unknown category")
            rows = np.flatnonzero(codes >= 0)
            block[rows, offset + codes[rows]] = 1.0
        return [block]
    return run


def _as_columns(parts: list[np.ndarray]) -> list[np.ndarray]:
    """A step's output as one array per column (a block is split into its columns)."""
    return [c for p in parts for c in (p.T if p.ndim == 2 else (p,))]


def _ordinal(t: Any) -> Step:
    tables = [_Table.of(c) for c in t.categories_]
    unknown = t.unknown_value if t.handle_unknown == "use_encoded_value" else None

    def run(cols: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for col, table in zip(cols, tables, strict=True):
            codes, missing = table.codes(col)
            if unknown is None and ((codes < 0) & ~missing).any():
                raise ValueError("unknown category")
            x = np.where(codes < 0, np.nan if unknown is None else unknown, codes)
            out.append(np.where(missing, t.encoded_missing_value, x).astype("float64"))
        return out
    return run


def _step(t: Any) -> Step:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

    if t == "passthrough":
        return lambda cols: [np.asarray(c, dtype="float64") for c in cols]
    if isinstance(t, Pipeline):
        steps = [_step(s) for _, s in t.steps if s not in (None, "passthrough")]

        def chain(cols: list[np.ndarray]) -> list[np.ndarray]:
            for i, s in enumerate(steps):
                cols = s(cols if i == 0 else _as_columns(cols))
            return cols
        return chain
    for cls, build in ((SimpleImputer, _imputer), (StandardScaler, _scaler),
                       (MinMaxScaler, _minmax), (OneHotEncoder, _onehot),
                       (OrdinalEncoder, _ordinal)):
        if type(t) is cls:
            return build(t)
    raise Unsupported(type(t).__name__)


@dataclass(frozen=True, slots=True)
class FastPath:
    """A pipeline compiled to numpy for JSON records (dicts of column -> value)."""

    blocks: tuple[tuple[tuple[str, ...], Step], ...]
    numeric: frozenset[str]
    predict: Callable[[np.ndarray], np.ndarray]

    def transform(self, records: Sequence[dict[str, Any]]) -> np.ndarray:
        parts: list[np.ndarray] = []
        for columns, step in self.blocks:
            cols = [self._column(records, name) for name in columns]
            parts.extend(step(cols))
        return np.column_stack(parts) if parts else np.empty((len(records), 0))

    def _column(self, records: Sequence[dict[str, Any]], name: str) -> np.ndarray:
        values = [r.get(name) for r in records]
        if name in self.numeric:
            return np.array([np.nan if v is None else float(v) for v in values],
                            dtype="float64")
        return np.array([None if _missing(v) else str(v) for v in values], dtype=object)

    def values(self, records: Sequence[dict[str, Any]]) -> np.ndarray:
        """Class probabilities (classifier) or predicted values (regressor)."""
        return self.predict(self.transform(records))

    def transform_frame(self, frame: pd.DataFrame) -> np.ndarray:
        parts: list[np.ndarray] = []
        for columns, step in self.blocks:
            cols = [frame[name].to_numpy(dtype="float64", na_value=np.nan)
                    if name in self.numeric else frame[name].reset_index(drop=True)
                    for name in columns]
            parts.extend(step(cols))
        return np.column_stack(parts) if parts else np.empty((len(frame), 0))

    def values_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """:meth:`values` for a frame in the model's dtypes (CSV, Parquet, tensors)."""
        return self.predict(self.transform_frame(frame))


def _predictor(estimator: Any) -> Callable[[np.ndarray], np.ndarray]:
    booster = getattr(estimator, "booster_", None)
    if booster is not None and getattr(estimator, "_objective", "") != "":
        n_classes = getattr(estimator, "n_classes_", None)

        def lgbm(X: np.ndarray) -> np.ndarray:
            # one thread for small batches: no OpenMP start-up; the model's own for large
            out = booster.predict(X, num_threads=1) if len(X) <= _SMALL else booster.predict(X)
            if n_classes == 2:
                return np.column_stack([1.0 - out, out])
            return out
        return lgbm
    if hasattr(estimator, "feature_names_in_"):
        raise Unsupported("final step fitted on a frame with feature names")
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba
    return estimator.predict


def _blocks(ct: Any) -> tuple[tuple[tuple[str, ...], Step], ...]:
    names = list(ct.feature_names_in_)
    out = []
    for _, trans, cols in ct.transformers_:
        if trans == "drop":
            continue
        if isinstance(cols, slice) or (hasattr(cols, "dtype") and cols.dtype == bool):
            raise Unsupported("column selection by slice or mask")
        cols = [names[c] if isinstance(c, (int, np.integer)) else c for c in np.atleast_1d(cols)]
        if cols:
            out.append((tuple(map(str, cols)), _step(trans)))
    return tuple(out)


def compile_fast_path(pipeline: Any, *, numeric: Sequence[str],
                      sample: Sequence[dict[str, Any]], frame: pd.DataFrame,
                      classifier: bool) -> FastPath | None:
    """Compile ``pipeline`` and check it against the pipeline on ``sample``/``frame``.

    ``sample`` holds the records of ``frame`` as a JSON request would carry them.
    Returns None (and logs why) when a step is unsupported or an answer differs by more
    than 1e-9.
    """
    from sklearn.compose import ColumnTransformer

    try:
        steps = getattr(pipeline, "steps", [])
        if len(steps) != 2 or not isinstance(steps[0][1], ColumnTransformer):
            raise Unsupported("a pipeline other than [ColumnTransformer, estimator]")
        fast = FastPath(_blocks(steps[0][1]), frozenset(numeric), _predictor(steps[1][1]))
        want = pipeline.predict_proba(frame) if classifier else pipeline.predict(frame)
        few = min(len(sample), 2 * _FEW)
        one_by_one = np.vstack([fast.values([r]) for r in sample[:few]]) if classifier else (
            np.concatenate([fast.values([r]) for r in sample[:few]]))
        if few and not np.allclose(one_by_one, np.asarray(want)[:few], rtol=0, atol=TOLERANCE):
            raise Unsupported("single-row answers differ from the pipeline by more than 1e-9")
        for got in (fast.values(sample), fast.values_frame(frame),
                    fast.values_frame(pd.concat([frame] * (_SMALL // max(len(frame), 1) + 1)))
                    [:len(frame)]):
            if got.shape != np.shape(want) or not np.allclose(got, want, rtol=0,
                                                               atol=TOLERANCE):
                raise Unsupported("answers differ from the pipeline by more than 1e-9")
    except (Unsupported, ValueError, TypeError, KeyError, AttributeError) as exc:
        _log.info("fast path disabled: %s", exc)
        return None
    return fast
