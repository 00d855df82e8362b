"""Cross-validation of one candidate: per-fold fits under a deadline, out-of-fold output.

Preprocessors are fitted inside each fold only (never on rows the fold validates) and,
since every candidate of one preprocessor kind sees the same folds, the transformed fold
matrices are computed once and shared (:class:`FoldCache`). Boosters stop early on the
fold's validation rows; every fit checks the deadline as it goes, so a trial that would
overrun the budget is cut instead of finished, and a trial whose measured folds show that
the folds left cannot finish in time is cut as soon as that is known.

A trial may fit on a seeded subsample of each fold's *training* rows (``rows=``: large
data under a small budget); it still predicts every validation row, so its out-of-fold
predictions cover every row and stay honest (no row is predicted by a model that saw it).
"""

from __future__ import annotations

import math
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from sklearn.base import clone

from mlsprint.training.families import (
    Family,
    build_estimator,
    fit_threads,
    fold_workers,
    refit_rounds,
)

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
FOLD_SHARE_SLACK = 1.25  # a fold may take this times (time left / folds left)


class TrialCut(Exception):
    """A trial stopped before it finished: budget exhausted or pruned.

    ``folds_done`` and ``fold_seconds`` (mean wall seconds of those folds, preprocessing
    included) let the caller size a cheaper retry.
    """

    def __init__(self, reason: str, *, folds_done: int = 0, fold_seconds: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.folds_done = folds_done
        self.fold_seconds = fold_seconds


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
    """Fold indices plus, per preprocessor kind (and training subsample), the fitted fold
    transforms. ``classify`` keeps every class of a fold in its training subsample."""

    X: Any
    y: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]
    make_preprocessor: Callable[[str], Any]
    random_state: int = 0
    classify: bool = False
    _cache: dict[str, list[_Fold]] = field(default_factory=dict)
    _keep: dict[str, bool] = field(default_factory=dict)

    @property
    def train_rows(self) -> float:
        """Mean number of training rows of a fold."""
        return float(np.mean([len(train) for train, _ in self.folds]))

    def subsample(self, train: np.ndarray, rows: int | None, index: int, *,
                  labels: np.ndarray | None = None) -> np.ndarray:
        """``rows`` of the training indices ``train`` (seeded by fold and size, sorted);
        for classification every class of ``train`` keeps at least one row. ``labels``
        (default: the cached target) are what ``train`` indexes."""
        if rows is None or rows >= len(train):
            return train
        rng = np.random.default_rng([self.random_state, index, rows])
        order = rng.permutation(len(train))
        keep = order[:rows]
        if self.classify:
            import pandas as pd

            y = self.y if labels is None else labels
            codes = pd.factorize(pd.Series(y[train]).astype(str))[0]
            _, first = np.unique(codes[order], return_index=True)
            keep = np.union1d(keep, order[first])  # the first row of each class drawn
        return np.sort(train[keep])

    def _build(self, kind: str, index: int, rows: int | None = None) -> _Fold:
        train, valid = self.folds[index]
        train = self.subsample(train, rows, index)
        start = time.perf_counter()
        pre = clone(self.make_preprocessor(kind))
        Xt = pre.fit_transform(self.X.iloc[train], self.y[train])
        middle = time.perf_counter()
        Xv = pre.transform(self.X.iloc[valid])
        per_row = (time.perf_counter() - middle) / max(len(valid), 1)
        return _Fold(train, valid, pre, Xt, Xv, middle - start, per_row)

    def fold(self, kind: str, index: int, rows: int | None = None) -> _Fold:
        """The transformed fold ``index`` for preprocessor ``kind`` (computed once), its
        preprocessor and model fitted on ``rows`` of the fold's training rows (all if
        None)."""
        key = kind if rows is None else f"{kind}@{rows}"
        folds = self._cache.setdefault(key, [])
        if index < len(folds) and folds[index] is not None:
            return folds[index]
        built = self._build(kind, index, rows)
        if key not in self._keep:
            size = _nbytes(built.Xt) + _nbytes(built.Xv)
            self._keep[key] = size * len(self.folds) * max(len(self._keep) + 1, 2) \
                < MAX_CACHE_BYTES
        if self._keep[key]:
            folds.extend([None] * (index + 1 - len(folds)))  # type: ignore[list-item]
            folds[index] = built
        return built


