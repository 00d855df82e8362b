"""The baseline every candidate must beat: a dummy model and a regularised linear model.

``fit_baseline`` cross-validates both with the plan's splitter -- the feature pipeline is
cloned and fitted inside each fold, on that fold's training rows only -- and then refits
both on all rows given. The dummy predicts the class prior (classification) or the mean
(regression); the linear model is ``LogisticRegression`` (L2, ``C=1``) or ``Ridge``
(``alpha=1``) on ``build_preprocessor(..., for_model="linear")``.

Out-of-fold predictions follow :func:`mlsprint.evaluation.metrics.score`: the positive
class probability (binary), a probability matrix in ``classes`` order (multiclass) or
values (regression). Rows no fold validates (the first block of a ``TimeSeriesSplit``)
hold NaN.

BLAS runs single-threaded inside ``fit_baseline``: the linear fits are small, and on a
loaded 2-core machine OpenBLAS threads made a 1,500-row multiclass baseline 3.7x slower
(16.5 s against 4.5 s, measured with ``OPENBLAS_NUM_THREADS`` 2 and 1).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from mlsprint.data.contract import DataContract
from mlsprint.data.split import SplitPlan, cv_splitter
from mlsprint.errors import DataError
from mlsprint.evaluation.metrics import score
from mlsprint.features.preprocessor import build_preprocessor
from mlsprint.spec.model import ProjectSpec

__all__ = ["BaselineResult", "ModelCV", "baseline_models", "fit_baseline"]


@dataclass(frozen=True, slots=True)
class ModelCV:
    """Cross-validated scores of one baseline model, and the model refitted on all rows."""

    name: str
    cv_mean: dict[str, float | None]
    cv_std: dict[str, float | None]
    fold_scores: dict[str, list[float | None]]
    oof: np.ndarray = field(repr=False)
    estimator: Pipeline = field(repr=False)
    fit_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "cv_mean": dict(self.cv_mean),
                "cv_std": dict(self.cv_std),
                "fold_scores": {k: list(v) for k, v in self.fold_scores.items()},
                "fit_seconds": self.fit_seconds, "notes": list(self.notes)}


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """Both baseline models: ``models["dummy"]`` and ``models["linear"]``."""

    task: str
    primary: str
    secondary: list[str]
    split: dict[str, Any]
    n_rows: int
    fold_sizes: list[int]
    classes: tuple[Any, ...]
    models: dict[str, ModelCV]

    @property
    def dummy(self) -> ModelCV:
        return self.models["dummy"]

    @property
    def linear(self) -> ModelCV:
        return self.models["linear"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (no estimators, no out-of-fold arrays)."""
        return {"task": self.task, "primary": self.primary, "secondary": list(self.secondary),
                "split": dict(self.split), "n_rows": self.n_rows,
                "fold_sizes": list(self.fold_sizes),
                "classes": [_plain(c) for c in self.classes],
                "models": {k: m.to_dict() for k, m in self.models.items()}}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def baseline_models(contract: DataContract, spec: ProjectSpec,
                    random_state: int) -> dict[str, Pipeline]:
    """The two unfitted baseline pipelines: ``{"dummy": ..., "linear": ...}``."""
    if spec.task.type == "regression":
        dummy: Any = DummyRegressor(strategy="mean")
        linear: Any = Ridge(alpha=1.0)
    else:
        dummy = DummyClassifier(strategy="prior")
        linear = LogisticRegression(C=1.0, max_iter=2000, random_state=random_state)
    pre = build_preprocessor(contract, spec, for_model="linear")
    return {"dummy": Pipeline([("model", dummy)]),
            "linear": Pipeline([("preprocess", pre), ("model", linear)])}


def _class_columns(model_classes: np.ndarray, classes: tuple[Any, ...]) -> list[int | None]:
    as_text = [str(c) for c in model_classes]
    return [as_text.index(str(c)) if str(c) in as_text else None for c in classes]


def _predict(model: Pipeline, X: pd.DataFrame, task: str, classes: tuple[Any, ...],
             positive: Any) -> np.ndarray:
    if task == "regression":
        return np.asarray(model.predict(X), dtype=float)
    proba = model.predict_proba(X)
    cols = _class_columns(model.classes_, classes)
    out = np.zeros((len(X), len(classes)))
    for j, col in enumerate(cols):
        if col is not None:
            out[:, j] = proba[:, col]
    if task == "binary":
        return out[:, [str(c) for c in classes].index(str(positive))]
    return out


