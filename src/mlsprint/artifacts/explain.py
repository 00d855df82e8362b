"""Per-row explanations of a fitted pipeline: the bundle's ``explain`` hook.

``mlsprint.evaluation.explain_rows`` is used when it exists; otherwise the boosters' native
contributions (LightGBM ``pred_contrib``, XGBoost ``pred_contribs``) or ``coef * x`` for a
linear model, on the pipeline's transformed features. Contributions add up (with ``(bias)``)
to the raw score: log-odds for classifiers, the prediction for regressors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlsprint.errors import BundleError

__all__ = ["explain_pipeline"]


def _split(pipeline: Any) -> tuple[Any, Any]:
    steps = getattr(pipeline, "steps", None)
    if not steps:
        return None, pipeline
    return (pipeline[:-1] if len(steps) > 1 else None), steps[-1][1]


def _native(estimator: Any, Xt: Any) -> np.ndarray | None:
    if hasattr(estimator, "booster_"):  # LightGBM scikit-learn API
        return np.asarray(estimator.predict(Xt, pred_contrib=True))
    if hasattr(estimator, "get_booster"):  # XGBoost scikit-learn API
        import xgboost

        return np.asarray(estimator.get_booster().predict(xgboost.DMatrix(Xt),
                                                          pred_contribs=True))
    coef = getattr(estimator, "coef_", None)
    if coef is not None:
        coef = np.atleast_2d(coef)
        dense = Xt.toarray() if hasattr(Xt, "toarray") else np.asarray(Xt, dtype="float64")
        intercept = np.atleast_1d(getattr(estimator, "intercept_", 0.0))
        parts = [np.column_stack([dense * coef[k], np.full(len(dense), intercept[k])])
                 for k in range(coef.shape[0])]
        return np.hstack(parts)
    return None


def explain_pipeline(pipeline: Any, X: pd.DataFrame) -> pd.DataFrame:
    """Contributions of each transformed feature to each row's raw score.

    Returns
    -------
    pandas.DataFrame
        One row per input row; columns are the transformed feature names and ``(bias)``
        (prefixed ``<class>:`` per class for multiclass models).
    """
    try:
        from mlsprint.evaluation import explain_rows  # type: ignore[attr-defined]
    except ImportError:
        explain_rows = None
    if explain_rows is not None:
        return explain_rows(pipeline, X)
    pre, estimator = _split(pipeline)
    Xt = pre.transform(X) if pre is not None else X
    contrib = _native(estimator, Xt)
    if contrib is None:
        raise BundleError(f"no per-row explanation for a {type(estimator).__name__}: "
                          "expected a LightGBM, XGBoost or linear final step")
    names = [str(n) for n in (pre.get_feature_names_out() if pre is not None
                              else X.columns)] + ["(bias)"]
    n_blocks = contrib.shape[1] // len(names)
    if n_blocks > 1:
        classes = list(getattr(estimator, "classes_", range(n_blocks)))
        names = [f"{classes[k]}:{n}" for k in range(n_blocks) for n in names]
    return pd.DataFrame(contrib, columns=names, index=X.index)
