"""Cross-validation of one candidate: per-fold fits under a deadline, out-of-fold output.

Preprocessors are fitted inside each fold only (never on rows the fold validates) and,
since every candidate of one preprocessor kind sees the same folds, the transformed fold
matrices are computed once and shared (:class:`FoldCache`). Boosters stop early on the
fold's validation rows; every fit checks the deadline as it goes, so a trial that would
overrun the budget is cut instead of finished.
"""

from __future__ import annotations

import math
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone

from mlsprint.training.families import Family, build_estimator

__all__ = [
    "CVContext",
    "CVOutcome",
    "Deadline",
    "FoldCache",
    "TrialCut",
    "cross_validate",
    "pickled_size",
]

MAX_CACHE_BYTES = 1_500_000_000


class TrialCut(Exception):
    """A trial stopped before it finished: budget exhausted or pruned."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Deadline:
    """A wall-clock deadline (``time.perf_counter`` seconds); ``at=None`` never passes."""

    at: float | None = None

    def remaining(self) -> float:
        return math.inf if self.at is None else self.at - time.perf_counter()

    def passed(self) -> bool:
        return self.remaining() <= 0


@dataclass(slots=True)
class _Fold:
    train: np.ndarray
    valid: np.ndarray
    preprocessor: Any = None
    Xt: Any = None
    Xv: Any = None
    fit_seconds: float = 0.0
    transform_seconds_per_row: float = 0.0


@dataclass(slots=True)
class FoldCache:
    """Fold indices plus, per preprocessor kind, the fitted fold transforms."""

    X: Any
    y: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]
    make_preprocessor: Callable[[str], Any]
    _cache: dict[str, list[_Fold]] = field(default_factory=dict)
    _keep: dict[str, bool] = field(default_factory=dict)

    def _build(self, kind: str, index: int) -> _Fold:
        train, valid = self.folds[index]
        start = time.perf_counter()
        pre = clone(self.make_preprocessor(kind))
        Xt = pre.fit_transform(self.X.iloc[train], self.y[train])
        middle = time.perf_counter()
        Xv = pre.transform(self.X.iloc[valid])
        per_row = (time.perf_counter() - middle) / max(len(valid), 1)
        return _Fold(train, valid, pre, Xt, Xv, middle - start, per_row)

    def fold(self, kind: str, index: int) -> _Fold:
        """The transformed fold ``index`` for preprocessor ``kind`` (computed once)."""
        folds = self._cache.setdefault(kind, [])
        if index < len(folds) and folds[index] is not None:
            return folds[index]
        built = self._build(kind, index)
        if kind not in self._keep:
            size = _nbytes(built.Xt) + _nbytes(built.Xv)
            self._keep[kind] = size * len(self.folds) * max(len(self._keep) + 1, 2) \
                < MAX_CACHE_BYTES
        if self._keep[kind]:
            folds.extend([None] * (index + 1 - len(folds)))  # type: ignore[list-item]
            folds[index] = built
        return built


def _nbytes(matrix: Any) -> int:
    if hasattr(matrix, "memory_usage"):
        return int(matrix.memory_usage(index=False, deep=False).sum())
    if hasattr(matrix, "data") and hasattr(matrix, "indices"):
        return int(matrix.data.nbytes + matrix.indices.nbytes)
    return int(getattr(matrix, "nbytes", 0))


@dataclass(frozen=True, slots=True)
class CVOutcome:
    """What cross-validating one configuration measured."""

    oof: np.ndarray
    fold_scores: tuple[float, ...]
    fit_seconds: float
    predict_seconds_per_row: float
    size_bytes: int
    n_estimators: int | None

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores))

    @property
    def std(self) -> float:
        return float(np.std(self.fold_scores, ddof=1)) if len(self.fold_scores) > 1 else 0.0


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes  # bytes, or a PickleBuffer for large arrays
        self.n += size
        return size


def pickled_size(obj: Any) -> int:
    """Bytes of ``obj`` pickled, counted without holding the pickle in memory."""
    counter = _Counter()
    pickle.dump(obj, counter, protocol=pickle.HIGHEST_PROTOCOL)
    return counter.n


def _predict(model: Any, X: Any, task: str, classes: Sequence[Any], positive: int) -> Any:
    """Regression values; class probabilities in ``classes`` order (float64, rows summing
    to 1: boosters return float32), a class the fold never saw getting probability 0."""
    if task == "regression":
        return np.asarray(model.predict(X), dtype=float)
    raw = np.asarray(model.predict_proba(X), dtype=float)
    seen = {str(c): i for i, c in enumerate(model.classes_)}
    proba = np.zeros((raw.shape[0], len(classes)))
    for j, c in enumerate(classes):
        if str(c) in seen:
            proba[:, j] = raw[:, seen[str(c)]]
    proba /= np.clip(proba.sum(axis=1, keepdims=True), 1e-12, None)
    return proba[:, positive] if task == "binary" else proba


@dataclass(frozen=True, slots=True)
class CVContext:
    """Everything fixed across the trials of one search."""

    cache: FoldCache
    task: str
    classes: tuple[Any, ...]
    positive_index: int
    sample_weight: np.ndarray | None
    n_jobs: int
    random_state: int
    scorer: Callable[[np.ndarray, Any, np.ndarray | None], float]


def cross_validate(family: Family, params: dict[str, Any], ctx: CVContext, *,
                   deadline: Deadline, fold_estimate: float = 0.0,
                   report: Callable[[int, float], bool] | None = None) -> CVOutcome:
    """Cross-validate one configuration; raise :class:`TrialCut` if it cannot finish.

    ``report(step, running_mean)`` is called after each fold; returning True prunes.
    ``fold_estimate`` (seconds) stops a trial before a fold that would pass the deadline.
    """
    from mlsprint.training.fitting import best_iteration, fit_model

    y, w = ctx.cache.y, ctx.sample_weight
    n_folds = len(ctx.cache.folds)
    oof: np.ndarray = np.full((len(y), len(ctx.classes)) if ctx.task == "multiclass"
                              else len(y), np.nan)
    scores, fit_times, predict_times, iterations = [], [], [], []
    size = 0
    for i in range(n_folds):
        expected = max(fold_estimate, float(np.mean(fit_times)) if fit_times else 0.0)
        if deadline.remaining() < expected:
            raise TrialCut(f"not enough time for fold {i + 1} (about {expected:.1f} s)")
        fold = ctx.cache.fold(family.for_model, i)
        model = build_estimator(family.name, params, task=ctx.task, n_jobs=ctx.n_jobs,
                                random_state=ctx.random_state)
        start = time.perf_counter()
        model = fit_model(family, model, fold.Xt, y[fold.train],
                          None if w is None else w[fold.train], fold.Xv, y[fold.valid],
                          None if w is None else w[fold.valid], deadline)
        fit_times.append(time.perf_counter() - start + fold.fit_seconds)
        if deadline.passed():
            raise TrialCut(f"the budget ran out during fold {i + 1}")
        start = time.perf_counter()
        pred = _predict(model, fold.Xv, ctx.task, ctx.classes, ctx.positive_index)
        predict_times.append((time.perf_counter() - start) / max(len(fold.valid), 1)
                             + fold.transform_seconds_per_row)
        oof[fold.valid] = pred
        scores.append(ctx.scorer(y[fold.valid], pred,
                                 None if w is None else w[fold.valid]))
        iterations.append(best_iteration(family, model))
        if i == n_folds - 1:
            size = pickled_size((fold.preprocessor, model))
        if report is not None and report(i, float(np.mean(scores))):
            raise TrialCut(f"pruned after fold {i + 1}")
    rounds = None
    if family.early_stopping:
        rounds = max(1, int(round(float(np.mean(iterations)) * 1.1)))
    return CVOutcome(oof, tuple(scores), float(np.mean(fit_times)),
                     float(np.median(predict_times)), size, rounds)