def _folds(X: pd.DataFrame, y: np.ndarray, plan: SplitPlan, groups: Any,
           random_state: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if plan.strategy == "group" and groups is None:
        if plan.column is None or plan.column not in X.columns:
            raise DataError(f"a group split needs the group of each row: pass groups= or "
                            f"keep column {plan.column!r} in X")
        groups = X[plan.column]
    n_groups = None if groups is None else int(pd.Series(groups).nunique(dropna=False))
    splitter, uses_groups = cv_splitter(plan, n_rows=len(X), random_state=random_state,
                                        n_groups=n_groups)
    target = y.astype(str) if plan.stratify else y
    labels = np.asarray(groups) if uses_groups else None
    return list(splitter.split(np.zeros(len(X)), target, labels))


def _fit(model: Pipeline, X: pd.DataFrame, y: np.ndarray, weight: np.ndarray | None,
         notes: list[str], where: str) -> Pipeline:
    """Fit; a solver that stops at ``max_iter`` leaves a note instead of a warning."""
    params = {} if weight is None else {"model__sample_weight": weight}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, **params)
    final = model.steps[-1][1]
    n_iter = getattr(final, "n_iter_", None)
    max_iter = getattr(final, "max_iter", None)
    if n_iter is not None and max_iter is not None and np.max(n_iter) >= max_iter:
        notes.append(f"{type(final).__name__} stopped at max_iter={max_iter} before "
                     f"converging ({where})")
    return model


def _fold_score(metric: str, y: np.ndarray, pred: np.ndarray, weight: Any,
                ctx: dict[str, Any]) -> float | None:
    try:
        return score(metric, y, pred, sample_weight=weight, **ctx)
    except DataError:  # e.g. one class only in a temporal fold: no AUC there
        return None


def _summary(values: list[float | None]) -> tuple[float | None, float | None]:
    finite = [v for v in values if v is not None]
    if not finite:
        return None, None
    std = float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0
    return float(np.mean(finite)), std


def _cross_validate(name: str, template: Pipeline, X: pd.DataFrame, y: np.ndarray,
                    folds: list, weight: np.ndarray | None, ctx: dict[str, Any],
                    metrics: list[str]) -> ModelCV:
    n_cls = len(ctx["classes"])
    oof = np.full((len(X), n_cls) if ctx["task"] == "multiclass" else len(X), np.nan)
    fold_scores: dict[str, list[float | None]] = {m: [] for m in metrics}
    notes: list[str] = []
    start = time.perf_counter()
    for i, (train, valid) in enumerate(folds):
        w_train = None if weight is None else weight[train]
        model = _fit(clone(template), X.iloc[train], y[train], w_train, notes, f"fold {i}")
        pred = _predict(model, X.iloc[valid], ctx["task"], ctx["classes"],
                        ctx["positive_class"])
        oof[valid] = pred
        w_valid = None if weight is None else weight[valid]
        for m in metrics:
            fold_scores[m].append(_fold_score(m, y[valid], pred, w_valid, ctx))
    estimator = _fit(clone(template), X, y, weight, notes, "refit on all rows")
    summary = {m: _summary(v) for m, v in fold_scores.items()}
    return ModelCV(name=name, cv_mean={m: s[0] for m, s in summary.items()},
                   cv_std={m: s[1] for m, s in summary.items()}, fold_scores=fold_scores,
                   oof=oof, estimator=estimator,
                   fit_seconds=round(time.perf_counter() - start, 3), notes=notes)


def fit_baseline(X: pd.DataFrame, y: Any, *, contract: DataContract, spec: ProjectSpec,
                 plan: SplitPlan, groups: Any = None, sample_weight: Any = None,
                 random_state: int) -> BaselineResult:
    """Cross-validate and refit the dummy and the linear baseline on the train rows.

    Parameters
    ----------
    X : DataFrame
        Train rows only (never the holdout), in time order for a temporal plan; extra
        columns (id, target, group) are ignored by the pipeline.
    y : array-like
        Target of those rows.
    contract : DataContract
        Feature columns and classes (``contract.classes`` orders probability columns).
    spec : ProjectSpec
        Task, metrics and feature settings.
    plan : SplitPlan
        Gives the cross-validation splitter (:func:`mlsprint.data.split.cv_splitter`).
    groups : array-like, optional
        Group of each row for a group plan (default: ``X[plan.column]``).
    sample_weight : array-like, optional
        Passed to the models' ``fit`` and to every metric.
    random_state : int

    Returns
    -------
    BaselineResult
    """
    y_arr = np.asarray(y)
    if len(y_arr) != len(X):
        raise DataError(f"X has {len(X)} rows but y has {len(y_arr)}")
    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    task = spec.task.type
    classes = tuple(contract.classes) if task != "regression" else ()
    if task != "regression" and not classes:
        classes = tuple(sorted(pd.unique(y_arr).tolist(), key=str))
    ctx = {"task": task, "classes": classes, "positive_class": spec.task.positive_class}
    metrics = [spec.task.primary, *spec.task.secondary]
    folds = _folds(X, y_arr, plan, groups, random_state)
    with threadpool_limits(limits=1, user_api="blas"):  # see the module docstring
        models = {
            name: _cross_validate(name, template, X, y_arr, folds, weight, ctx, metrics)
            for name, template in baseline_models(contract, spec, random_state).items()
        }
    return BaselineResult(task=task, primary=spec.task.primary,
                          secondary=list(spec.task.secondary), split=plan.to_dict(),
                          n_rows=len(X), fold_sizes=[len(v) for _, v in folds],
                          classes=classes, models=models)
