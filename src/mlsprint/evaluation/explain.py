"""Explanations: permutation importance on the holdout and per-row contributions.

Per-row contributions come from the model's own exact tree SHAP values (LightGBM
``pred_contrib=True``, XGBoost ``pred_contribs=True``, CatBoost's ``ShapValues``) or,
for a linear model, from ``coef * x`` on the transformed features. They are in the model's
raw margin (log-odds for a binary classifier, the value for a regressor; for a multiclass
model, the margin of the predicted class). Transformed features map back to the input
column they came from (``sex_Female`` -> ``sex``) and are summed, so a caller sees one
number per input column. Any other model gets permutation importance only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.errors import MlsprintError
from mlsprint.evaluation.metrics import greater_is_better, score

__all__ = [
    "ExplanationUnavailableError",
    "ImportanceReport",
    "contribution_method",
    "explain_global",
    "explain_rows",
    "map_to_inputs",
]

OTHER = "(other)"


class ExplanationUnavailableError(MlsprintError, TypeError):
    """The model has no per-row contributions (only LightGBM, XGBoost, CatBoost and linear
    models have)."""


@dataclass(frozen=True, slots=True)
class ImportanceReport:
    """Global importance per input column.

    ``permutation`` holds the mean drop of the primary metric when a column is shuffled
    (and its standard deviation over repeats); ``contribution`` the mean absolute
    per-row contribution (``method`` says where it came from; empty for ``"none"``).
    """

    primary: str
    permutation: dict[str, float]
    permutation_std: dict[str, float]
    method: str
    contribution: dict[str, float] = field(default_factory=dict)
    n_rows: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def top(self, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` columns with the largest permutation importance."""
        return sorted(self.permutation.items(), key=lambda kv: -kv[1])[:k]


def _unwrap(model: Any) -> Any:
    """The estimator inside calibration/freezing wrappers."""
    seen = 0
    while hasattr(model, "estimator") and type(model).__name__ in (
        "RecalibratedClassifier", "FrozenEstimator") and seen < 5:
        model, seen = model.estimator, seen + 1
    return model


def _split(pipeline: Any) -> tuple[Any, Any]:
    """(preprocessor or None, final model) of a Pipeline, unwrapping wrappers."""
    inner = _unwrap(pipeline)
    if hasattr(inner, "steps"):
        pre = inner[:-1] if len(inner.steps) > 1 else None
        return pre, _unwrap(inner.steps[-1][1])
    return None, inner


def contribution_method(pipeline: Any) -> str:
    """``"lightgbm"``, ``"xgboost"``, ``"catboost"``, ``"linear"`` or ``"none"`` for a
    fitted pipeline."""
    _, model = _split(pipeline)
    module = type(model).__module__
    if module.startswith("lightgbm"):
        return "lightgbm"
    if module.startswith("xgboost"):
        return "xgboost"
    # mlsprint.training's CatBoost wrappers, matched by name: training is a sibling layer
    if type(model).__name__.startswith("CatBoostCodes"):
        return "catboost"
    if hasattr(model, "coef_") and hasattr(model, "intercept_"):
        return "linear"
    return "none"


def _match(name: str, columns: Sequence[str]) -> str | None:
    candidates = [name, name.split("__", 1)[1]] if "__" in name else [name]
    for text in candidates:
        hits = [c for c in columns if text == c or text.startswith(c + "_")]
        if hits:
            return max(hits, key=len)
    for text in candidates:  # e.g. sklearn's "missingindicator_age"
        hits = [c for c in columns if text.endswith("_" + c)]
        if hits:
            return max(hits, key=len)
    return None


def map_to_inputs(feature_names: Sequence[str], input_columns: Sequence[str]) -> list[str]:
    """The input column each transformed feature came from (``(other)`` if none).

    Examples
    --------
    >>> map_to_inputs(["num__age", "cat__sex_Female", "cat__sex_Male"], ["age", "sex"])
    ['age', 'sex', 'sex']
    """
    columns = [str(c) for c in input_columns]
    return [_match(str(n), columns) or OTHER for n in feature_names]


def _transform(pre: Any, X: pd.DataFrame) -> tuple[Any, list[str]]:
    if pre is None:
        return X, [str(c) for c in X.columns]
    Xt = pre.transform(X)
    try:
        names = [str(n) for n in pre.get_feature_names_out()]
    except (AttributeError, ValueError):
        names = [f"x{i}" for i in range(Xt.shape[1])]
    if hasattr(Xt, "toarray"):
        Xt = Xt.toarray()
    return Xt, names


def _raw_contributions(method: str, model: Any, Xt: Any, n_features: int) -> np.ndarray:
    """Contributions of shape (rows, classes, features + 1); the last column is the bias."""
    if method == "lightgbm":
        raw = np.asarray(model.predict(Xt, pred_contrib=True))
        return raw.reshape(raw.shape[0], -1, n_features + 1)
    if method == "xgboost":
        import xgboost as xgb

        data = xgb.DMatrix(Xt, enable_categorical=True)
        raw = np.asarray(model.get_booster().predict(data, pred_contribs=True))
        return raw.reshape(raw.shape[0], -1, n_features + 1)
    if method == "catboost":
        return model.shap_values(Xt)
    values = np.asarray(Xt, dtype=float)
    coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
    bias = np.broadcast_to(np.atleast_1d(model.intercept_), (values.shape[0], coef.shape[0]))
    per = values[:, None, :] * coef[None, :, :]
    return np.concatenate([per, bias[:, :, None]], axis=2)