def _nbytes(matrix: Any) -> int:
    if hasattr(matrix, "memory_usage"):
        return int(matrix.memory_usage(index=False, deep=False).sum())
    if hasattr(matrix, "data") and hasattr(matrix, "indices"):
        return int(matrix.data.nbytes + matrix.indices.nbytes)
    return int(getattr(matrix, "nbytes", 0))


@contextmanager
def openmp_threads(threads: int, family: Family | None = None) -> Iterator[None]:
    """OpenMP limited to ``threads`` for ``family``'s fit (any if None). Only
    HistGradientBoosting needs it: it has no ``n_jobs``, the other boosters take theirs
    from it, and a limit costs about 1.3 ms (threadpoolctl scans the loaded libraries),
    a fifth of a cheap linear trial's fold."""
    if family is not None and family.name != "hist_gradient_boosting":
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="openmp"):
        yield


@dataclass(frozen=True, slots=True)
class CVOutcome:
    """What cross-validating one configuration measured.

    ``fit_seconds`` is the mean fold fit (preprocessor and model, early-stopping rounds
    included); ``n_estimators`` is the rounds a refit on all the search's rows runs (the
    folds' mean best, grown with the rows: :func:`~mlsprint.training.families.refit_rounds`);
    ``refit_seconds_per_row`` estimates a refit with ``n_estimators`` rounds
    and no validation set: the fold's preprocessor fit plus its model fit scaled by the
    rounds the refit keeps over the rounds the fold ran, per training row.
    ``fold_seconds`` is the median wall time of a fold (preprocessing, fit, prediction):
    the median leaves out one-off costs such as the first import of a library.
    """

    oof: np.ndarray
    fold_scores: tuple[float, ...]
    fit_seconds: float
    predict_seconds_per_row: float
    size_bytes: int
    n_estimators: int | None
    train_rows: float = 0.0
    refit_seconds_per_row: float = 0.0
    fold_seconds: float = 0.0

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
    log_target: bool = False  # regression: configurations may model log(1 + y)


@dataclass(slots=True)
class _FoldFit:
    """One fold's fitted model, its validation predictions and what they took."""

    model: Any
    pred: Any
    model_seconds: float
    predict_seconds: float


def _fit_fold(family: Family, params: dict[str, Any], ctx: CVContext, fold: _Fold, *,
              fit_y: np.ndarray, deadline: Deadline, log: bool) -> _FoldFit:
    """Fit ``family`` on one transformed fold and predict its validation rows."""
    from mlsprint.training.fitting import fit_model

    w = ctx.sample_weight
    threads = fit_threads(family, ctx.n_jobs, len(fold.train))
    model = build_estimator(family.name, params, task=ctx.task, n_jobs=threads,
                            random_state=ctx.random_state)
    start = time.perf_counter()
    with openmp_threads(threads, family):
        model = fit_model(family, model, fold.Xt, fit_y[fold.train],
                          None if w is None else w[fold.train], fold.Xv,
                          fit_y[fold.valid], None if w is None else w[fold.valid],
                          deadline, preprocessor=fold.preprocessor)
    model_seconds = time.perf_counter() - start
    if deadline.passed():  # cut: the caller discards it
        return _FoldFit(model, None, model_seconds, 0.0)
    start = time.perf_counter()
    with openmp_threads(threads, family):
        pred = _predict(model, fold.Xv, ctx.task, ctx.classes, ctx.positive_index)
    if log:
        pred = np.expm1(pred)
    return _FoldFit(model, pred, model_seconds, time.perf_counter() - start)


