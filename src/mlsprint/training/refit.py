"""Refit a chosen pipeline on more rows (``train --refit-full``: train + holdout)."""

from __future__ import annotations

from typing import Any

from sklearn.base import clone
from sklearn.pipeline import Pipeline

from mlsprint.training.estimators import fit_estimator
from mlsprint.training.fitting import quiet_convergence

__all__ = ["refit_full"]


def refit_full(pipeline: Pipeline, X: Any, y: Any, *, sample_weight: Any = None) -> Pipeline:
    """A fresh copy of ``pipeline`` (same configuration) fitted on ``X``, ``y``.

    The search's configuration is kept as chosen (boosting rounds included); nothing is
    re-tuned, so the holdout rows only add training data. The input pipeline is left
    untouched. BLAS runs single-threaded (much faster on shared cores; the boosters keep
    their own ``n_jobs``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> p = Pipeline([("model", Ridge(alpha=0.0))]).fit([[0.0], [1.0]], [0.0, 1.0])
    >>> refit_full(p, [[0.0], [1.0], [2.0]], [0.0, 2.0, 4.0]).predict([[3.0]]).round(6)
    array([6.])
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"), quiet_convergence():
        return fit_estimator(clone(pipeline), X, y, sample_weight)
