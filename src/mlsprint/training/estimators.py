"""Small scikit-learn estimators that the search composes into final pipelines.

- :class:`EncodedClassifier` lets an estimator that needs labels ``0..k-1`` (XGBoost)
  take any labels, and turns ``class_weight`` into sample weights.
- :class:`EnsembleClassifier` / :class:`EnsembleRegressor`: a weighted average of whole
  pipelines (each with its own preprocessor), the result of greedy ensemble selection.
- :func:`fit_estimator` fits anything with optional sample weights, routing them to the
  last step of a ``Pipeline`` (and telling LightGBM which columns hold category codes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d, validate_data

from mlsprint.training.catboost_codes import is_catboost_codes
from mlsprint.training.ensemble import average_predictions

__all__ = ["EncodedClassifier", "EnsembleClassifier", "EnsembleRegressor",
           "categorical_positions", "category_codes", "fit_estimator", "is_lightgbm"]


def fit_estimator(estimator: Any, X: Any, y: Any, sample_weight: Any = None,
                  **fit_params: Any) -> Any:
    """Fit ``estimator``; sample weights go to the final step of a ``Pipeline``.

    A pipeline ending in LightGBM or CatBoost is fitted step by step, so that the booster
    learns which of the preprocessor's output columns hold category codes
    (:func:`categorical_positions`) and splits them as categories, not as ordered numbers.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> fit_estimator(LinearRegression(), [[0.0], [1.0]], [0.0, 2.0]).coef_.round(3)
    array([2.])
    """
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1 and not fit_params \
            and _native_categories(_regressor(estimator.steps[-1][1])):
        model = estimator.steps[-1][1]
        Xt = estimator[:-1].fit_transform(X, y)  # fits the pipeline's own steps in place
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        preprocessor = estimator.steps[-2][1]
        if is_lightgbm(_regressor(model)):
            model.fit(Xt, y, categorical_feature=categorical_positions(preprocessor),
                      **weights)
        else:
            model.fit(Xt, y, categorical=category_codes(preprocessor), **weights)
        return estimator
    if sample_weight is None:
        return estimator.fit(X, y, **fit_params)
    if isinstance(estimator, Pipeline):
        last = estimator.steps[-1][0]
        return estimator.fit(X, y, **{f"{last}__sample_weight": sample_weight}, **fit_params)
    return estimator.fit(X, y, sample_weight=sample_weight, **fit_params)


def _regressor(model: Any) -> Any:
    """The model inside a ``TransformedTargetRegressor`` (which passes fit parameters on
    to it), else ``model``."""
    from sklearn.compose import TransformedTargetRegressor

    return model.regressor if isinstance(model, TransformedTargetRegressor) else model


def _native_categories(model: Any) -> bool:
    return is_lightgbm(model) or is_catboost_codes(model)


def is_lightgbm(model: Any) -> bool:
    """Whether ``model`` is a LightGBM scikit-learn estimator (without importing it)."""
    return type(model).__module__.split(".")[0] == "lightgbm"


def categorical_positions(preprocessor: Any) -> list[int] | str:
    """Output columns of a fitted tree preprocessor that hold integer category codes, for
    LightGBM's ``categorical_feature``; ``"auto"`` (none by position) when custom steps
    follow the column transformer, since they may reorder or replace its columns."""
    from mlsprint.features import native_categorical_features

    if not isinstance(preprocessor, Pipeline) or len(preprocessor.steps) != 1 \
            or "columns" not in preprocessor.named_steps:
        return "auto"
    return np.flatnonzero(native_categorical_features(preprocessor)).tolist()


def category_codes(preprocessor: Any) -> list[int]:
    """The output columns of a fitted preprocessor holding integer category codes:
    :func:`categorical_positions`, none when those are unknown (custom steps)."""
    positions = categorical_positions(preprocessor)
    return [] if isinstance(positions, str) else positions


class EncodedClassifier(ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` on labels encoded as ``0..k-1``; predict the original labels.

    Parameters
    ----------
    estimator : classifier
        Needs integer labels (for example ``xgboost.XGBClassifier``).
    class_weight : {"balanced"} or dict, optional
        Multiplied into the sample weights (for estimators without ``class_weight``).
    """

    def __init__(self, estimator: Any, class_weight: Any = None) -> None:
        self.estimator = estimator
        self.class_weight = class_weight

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = get_tags(self.estimator).input_tags.sparse
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> Any:
        _check_input(self, X, y)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.label_encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.label_encoder_.classes_
        codes = self.label_encoder_.transform(y)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if self.class_weight is not None:
            balance = _class_balance(self.class_weight, codes, self.classes_, weight)
            weight = balance if weight is None else weight * balance
        if "eval_set" in fit_params:
            fit_params["eval_set"] = [(Xv, self.label_encoder_.transform(np.asarray(yv)))
                                      for Xv, yv in fit_params["eval_set"]]
        self.estimator_ = clone(self.estimator).fit(X, codes, sample_weight=weight,
                                                    **fit_params)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        _check_input(self, X, reset=False)
        return _normalised(self.estimator_.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _normalised(proba: Any) -> np.ndarray:
    """float64 probabilities whose rows sum to 1 (boosters return float32)."""
    proba = np.asarray(proba, dtype=float)
    return proba / np.clip(proba.sum(axis=1, keepdims=True), 1e-12, None)


def _check_input(estimator: Any, X: Any, y: Any = None, *, reset: bool = True) -> None:
    """Record/check ``n_features_in_``; full array checks unless X is a DataFrame.

    A DataFrame goes to the member pipelines as it is (they select columns by name).
    """
    if hasattr(X, "columns"):
        validate_data(estimator, X, skip_check_array=True, reset=reset)
        return
    options = dict(dtype=None, accept_sparse=True, ensure_all_finite=False)
    if y is None:
        validate_data(estimator, X, reset=reset, **options)
    else:
        validate_data(estimator, X, y, reset=reset, **options)


def _class_balance(class_weight: Any, codes: np.ndarray, classes: np.ndarray,
                   weight: np.ndarray | None) -> np.ndarray:
    """Per-row weights from ``class_weight``; "balanced" uses weighted class totals."""
    if class_weight == "balanced":
        totals = np.bincount(codes, weights=weight, minlength=len(classes))
        per_class = totals.sum() / (len(classes) * np.where(totals > 0, totals, 1.0))
        return per_class[codes]
    if isinstance(class_weight, dict):
        return np.asarray([class_weight.get(c, 1.0) for c in classes], dtype=float)[codes]
    raise ValueError(
        f"class_weight must be 'balanced', a dict or None; got {class_weight!r}")


class _Ensemble(BaseEstimator):
    def __init__(self, estimators: list[tuple[str, Any]], weights: list[float]) -> None:
        self.estimators = estimators
        self.weights = weights

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = all(get_tags(est).input_tags.sparse
                                     for _, est in self.estimators)
        return tags

    def _fit_members(self, X: Any, y: Any, sample_weight: Any) -> None:
        if len(self.estimators) != len(self.weights) or not self.estimators:
            raise ValueError(
                f"an ensemble needs one weight per estimator; got {len(self.estimators)} "
                f"estimators and {len(self.weights)} weights")
        self.estimators_ = [fit_estimator(clone(est), X, y, sample_weight)
                            for _, est in self.estimators]
        total = float(np.sum(self.weights))
        self.weights_ = np.asarray(self.weights, dtype=float) / total

    @property
    def named_estimators_(self) -> dict[str, Any]:
        check_is_fitted(self, "estimators_")
        return {name: est for (name, _), est in zip(self.estimators, self.estimators_,
                                                    strict=True)}


class EnsembleClassifier(ClassifierMixin, _Ensemble):
    """Weighted average of the class probabilities of several fitted pipelines.

    Parameters
    ----------
    estimators : list of (name, estimator)
        Classifiers (usually whole pipelines) with ``predict_proba``.
    weights : list of float
        One non-negative weight per estimator (normalised to sum to 1).
    average : {"arithmetic", "geometric"}, default "arithmetic"
        The weighted mean of the probabilities, or of their logarithms renormalised
        (:func:`mlsprint.training.ensemble.average_predictions`).
    """

    def __init__(self, estimators: list[tuple[str, Any]], weights: list[float],
                 average: str = "arithmetic") -> None:
        super().__init__(estimators, weights)
        self.average = average

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("average", "arithmetic")  # pickled before the parameter existed
        super().__setstate__(state)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> EnsembleClassifier:
        _check_input(self, X, y)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        self._fit_members(X, y, sample_weight)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        _check_input(self, X, reset=False)
        probas = []
        for est in self.estimators_:
            full = np.zeros((_num_samples(X), len(self.classes_)))
            full[:, np.searchsorted(self.classes_, est.classes_)] = _normalised(
                est.predict_proba(X))
            probas.append(full)
        return _normalised(average_predictions(probas, self.weights_, average=self.average))

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class EnsembleRegressor(RegressorMixin, _Ensemble):
    """Weighted average of the predictions of several fitted pipelines.

    Parameters
    ----------
    estimators : list of (name, estimator)
    weights : list of float
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> EnsembleRegressor:
        _check_input(self, X, y)
        y = column_or_1d(y, warn=True)
        self._fit_members(X, y, sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        _check_input(self, X, reset=False)
        preds = [w * np.asarray(est.predict(X), dtype=float)
                 for est, w in zip(self.estimators_, self.weights_, strict=True)]
        return np.sum(preds, axis=0)