def cross_validate(family: Family, params: dict[str, Any], ctx: CVContext, *,
                   deadline: Deadline, fold_estimate: float = 0.0,
                   report: Callable[[int, float], bool] | None = None,
                   rows: int | None = None) -> CVOutcome:
    """Cross-validate one configuration; raise :class:`TrialCut` if it cannot finish.

    ``report(step, running_mean)`` is called after each fold, in fold order; returning
    True prunes. ``fold_estimate`` (seconds per fold, before any fold is measured) and
    then the measured seconds per fold stop a trial as soon as the folds left would pass
    the deadline. ``rows`` fits each fold on a seeded subsample of its training rows.

    Folds whose fits run on one thread and gain from running side by side
    (:func:`~mlsprint.training.families.fold_workers`: LightGBM, XGBoost) are fitted in
    waves of that many, in threads; a fold's seconds are then its wave's wall time over
    the folds in it. Each fold is fitted and scored as it would be alone, so the outcome
    does not depend on the waves (only the time it takes does).
    """
    from mlsprint.training.fitting import best_iteration, concurrent_fits, rounds_run

    y, w = ctx.cache.y, ctx.sample_weight
    log = params.get("target") == "log"  # fit log(1 + y), predict and score on y's scale
    fit_y = np.log1p(y.astype(float)) if log else y
    n_folds = len(ctx.cache.folds)
    width = min(n_folds, fold_workers(family, ctx.n_jobs,
                                      ctx.cache.train_rows if rows is None else rows))
    oof: np.ndarray = np.full((len(y), len(ctx.classes)) if ctx.task == "multiclass"
                              else len(y), np.nan)
    scores, fit_times, predict_times, iterations = [], [], [], []
    walls: list[float] = []
    model_times, pre_times, ran, sizes = [], [], [], []
    size = 0
    pool = ThreadPoolExecutor(width, thread_name_prefix="mlsprint-fold") if width > 1 else None
    try:
        with concurrent_fits() if pool is not None else nullcontext() as in_worker:
            i = 0
            while i < n_folds:
                per_fold = float(np.mean(walls)) if walls else fold_estimate
                left = n_folds - i
                if deadline.remaining() < per_fold * left:
                    after = f" and the {left - 1} after it" if left > 1 else ""
                    raise TrialCut(f"not enough time for fold {i + 1}{after} "
                                   f"(about {per_fold * left:.1f} s)", folds_done=i,
                                   fold_seconds=per_fold if walls else 0.0)
                wave = list(range(i, min(i + width, n_folds)))
                began = time.perf_counter()
                # a wave that takes much more than its share of the time left leaves too
                # little for the folds after it (the check above would cut the trial
                # right after it): its fits stop at that point instead of running on
                fold_deadline = deadline if deadline.at is None else Deadline(min(
                    deadline.at,
                    began + FOLD_SHARE_SLACK * deadline.remaining() * len(wave) / left))
                folds = [ctx.cache.fold(family.for_model, k, rows) for k in wave]
                work = partial(_fit_fold, family, params, ctx, fit_y=fit_y,
                               deadline=fold_deadline, log=log)
                fits = [work(folds[0])] if pool is None else list(pool.map(in_worker(work), folds))
                wave_seconds = (time.perf_counter() - began) / len(wave)
                if fold_deadline.passed():
                    # the folds done, else this cut wave's time so far: a lower bound
                    seconds = float(np.mean(walls)) if walls else wave_seconds
                    if deadline.passed():
                        raise TrialCut(f"the budget ran out during fold {i + 1}",
                                       folds_done=i, fold_seconds=seconds)
                    raise TrialCut(f"fold {i + 1} took more than its share of the time "
                                   f"left, too little for the {left - len(wave)} after it",
                                   folds_done=i, fold_seconds=seconds)
                for k, fold, fit in zip(wave, folds, fits, strict=True):
                    model_times.append(fit.model_seconds)
                    pre_times.append(fold.fit_seconds)
                    fit_times.append(fit.model_seconds + fold.fit_seconds)
                    sizes.append(len(fold.train))
                    predict_times.append(fit.predict_seconds / max(len(fold.valid), 1)
                                         + fold.transform_seconds_per_row)
                    oof[fold.valid] = fit.pred
                    scores.append(ctx.scorer(y[fold.valid], fit.pred,
                                             None if w is None else w[fold.valid]))
                    iterations.append(best_iteration(family, fit.model))
                    ran.append(rounds_run(family, fit.model))
                    if k == n_folds - 1:
                        size = pickled_size((fold.preprocessor, fit.model))
                    walls.append(wave_seconds)
                    if report is not None and report(k, float(np.mean(scores))):
                        raise TrialCut(f"pruned after fold {k + 1}", folds_done=k + 1,
                                       fold_seconds=float(np.mean(walls)))
                i += len(wave)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    rounds = None
    if family.early_stopping:  # for a refit on every row the search has
        rounds = refit_rounds(family, float(np.mean(iterations)), float(np.mean(sizes)), len(y))
    refit = [pre + model * (min(1.0, rounds / r) if rounds and r else 1.0)
             for pre, model, r in zip(pre_times, model_times, ran, strict=True)]
    return CVOutcome(oof, tuple(scores), float(np.mean(fit_times)),
                     float(np.median(predict_times)), size, rounds,
                     train_rows=float(np.mean(sizes)),
                     refit_seconds_per_row=float(np.mean(refit)) / max(np.mean(sizes), 1.0),
                     fold_seconds=float(np.median(walls)))
