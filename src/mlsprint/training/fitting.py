"""Fit one model on one fold: early stopping for boosters, a wall-clock guard for all.

LightGBM, XGBoost and CatBoost get a callback that stops boosting when the deadline passes;
HistGradientBoosting and the forests grow in chunks (``warm_start``) and stop between
chunks; the perceptron trains one epoch at a time (``partial_fit``), keeps the weights of
its best epoch on the fold's validation loss and stops between epochs. The caller checks
``deadline.passed()`` afterwards and discards a cut fit.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import numpy as np

from mlsprint.training.cv import Deadline
from mlsprint.training.estimators import (
    EncodedClassifier,
    categorical_positions,
    category_codes,
    fit_estimator,
)
from mlsprint.training.families import Family

__all__ = ["best_iteration", "concurrent_fits", "fit_model", "quiet_convergence",
           "rounds_run"]

PATIENCE = 50
EPOCH_PATIENCE = 10  # epochs without a better validation loss before the perceptron stops
EPOCH_TOL = 1e-4  # a validation loss must drop by this much to count as better
HGB_CHUNK = 100
FOREST_CHUNK = 50
# LightGBM 4.7 deprecates eval_set for eval_X/eval_y, but its eval_y path does not
# label-encode string classes (ValueError 'could not convert string')
LIGHTGBM_EVAL_SET = "The argument 'eval_set' is deprecated"

_worker = threading.local()  # .active: this thread fits a fold beside another one


def fit_model(family: Family, model: Any, Xt: Any, yt: Any, wt: Any, Xv: Any, yv: Any,
              wv: Any, deadline: Deadline, *, preprocessor: Any = None) -> Any:
    """Fit ``model`` (an estimator of ``family``) on a fold; returns the fitted model.

    ``preprocessor`` (the fold's, fitted) tells LightGBM which columns are categories.
    """
    if family.name == "lightgbm":
        return _fit_lightgbm(model, Xt, yt, wt, Xv, yv, wv, deadline,
                             categorical_positions(preprocessor))
    if family.name == "catboost":
        return _fit_catboost(model, Xt, yt, wt, Xv, yv, wv, deadline,
                             category_codes(preprocessor))
    fitter = {
        "xgboost": _fit_xgboost,
        "hist_gradient_boosting": _fit_hgb,
        "random_forest": _fit_forest,
        "extra_trees": _fit_forest,
        "mlp": _fit_mlp,
    }.get(family.name)
    if fitter is None:
        with quiet_convergence():
            return fit_estimator(model, Xt, yt, wt)
    return fitter(model, Xt, yt, wt, Xv, yv, wv, deadline)


@contextmanager
def quiet_convergence() -> Iterator[None]:
    """Silence ConvergenceWarning: a linear model stopped at ``max_iter`` is still a
    candidate, judged by its cross-validated score like any other. Also the perceptron's
    note that a batch larger than the rows is clipped to them (small folds): intended."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Got `batch_size` less than 1 or larger")
        yield


@contextmanager
def _quiet_lightgbm() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=LIGHTGBM_EVAL_SET)
        yield


@contextmanager
def concurrent_fits() -> Iterator[Callable[[Callable[..., Any]], Callable[..., Any]]]:
    """For fold fits run in threads (LightGBM, XGBoost): installs, in the calling thread,
    the warning filters those fits would set themselves, and yields a wrapper that marks
    a thread's work as such so that they do not. The filter list is process-global:
    ``catch_warnings`` entered and left by two threads at once restores it out of order
    and can leave a filter behind."""
    def in_worker(work: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            _worker.active = True
            try:
                return work(*args, **kwargs)
            finally:
                _worker.active = False
        return run

    with _quiet_lightgbm():
        yield in_worker


def _fit_lightgbm(model: Any, Xt: Any, yt: Any, wt: Any, Xv: Any, yv: Any, wv: Any,
                  deadline: Deadline, categorical: list[int] | str) -> Any:
    import lightgbm as lgb

    def guard(env: Any) -> None:
        if deadline.passed():
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list)

    with nullcontext() if getattr(_worker, "active", False) else _quiet_lightgbm():
        return model.fit(Xt, yt, sample_weight=wt, eval_set=[(Xv, yv)],
                         eval_sample_weight=None if wv is None else [wv],
                         categorical_feature=categorical,
                         callbacks=[lgb.early_stopping(PATIENCE, verbose=False), guard])


