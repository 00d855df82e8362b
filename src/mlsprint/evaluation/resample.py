"""Vectorised bootstrap replicates of common metrics (unweighted), same values as ``score``.

Scoring 1,000 resamples through scikit-learn costs a few milliseconds per call; these
closed forms compute every resample of a metric at once from per-row quantities:
additive losses as means over the resampled rows, counting metrics from resampled
confusion counts, ROC AUC (Mann-Whitney) and average precision from the resample's
count of each row, accumulated along one global sort of the scores. Metrics not
covered here (and weighted rows) fall back to :func:`mlsprint.evaluation.metrics.score`
per resample.
A test checks each closed form against ``score`` on the same resamples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["FAST_METRICS", "fast_replicates", "to_binary"]

_CHUNK = 100  # resamples per vectorised block: bounds memory at 100 x n floats


def to_binary(y_true: Any, *, classes: Sequence[Any] | None, positive_class: Any) -> np.ndarray:
    """0/1 truth for a binary task, by the same rules as ``score``."""
    y = np.asarray(y_true)
    if positive_class is None and classes is not None and len(classes) == 2:
        positive_class = classes[1]
    if positive_class is None:
        return y.astype(int)
    hit = np.asarray(y == positive_class)
    if hit.shape != y.shape or not hit.any():
        hit = y.astype(str) == str(positive_class)
    return hit.astype(int)


def _chunks(indices: np.ndarray) -> list[np.ndarray]:
    return [indices[i:i + _CHUNK] for i in range(0, len(indices), _CHUNK)]


def _mean_of(per_row: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda idx: per_row[idx].mean(axis=1)


def _counts(idx: np.ndarray, n: int) -> np.ndarray:
    """How often each row is drawn in each resample: shape (resamples, n)."""
    offsets = (np.arange(len(idx)) * n)[:, None]
    return np.bincount((idx + offsets).ravel(), minlength=len(idx) * n).reshape(len(idx), n)


def _grouped(y: np.ndarray, p: np.ndarray, ascending: bool
             ) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Per resample: positives and rows per distinct score, scores sorted once."""
    order = np.argsort(p if ascending else -p, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(p[order]) != 0) + 1]
    y_sorted = y[order]
    position = np.empty(len(p), dtype=np.int64)
    position[order] = np.arange(len(p))  # where each row lands in the sorted order

    def run(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = _counts(position[idx], len(y))
        pos = np.add.reduceat(c * y_sorted, starts, axis=1).astype(float)
        rows = np.add.reduceat(c, starts, axis=1).astype(float)
        return pos, rows
    return run


def _auc(y: np.ndarray, p: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Mann-Whitney: P(score of a positive > score of a negative) + half the ties."""
    grouped = _grouped(y, p, ascending=True)

    def run(idx: np.ndarray) -> np.ndarray:
        pos, rows = grouped(idx)
        neg = rows - pos
        below = np.cumsum(neg, axis=1) - neg  # negatives with a strictly lower score
        n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            auc = (pos * (below + 0.5 * neg)).sum(axis=1) / (n_pos * n_neg)
        return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)
    return run


def _average_precision(y: np.ndarray, p: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Sum over distinct thresholds of (recall step) x precision, as scikit-learn computes."""
    grouped = _grouped(y, p, ascending=False)

    def run(idx: np.ndarray) -> np.ndarray:
        pos, rows = grouped(idx)
        tp, seen = np.cumsum(pos, axis=1), np.cumsum(rows, axis=1)
        total = tp[:, -1]
        with np.errstate(invalid="ignore", divide="ignore"):
            precision = np.where(seen > 0, tp / seen, 0.0)
            ap = (pos * precision).sum(axis=1) / total
        return np.where(total > 0, ap, np.nan)
    return run


def _counting(metric: str, y: np.ndarray, label: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    def run(idx: np.ndarray) -> np.ndarray:
        yy, ll = y[idx], label[idx]
        tp = (yy * ll).sum(axis=1)
        fp = ((1 - yy) * ll).sum(axis=1)
        fn = (yy * (1 - ll)).sum(axis=1)
        tn = yy.shape[1] - tp - fp - fn
        with np.errstate(invalid="ignore", divide="ignore"):
            prec = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
            rec = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
            if metric == "precision":
                return prec
            if metric == "recall":
                return rec
            if metric == "f1":
                return np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
            spec = np.where(tn + fp > 0, tn / (tn + fp), np.nan)
            sens = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
            return np.nanmean(np.column_stack([sens, spec]), axis=1)
    return run


def _binary_runner(metric: str, y: np.ndarray, p: np.ndarray,
                   threshold: float) -> Callable[[np.ndarray], np.ndarray] | None:
    if p.ndim == 2 and p.shape[1] == 2:
        p = p[:, 1]
    if p.ndim != 1:
        return None
    label = (p >= threshold).astype(int)
    if metric == "roc_auc":
        return _auc(y, p)
    if metric == "average_precision":
        return _average_precision(y, p)
    if metric == "log_loss":
        eps = np.finfo(p.dtype).eps
        q = np.clip(p, eps, 1 - eps)
        return _mean_of(-(y * np.log(q) + (1 - y) * np.log(1 - q)))
    if metric == "brier":
        return _mean_of((p - y) ** 2)
    if metric == "accuracy":
        return _mean_of((label == y).astype(float))
    if metric in ("precision", "recall", "f1", "balanced_accuracy"):
        return _counting(metric, y, label)
    return None


def _regression_runner(metric: str, y: np.ndarray,
                       p: np.ndarray) -> Callable[[np.ndarray], np.ndarray] | None:
    err = y - p
    if metric == "rmse":
        return lambda idx: np.sqrt((err[idx] ** 2).mean(axis=1))
    if metric == "mae":
        return _mean_of(np.abs(err))
    if metric == "r2":
        def r2(idx: np.ndarray) -> np.ndarray:
            yy = y[idx]
            sst = ((yy - yy.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
            sse = (err[idx] ** 2).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(sst > 0, 1 - sse / sst, np.nan)
        return r2
    return None


def _multiclass_runner(metric: str, y_true: Any, p: np.ndarray,
                       classes: Sequence[Any] | None) -> Callable[[np.ndarray], np.ndarray] | None:
    if classes is None or p.ndim != 2 or p.shape[1] != len(classes):
        return None
    y = np.asarray(y_true)
    codes = np.full(len(y), -1)
    for i, label in enumerate(classes):
        hit = np.asarray(y == label)
        codes[hit if hit.shape == y.shape and hit.any() else y.astype(str) == str(label)] = i
    if (codes < 0).any():
        return None  # let score() raise its clear error
    rows = np.arange(len(y))
    if metric == "accuracy":
        return _mean_of((p.argmax(axis=1) == codes).astype(float))
    q = p / p.sum(axis=1, keepdims=True)
    eps = np.finfo(q.dtype).eps
    return _mean_of(-np.log(np.clip(q[rows, codes], eps, 1 - eps)))


FAST_METRICS = {
    "binary": frozenset({"roc_auc", "average_precision", "log_loss", "brier", "accuracy",
                         "precision", "recall", "f1", "balanced_accuracy"}),
    "multiclass": frozenset({"log_loss", "accuracy"}),
    "regression": frozenset({"rmse", "mae", "r2"}),
}


def fast_replicates(metric: str, y_true: Any, y_pred: Any, indices: np.ndarray, *, task: str,
                    classes: Sequence[Any] | None = None, positive_class: Any = None,
                    threshold: float = 0.5) -> np.ndarray | None:
    """Replicates of ``metric`` on every resample in ``indices``; None when not covered.

    NaN marks resamples where the metric is undefined (one class present).
    """
    if metric not in FAST_METRICS.get(task, ()):
        return None
    p = np.asarray(y_pred, dtype=float)
    if task == "binary":
        y = to_binary(y_true, classes=classes, positive_class=positive_class)
        runner = _binary_runner(metric, y, p, threshold)
    elif task == "multiclass":
        runner = _multiclass_runner(metric, y_true, p, classes)
    else:
        runner = _regression_runner(metric, np.asarray(y_true, dtype=float), p.ravel())
    if runner is None:
        return None
    return np.concatenate([runner(chunk) for chunk in _chunks(indices)])
