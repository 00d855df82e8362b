"""Error analysis on out-of-fold predictions: where does the model fail?

Rows are sliced by each categorical value, by quantile bins of each numeric feature and
by pairs of the features whose slices differ most. Each slice gets its error (error rate
for classification, with a Wilson interval; mean absolute error for regression, with a
seeded percentile bootstrap interval) and its size; the worst slices also get the
primary metric where it can be computed. The worst slices are those whose *lower*
confidence bound is highest, so that a tiny slice with a lucky high error does not crowd
out a large one that is surely bad.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mlsprint.data.contract import DataContract
from mlsprint.errors import DataError
from mlsprint.spec.model import ProjectSpec

__all__ = ["ErrorAnalysisReport", "SliceRecord", "analyse_errors", "wilson_interval"]

MAX_LEVELS = 20
MISSING = "(missing)"
OTHER = "(other)"


def wilson_interval(errors: float, n: float, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``errors / n``.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(3, 10)]
    [0.1078, 0.6032]
    """
    if n <= 0:
        return (0.0, 1.0)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = errors / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def _bootstrap_mean(values: np.ndarray, *, reps: int, rng: np.random.Generator,
                    confidence: float = 0.95) -> tuple[float, float]:
    if len(values) < 2:
        return (float(values.mean()), float(values.mean())) if len(values) else (0.0, 0.0)
    idx = rng.integers(0, len(values), size=(reps, len(values)))
    means = values[idx].mean(axis=1)
    alpha = (1 - confidence) / 2
    return (float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha)))


@dataclass(frozen=True, slots=True)
class SliceRecord:
    """One slice: rows where ``feature`` (or a pair ``a × b``) takes ``value``."""

    feature: str
    value: str
    size: int
    error: float
    ci_low: float
    ci_high: float
    metric: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "value": self.value, "size": self.size,
                "error": self.error, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "metric": self.metric}