def explain_rows(pipeline: Any, X: pd.DataFrame) -> pd.DataFrame:
    """Per-row contributions per input column of a fitted pipeline.

    Parameters
    ----------
    pipeline : fitted sklearn Pipeline (preprocessor + model), possibly wrapped in
        :class:`~mlsprint.evaluation.calibration.RecalibratedClassifier`
    X : DataFrame
        Rows in the input schema.

    Returns
    -------
    DataFrame
        Indexed like ``X``, one column per input column of ``X`` (plus ``(other)``
        when a transformed feature cannot be traced back) and ``(bias)``; each row sums
        to the model's raw margin for that row.

    Raises
    ------
    ExplanationUnavailableError
        When the model is neither LightGBM, XGBoost, CatBoost nor linear.
    """
    method = contribution_method(pipeline)
    if method == "none":
        _, model = _split(pipeline)
        raise ExplanationUnavailableError(
            f"per-row explanations need a LightGBM, XGBoost, CatBoost or linear model; got "
            f"{type(model).__name__}. Use the global permutation importance instead"
        )
    pre, model = _split(pipeline)
    Xt, names = _transform(pre, X)
    contrib = _raw_contributions(method, model, Xt, len(names))
    if contrib.shape[1] > 1:  # multiclass: the predicted class's margin
        chosen = contrib[:, :, :-1].sum(axis=2).argmax(axis=1)
        contrib = contrib[np.arange(len(contrib)), chosen, :]
    else:
        contrib = contrib[:, 0, :]
    owners = map_to_inputs(names, [str(c) for c in X.columns])
    per_feature = pd.DataFrame(contrib[:, :-1], columns=range(len(names)), index=X.index)
    grouped = per_feature.T.groupby(np.asarray(owners), sort=False).sum().T
    ordered = [str(c) for c in X.columns if str(c) in grouped.columns]
    extra = [OTHER] if OTHER in grouped.columns else []
    out = grouped.reindex(columns=ordered + extra).astype(float)
    for col in (str(c) for c in X.columns):
        if col not in out.columns:
            out[col] = 0.0  # read by no feature (an id or a dropped column)
    out = out[[str(c) for c in X.columns] + extra]
    out["(bias)"] = contrib[:, -1]
    return out


def _predict_for(pipeline: Any, X: pd.DataFrame, task: str) -> np.ndarray:
    if task == "regression":
        return np.asarray(pipeline.predict(X), dtype=float)
    proba = np.asarray(pipeline.predict_proba(X), dtype=float)
    return proba[:, 1] if task == "binary" else proba


def _task_of(pipeline: Any) -> str:
    classes = getattr(_unwrap(pipeline), "classes_", None)
    if classes is None or not hasattr(pipeline, "predict_proba"):
        return "regression"
    return "binary" if len(classes) == 2 else "multiclass"


def explain_global(pipeline: Any, X: pd.DataFrame, y: Any, *, primary: str,
                   task: str | None = None, positive_class: Any = None, n_repeats: int = 5,
                   max_rows: int = 2000, random_state: int | None = 0) -> ImportanceReport:
    """Permutation importance of each input column on the holdout, plus contributions.

    Parameters
    ----------
    pipeline : fitted estimator taking ``X``
    X, y : holdout rows and truth
    primary : str
        The metric whose drop measures importance.
    task : {"binary", "multiclass", "regression"}, optional
        Inferred from the fitted pipeline's ``classes_`` when omitted.
    positive_class : optional
        Defaults to the second of two ``classes_``.
    n_repeats : int, default 5
    max_rows : int, default 2000
        Rows sampled (seeded) from the holdout to bound the cost.
    random_state : int, optional

    Returns
    -------
    ImportanceReport
    """
    from sklearn.inspection import permutation_importance

    task = task or _task_of(pipeline)
    y_arr = np.asarray(y)
    if len(X) > max_rows:
        rows = np.random.default_rng(random_state).choice(len(X), max_rows, replace=False)
        X, y_arr = X.iloc[np.sort(rows)], y_arr[np.sort(rows)]
    classes = list(getattr(_unwrap(pipeline), "classes_", [])) or None
    sign = 1.0 if greater_is_better(primary) else -1.0

    def scorer(est: Any, X_: pd.DataFrame, y_: Any) -> float:
        pred = _predict_for(est, X_, task)
        return sign * score(primary, y_, pred, task=task, classes=classes,
                            positive_class=positive_class)

    result = permutation_importance(pipeline, X, y_arr, scoring=scorer, n_repeats=n_repeats,
                                    random_state=random_state, n_jobs=1)
    cols = [str(c) for c in X.columns]
    method = contribution_method(pipeline)
    contribution: dict[str, float] = {}
    if method != "none":
        rows = explain_rows(pipeline, X)
        contribution = {c: float(rows[c].abs().mean()) for c in cols}
    return ImportanceReport(
        primary=primary,
        permutation=dict(zip(cols, map(float, result.importances_mean), strict=True)),
        permutation_std=dict(zip(cols, map(float, result.importances_std), strict=True)),
        method=method, contribution=contribution, n_rows=len(X),
    )
