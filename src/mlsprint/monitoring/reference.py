"""Reference statistics: what monitoring compares every window against.

``build_reference`` turns the training rows (and the model's out-of-fold predictions) into a
JSON-able dict, stored in the bundle as ``reference.json``, so monitoring never needs the
training data. Per monitored column it keeps binned counts (reference-quantile edges for
numbers, level counts for categories), the missing count and a seeded raw sample.

Counts are additive: :func:`column_stats` on two chunks with the same edges merges with
:func:`merge_column_stats`, which is how a chunked (later Dask) reference is built: fix the
edges from a first pass or a sample, then sum the counts of every chunk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.contract import DataContract
from mlsprint.monitoring.stats import quantile_edges

__all__ = [
    "PREDICTION",
    "REFERENCE_VERSION",
    "build_reference",
    "column_stats",
    "fit_calibration",
    "merge_column_stats",
    "monitored_columns",
    "prediction_values",
]

REFERENCE_VERSION = 1
PREDICTION = "__prediction__"
BINS = 10
MAX_LEVELS = 1000


def monitored_columns(contract: DataContract) -> dict[str, str]:
    """Feature name -> ``"numeric"`` or ``"categorical"`` (ids, time, text are not monitored)."""
    out: dict[str, str] = {}
    for col in contract.features:
        if col.kind == "numeric":
            out[col.name] = "numeric"
        elif col.kind in ("categorical", "boolean"):
            out[col.name] = "categorical"
    return out


def prediction_values(predictions: Any, *, task: str, classes: tuple = (),
                      positive_class: Any = None) -> tuple[np.ndarray, str]:
    """The monitored prediction: positive-class probability (binary), label (multiclass),
    value (regression). Returns ``(values, kind)``.
    """
    arr = np.asarray(predictions)
    if arr.ndim == 2 and task == "binary":
        pos = list(classes).index(positive_class) if positive_class in classes else arr.shape[1] - 1
        return arr[:, pos].astype("float64"), "numeric"
    if arr.ndim == 2:
        labels = np.asarray(classes, dtype=object) if len(classes) == arr.shape[1] else None
        idx = arr.argmax(axis=1)
        return (labels[idx] if labels is not None else idx).astype(str), "categorical"
    if task == "regression" or (task == "binary" and np.issubdtype(arr.dtype, np.floating)):
        return arr.astype("float64"), "numeric"
    return arr.astype(str), "categorical"


def _as_numeric(values: Any) -> np.ndarray:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_float_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def column_stats(values: Any, kind: str, *, edges: np.ndarray | None = None,
                 bins: int = BINS) -> dict[str, Any]:
    """Counts of one column: ``n``, ``n_missing``, and ``edges``/``counts`` plus moments for
    numbers or ``levels`` (level -> count) for categories. Edges default to the column's own
    quantiles; pass the reference's to count a later chunk on the same bins.
    """
    if kind == "numeric":
        arr = _as_numeric(values)
        finite = arr[np.isfinite(arr)]
        if edges is None:
            edges = quantile_edges(finite, bins=bins)
        counts = np.bincount(np.searchsorted(edges, finite, side="left"),
                             minlength=len(edges) + 1)
        return {
            "kind": kind, "n": int(arr.size), "n_missing": int(arr.size - finite.size),
            "edges": [float(e) for e in edges], "counts": [int(c) for c in counts],
            "sum": float(finite.sum()), "sum_sq": float(np.square(finite).sum()),
            "min": float(finite.min()) if finite.size else None,
            "max": float(finite.max()) if finite.size else None,
        }
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    n_missing = int(series.isna().sum())
    counts = series.value_counts(dropna=True)  # hashing, not sorting: fast on 1M rows
    counts.index = counts.index.astype(str)
    counts = counts.groupby(level=0, sort=False).sum()  # 1 and "1" are one level
    counts = counts.iloc[np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))]
    return {
        "kind": kind, "n": int(series.size), "n_missing": n_missing,
        "levels": {str(k): int(v) for k, v in counts.iloc[:MAX_LEVELS].items()},
        "other": int(counts.iloc[MAX_LEVELS:].sum()),
    }


def merge_column_stats(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The statistics of two chunks counted on the same bins, as if counted together."""
    if a["kind"] != b["kind"] or a.get("edges") != b.get("edges"):
        raise ValueError("column statistics can only merge when kind and bin edges agree")
    out = dict(a, n=a["n"] + b["n"], n_missing=a["n_missing"] + b["n_missing"])
    if a["kind"] == "numeric":
        out["counts"] = [x + y for x, y in zip(a["counts"], b["counts"], strict=True)]
        out["sum"], out["sum_sq"] = a["sum"] + b["sum"], a["sum_sq"] + b["sum_sq"]
        mins = [v for v in (a["min"], b["min"]) if v is not None]
        maxs = [v for v in (a["max"], b["max"]) if v is not None]
        out["min"], out["max"] = (min(mins) if mins else None), (max(maxs) if maxs else None)
    else:
        levels = dict(a["levels"])
        for key, count in b["levels"].items():
            levels[key] = levels.get(key, 0) + count
        out["levels"], out["other"] = levels, a["other"] + b["other"]
    return out