@dataclass(frozen=True, slots=True)
class ErrorAnalysisReport:
    """Slice errors, the worst slices, and a confusion matrix or residual summary."""

    task: str
    error_name: str
    metric: str
    overall_error: float
    overall_metric: float | None
    n_rows: int
    threshold: float | None
    slices: tuple[SliceRecord, ...]
    worst: tuple[SliceRecord, ...]
    labels: tuple[str, ...] = ()
    confusion: tuple[tuple[int, ...], ...] = ()
    residual_summary: dict[str, float] | None = None
    residual_sample: tuple[tuple[float, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task, "error_name": self.error_name, "metric": self.metric,
            "overall_error": self.overall_error, "overall_metric": self.overall_metric,
            "n_rows": self.n_rows, "threshold": self.threshold,
            "slices": [s.to_dict() for s in self.slices],
            "worst": [s.to_dict() for s in self.worst], "labels": list(self.labels),
            "confusion": [list(r) for r in self.confusion],
            "residual_summary": self.residual_summary,
            "residual_sample": [list(p) for p in self.residual_sample],
        }


def _slice_keys(series: pd.Series, kind: str, n_bins: int) -> pd.Series:
    if kind == "numeric":
        values = pd.to_numeric(series, errors="coerce")
        if values.nunique() > n_bins:
            binned = pd.qcut(values, q=n_bins, duplicates="drop")
            keys = binned.astype(str)
        else:
            keys = values.astype(str)
        return keys.where(values.notna(), MISSING)
    text = series.astype("object").where(series.notna(), MISSING).astype(str)
    top = text.value_counts().index[:MAX_LEVELS]
    return text.where(text.isin(top), OTHER)


class _Scorer:
    """Per-row errors plus the slice metric, computed once per slice mask."""

    def __init__(self, task: str, metric: str, y: np.ndarray, pred: np.ndarray,
                 classes: tuple[Any, ...], positive: Any, threshold: float | None,
                 weight: np.ndarray | None, rng: np.random.Generator) -> None:
        self.task, self.metric, self.y, self.pred = task, metric, y, pred
        self.classes, self.positive, self.threshold = classes, positive, threshold
        self.weight, self.rng = weight, rng
        self.labels = self._labels()
        if task == "regression":
            self.loss = np.abs(y.astype(float) - pred.astype(float))
        else:
            self.loss = (self.labels.astype(str) != y.astype(str)).astype(float)

    def _labels(self) -> np.ndarray:
        if self.task == "regression":
            return self.pred
        if self.task == "binary":
            names = [str(c) for c in self.classes]
            pos = names.index(str(self.positive))
            neg = 1 - pos
            cut = 0.5 if self.threshold is None else self.threshold
            return np.where(self.pred >= cut, self.classes[pos], self.classes[neg])
        return np.asarray(self.classes, dtype=object)[np.argmax(self.pred, axis=1)]

    def metric_of(self, mask: np.ndarray) -> float | None:
        from mlsprint.evaluation.metrics import score

        try:
            return score(self.metric, self.y[mask], self.pred[mask], task=self.task,
                         classes=self.classes, positive_class=self.positive,
                         sample_weight=None if self.weight is None else self.weight[mask],
                         threshold=0.5 if self.threshold is None else self.threshold)
        except (DataError, ValueError):
            return None

    def record(self, feature: str, value: str, mask: np.ndarray) -> SliceRecord:
        """Error and its 95 % interval; the slice metric is added for the worst only."""
        losses = self.loss[mask]
        error = float(losses.mean())
        if self.task == "regression":
            low, high = _bootstrap_mean(losses, reps=400, rng=self.rng)
        else:
            low, high = wilson_interval(losses.sum(), len(losses))
        return SliceRecord(feature, value, int(mask.sum()), error, low, high, None)


def _by_value(keys: pd.Series, feature: str, scorer: _Scorer,
              min_size: int) -> list[SliceRecord]:
    codes, uniques = pd.factorize(keys, sort=True)
    out = []
    for code, value in enumerate(uniques):
        mask = codes == code
        if mask.sum() >= min_size:
            out.append(scorer.record(feature, str(value), mask))
    return out


def _slices_of(X: pd.DataFrame, columns: dict[str, str], scorer: _Scorer, *,
               n_bins: int, min_size: int) -> tuple[list[SliceRecord], dict[str, pd.Series]]:
    out: list[SliceRecord] = []
    keys: dict[str, pd.Series] = {}
    for name, kind in columns.items():
        keys[name] = _slice_keys(X[name], kind, n_bins)
        out.extend(_by_value(keys[name], name, scorer, min_size))
    return out, keys


def _pairs(keys: dict[str, pd.Series], singles: list[SliceRecord], scorer: _Scorer, *,
           n_features: int, min_size: int) -> list[SliceRecord]:
    errors: dict[str, list[float]] = {}
    for record in singles:
        errors.setdefault(record.feature, []).append(record.error)
    ranked = sorted(errors, key=lambda f: (-(max(errors[f]) - min(errors[f])), f))
    out: list[SliceRecord] = []
    for a, b in itertools.combinations(ranked[:n_features], 2):
        combo = keys[a].astype(str) + " & " + keys[b].astype(str)
        out.extend(_by_value(combo, f"{a} × {b}", scorer, min_size))
    return out


def _mask(X: pd.DataFrame, keys: dict[str, pd.Series], record: SliceRecord) -> np.ndarray:
    """Rows of ``record``'s slice (a single feature or an ``a × b`` pair)."""
    names = record.feature.split(" × ")
    if len(names) == 1:
        return (keys[names[0]].astype(str) == record.value).to_numpy()
    combo = keys[names[0]].astype(str) + " & " + keys[names[1]].astype(str)
    return (combo == record.value).to_numpy()


def _feature_columns(X: pd.DataFrame, contract: DataContract) -> dict[str, str]:
    kinds = {}
    for col in contract.features:
        if col.name in X.columns and col.kind in ("numeric", "categorical", "boolean"):
            kinds[col.name] = "numeric" if col.kind == "numeric" else "categorical"
    return kinds


def _outcome_tables(scorer: _Scorer, rng: np.random.Generator) -> dict[str, Any]:
    if scorer.task == "regression":
        residual = scorer.y.astype(float) - scorer.pred.astype(float)
        summary = {"mean": float(residual.mean()), "std": float(residual.std(ddof=1)),
                   "mae": float(np.abs(residual).mean()),
                   "rmse": float(np.sqrt(np.mean(residual ** 2))),
                   **{f"q{int(q * 100):02d}": float(np.quantile(residual, q))
                      for q in (0.05, 0.25, 0.5, 0.75, 0.95)}}
        take = rng.choice(len(residual), size=min(2000, len(residual)), replace=False)
        take.sort()
        sample = tuple((float(scorer.pred[i]), float(residual[i])) for i in take)
        return {"residual_summary": summary, "residual_sample": sample}
    from sklearn.metrics import confusion_matrix

    labels = [str(c) for c in scorer.classes]
    matrix = confusion_matrix(scorer.y.astype(str), scorer.labels.astype(str), labels=labels)
    return {"labels": tuple(labels),
            "confusion": tuple(tuple(int(v) for v in row) for row in matrix)}


def analyse_errors(X: pd.DataFrame, y: Any, oof_pred: Any, *, contract: DataContract,
                   spec: ProjectSpec, threshold: float | None = None,
                   sample_weight: Any = None, min_size: int = 30, n_bins: int = 5,
                   pair_features: int = 4, top: int = 10,
                   random_state: int | None = None) -> ErrorAnalysisReport:
    """Slice the out-of-fold errors by feature values, bins and pairs; rank the worst.

    Parameters
    ----------
    X : pandas.DataFrame
        The rows the search cross-validated (same order as ``oof_pred``).
    y : array-like
        Their targets.
    oof_pred : array
        Out-of-fold predictions as in :attr:`SearchResult.oof`; rows holding NaN (never
        validated, e.g. the first block of a temporal split) are left out.
    contract, spec
        Feature kinds come from the contract, the task and metric from the spec.
    threshold : float, optional
        Binary decision threshold (default 0.5).
    sample_weight : array-like, optional
        Used by the slice metric.
    min_size : int, default 30
        Smallest slice reported.
    n_bins : int, default 5
        Quantile bins per numeric feature.
    pair_features : int, default 4
        Pairs are formed among this many features whose slices differ most.
    top : int, default 10
        Number of worst slices.
    random_state : int, optional
        Seeds the bootstrap and the residual sample (default ``spec.seed``).

    Returns
    -------
    ErrorAnalysisReport
    """
    pred = np.asarray(oof_pred, dtype=float)
    truth = np.asarray(y)
    if len(pred) != len(truth) or len(X) != len(truth):
        raise DataError(f"X, y and oof_pred must have one row each; got {len(X)}, "
                        f"{len(truth)} and {len(pred)}")
    keep = np.isfinite(pred) if pred.ndim == 1 else np.isfinite(pred).all(axis=1)
    if not keep.any():
        raise DataError("oof_pred holds no finite prediction; nothing to analyse")
    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)[keep]
    rng = np.random.default_rng(spec.seed if random_state is None else random_state)
    X_kept = X.loc[keep].reset_index(drop=True)
    scorer = _Scorer(spec.task.type, spec.task.primary, truth[keep], pred[keep],
                     tuple(contract.classes), contract.positive_class, threshold, weight, rng)
    columns = _feature_columns(X_kept, contract)
    singles, keys = _slices_of(X_kept, columns, scorer, n_bins=n_bins, min_size=min_size)
    pairs = _pairs(keys, singles, scorer, n_features=pair_features, min_size=min_size)
    everything = singles + pairs
    worst = sorted(everything, key=lambda s: (-s.ci_low, -s.error, s.feature, s.value))[:top]
    worst = [replace(s, metric=scorer.metric_of(_mask(X_kept, keys, s))) for s in worst]
    return ErrorAnalysisReport(
        task=scorer.task, error_name="mae" if scorer.task == "regression" else "error_rate",
        metric=scorer.metric, overall_error=float(scorer.loss.mean()),
        overall_metric=scorer.metric_of(np.ones(len(scorer.y), dtype=bool)),
        n_rows=int(keep.sum()), threshold=threshold, slices=tuple(everything),
        worst=tuple(worst), **_outcome_tables(scorer, rng))