def _fit_xgboost(model: Any, Xt: Any, yt: Any, wt: Any, Xv: Any, yv: Any, wv: Any,
                 deadline: Deadline) -> Any:
    import xgboost as xgb

    class Guard(xgb.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
            return deadline.passed()

    inner = model.estimator if isinstance(model, EncodedClassifier) else model
    inner.set_params(callbacks=[Guard()])
    model.fit(Xt, yt, sample_weight=wt, eval_set=[(Xv, yv)],
              sample_weight_eval_set=None if wv is None else [wv], verbose=False)
    fitted = model.estimator_ if isinstance(model, EncodedClassifier) else model
    fitted.set_params(callbacks=None)  # the guard is a local class: not picklable
    inner.set_params(callbacks=None)
    return model


def _fit_catboost(model: Any, Xt: Any, yt: Any, wt: Any, Xv: Any, yv: Any, wv: Any,
                  deadline: Deadline, categorical: list[int]) -> Any:
    class Guard:
        def after_iteration(self, info: Any) -> bool:  # False stops boosting
            return not deadline.passed()

    return model.fit(Xt, yt, sample_weight=wt, categorical=categorical, eval_set=(Xv, yv),
                     eval_weight=wv, callbacks=[Guard()])


def _fit_hgb(model: Any, Xt: Any, yt: Any, wt: Any, Xv: Any, yv: Any, wv: Any,
             deadline: Deadline) -> Any:
    total = model.max_iter
    done = 0
    model.set_params(warm_start=True)
    while True:
        done = min(done + HGB_CHUNK, total)
        model.set_params(max_iter=done)
        model.fit(Xt, yt, sample_weight=wt, X_val=Xv, y_val=yv, sample_weight_val=wv)
        if model.n_iter_ < done or done >= total or deadline.passed():
            break
    model.set_params(warm_start=False, max_iter=total)
    return model


def _fit_forest(model: Any, Xt: Any, yt: Any, wt: Any, Xv: Any, yv: Any, wv: Any,
                deadline: Deadline) -> Any:
    total = model.n_estimators
    done = 0
    model.set_params(warm_start=True)
    with warnings.catch_warnings():
        # class_weight="balanced_subsample" with warm_start warns for data that changes
        # between calls; here every chunk sees the same rows.
        warnings.filterwarnings("ignore", message="class_weight presets", category=UserWarning)
        while done < total and not deadline.passed():
            done = min(done + FOREST_CHUNK, total)
            model.set_params(n_estimators=done)
            fit_estimator(model, Xt, yt, wt)
    model.set_params(warm_start=False)
    return model


def _fit_mlp(model: Any, Xt: Any, yt: Any, wt: Any, Xv: Any, yv: Any, wv: Any,
             deadline: Deadline) -> Any:
    """Epochs of ``partial_fit`` until the fold's validation log loss has not improved
    for ``EPOCH_PATIENCE`` epochs, ``max_iter`` epochs or the deadline; the weights of
    the best epoch are kept (``best_epoch_``, ``epochs_run_`` record the counts)."""
    from sklearn.metrics import log_loss

    # every class of the fold, so a class absent from its training rows still scores
    classes = np.unique(np.concatenate([np.asarray(yt), np.asarray(yv)]))
    best, best_epoch, best_weights = np.inf, 0, None
    epoch = 0
    # partial_fit re-seeds from an integer random_state at every call, which would shuffle
    # every epoch's batches alike; one generator seeded from it advances (as fit's does)
    seed = model.random_state
    model.set_params(random_state=np.random.RandomState(seed))
    with quiet_convergence():
        for epoch in range(1, model.max_iter + 1):
            model.partial_fit(Xt, yt, sample_weight=wt, classes=classes)
            loss = log_loss(yv, model.predict_proba(Xv), sample_weight=wv, labels=classes)
            if loss < best - EPOCH_TOL:
                best, best_epoch = loss, epoch
                best_weights = ([c.copy() for c in model.coefs_],
                                [b.copy() for b in model.intercepts_])
            if epoch - best_epoch >= EPOCH_PATIENCE or deadline.passed():
                break
    model.set_params(random_state=seed)
    if best_weights is not None:
        model.coefs_, model.intercepts_ = best_weights
    model.best_epoch_, model.epochs_run_ = max(best_epoch, 1), epoch
    return model


def best_iteration(family: Family, model: Any) -> int | None:
    """Boosting rounds the fitted model uses (early stopping), ``None`` for others."""
    if family.name == "lightgbm":
        return int(model.best_iteration_ or model.n_estimators_)
    if family.name == "xgboost":
        inner = model.estimator_ if isinstance(model, EncodedClassifier) else model
        return int(inner.best_iteration) + 1
    if family.name == "hist_gradient_boosting":
        return int(model.n_iter_)
    if family.name == "mlp":
        return int(model.best_epoch_)
    if family.name == "catboost":  # the best model is kept: its trees are the best rounds
        return int(model.estimator_.tree_count_)
    return None


def rounds_run(family: Family, model: Any) -> int | None:
    """Boosting rounds the fold fit actually ran (best plus the patience rounds after it),
    ``None`` for models without rounds: the refit, with no patience and no validation
    set, costs about ``refit_rounds / rounds_run`` of the fold's model fit."""
    if family.name == "lightgbm":  # LightGBM keeps only the best rounds: add the patience
        best = int(model.best_iteration_ or model.n_estimators_)
        return min(best + PATIENCE, int(model.get_params()["n_estimators"]))
    if family.name == "xgboost":
        inner = model.estimator_ if isinstance(model, EncodedClassifier) else model
        return int(inner.get_booster().num_boosted_rounds())
    if family.name == "hist_gradient_boosting":
        return int(model.n_iter_)
    if family.name == "mlp":
        return int(model.epochs_run_)
    if family.name == "catboost":
        return len(next(iter(model.estimator_.get_evals_result()["validation"].values())))
    return None