def _sample_json(values: Any, kind: str, rows: np.ndarray) -> list[Any]:
    taken = pd.Series(values).iloc[rows]
    if kind == "numeric":
        arr = _as_numeric(taken)
        return [float(v) if np.isfinite(v) else None for v in arr]
    return [None if pd.isna(v) else str(v) for v in taken]


def _prediction_entry(predictions: Any, contract: DataContract) -> tuple[np.ndarray, str]:
    return prediction_values(predictions, task=contract.task, classes=contract.classes,
                             positive_class=contract.positive_class)


def build_reference(X: pd.DataFrame, *, contract: DataContract, predictions: Any,
                    target: Any = None, oof_performance: dict | None = None,
                    calibration: dict | None = None,
                    importance: dict[str, float] | None = None,
                    sample_rows: int = 5000, random_state: int = 0) -> dict[str, Any]:
    """Reference statistics of the training rows, JSON-able (``reference.json``).

    Parameters
    ----------
    X : DataFrame
        Training rows (features; other columns are ignored).
    contract : DataContract
        Decides which columns are monitored and their kind.
    predictions : array
        Out-of-fold predictions: a probability matrix (classes in ``contract.classes``
        order) or one value per row.
    target : array, optional
        The labels, monitored for target drift when given.
    oof_performance, calibration, importance : dict, optional
        Stored as given (``calibration`` from :func:`fit_calibration`).
    sample_rows : int
        Rows kept raw (all rows when fewer), one seeded draw shared by every column.
    random_state : int
        Seed of the sample.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlsprint.data.contract import infer_contract
    >>> from mlsprint.spec import parse_spec
    >>> spec = parse_spec({"name": "p", "task": {"type": "regression"},
    ...                    "data": {"source": "d.csv", "target": "y"}})
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]})
    >>> ref = build_reference(df, contract=infer_contract(df, spec), predictions=df["y"])
    >>> sorted(ref["columns"])
    ['__prediction__', 'x', 'y']
    """
    n = len(X)
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n, size=min(sample_rows, n), replace=False))
    columns: dict[str, Any] = {}
    for name, kind in monitored_columns(contract).items():
        if name in X.columns:
            columns[name] = _entry(X[name], kind, "feature", rows)
    pred, pred_kind = _prediction_entry(predictions, contract)
    columns[PREDICTION] = _entry(pred, pred_kind, "prediction", rows)
    if target is not None:
        kind = "numeric" if contract.task == "regression" else "categorical"
        columns[contract.target] = _entry(np.asarray(target), kind, "target", rows)
    return {
        "version": REFERENCE_VERSION, "n_rows": int(n), "random_state": int(random_state),
        "task": contract.task, "target": contract.target,
        "classes": [str(c) for c in contract.classes],
        "positive_class": None if contract.positive_class is None else str(contract.positive_class),
        "columns": columns, "performance": oof_performance or {},
        "calibration": calibration, "importance": dict(importance or {}),
    }


def _entry(values: Any, kind: str, role: str, rows: np.ndarray) -> dict[str, Any]:
    entry = column_stats(values, kind)
    entry["role"] = role
    entry["sample"] = _sample_json(values, kind, rows)
    return entry


def fit_calibration(y_true: Any, y_proba: Any, *, positive_class: Any) -> dict[str, Any]:
    """Isotonic calibration of positive-class probabilities, stored as its step points.

    Used by :func:`mlsprint.monitoring.estimate_performance`; fitted on out-of-fold
    probabilities (never on rows the model was fitted on).
    """
    from sklearn.isotonic import IsotonicRegression

    y = (np.asarray(y_true).astype(str) == str(positive_class)).astype("float64")
    p = np.asarray(y_proba, dtype="float64")
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(p, y)
    return {
        "method": "isotonic", "positive_class": str(positive_class),
        "x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in iso.y_thresholds_],
        "n": int(p.size), "positive_rate": float(y.mean()),
    }
