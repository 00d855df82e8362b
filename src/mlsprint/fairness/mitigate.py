"""Mitigation by group-specific thresholds (Fairlearn's ``ThresholdOptimizer``).

The fitted model is kept as it is (``prefit=True``); only the cut-offs per group change.
The optimiser is fitted on rows other than the audited ones (a validation split) and the
audit runs before and after on the same evaluation rows, so the two can be compared side
by side. The mitigated model needs the protected columns at prediction time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from mlsprint.fairness.audit import FairnessReport, audit_fairness
from mlsprint.fairness.groups import group_labels
from mlsprint.spec.model import FairnessSpec

__all__ = ["POOLED", "MitigationResult", "mitigate"]

POOLED = "(pooled small groups)"


@dataclass(frozen=True, slots=True)
class MitigationResult:
    """The audit before and after, and the fitted ``ThresholdOptimizer``."""

    before: FairnessReport
    after: FairnessReport
    constraints: str
    attribute: str
    model: Any
    accuracy_before: float
    accuracy_after: float

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before.to_dict(), "after": self.after.to_dict(),
                "constraints": self.constraints, "attribute": self.attribute,
                "accuracy_before": self.accuracy_before,
                "accuracy_after": self.accuracy_after}

    def side_by_side(self) -> list[dict[str, Any]]:
        """One row per attribute and disparity: estimate before and after."""
        rows = []
        for before in self.before.attributes:
            after = self.after[before.attribute]
            for d in before.disparities:
                a = after.disparity(d.name) if after.disparities else None
                rows.append({"attribute": before.attribute, "disparity": d.name,
                             "before": d.interval.estimate, "verdict_before": d.verdict,
                             "after": a.interval.estimate if a else float("nan"),
                             "verdict_after": a.verdict if a else "not_judged"})
        return rows


def mitigate(estimator: Any, X_fit: pd.DataFrame, y_fit: Any, sensitive_fit: pd.DataFrame,
             X_eval: pd.DataFrame, y_eval: Any, sensitive_eval: pd.DataFrame, *,
             positive_class: Any, spec_fairness: FairnessSpec | None = None,
             constraints: str = "demographic_parity", threshold: float = 0.5,
             primary: str = "roc_auc", bins: Mapping[str, Sequence[float] | None] | None = None,
             attribute: str | None = None, n_boot: int = 1000,
             random_state: int | None = None) -> MitigationResult:
    """Fit group thresholds for one attribute on ``X_fit``; audit before/after on ``X_eval``.

    Parameters
    ----------
    estimator : fitted binary classifier with ``predict_proba``
    X_fit, y_fit, sensitive_fit : rows to fit the thresholds on (not the audited rows)
    X_eval, y_eval, sensitive_eval : rows to audit (the holdout)
    positive_class : label
    spec_fairness : FairnessSpec, optional
    constraints : str, default "demographic_parity"
        Any constraint ``ThresholdOptimizer`` accepts (``"equalized_odds"``, ...).
    threshold : float, default 0.5
        The unmitigated model's cut-off.
    attribute : str, optional
        The protected column whose groups get their own thresholds (default: the first
        column of ``sensitive_eval``). Groups smaller than the minimum group size, or
        holding one label only, share one pooled threshold.
    primary, bins, n_boot, random_state : as in :func:`audit_fairness`.

    Returns
    -------
    MitigationResult
    """
    from fairlearn.postprocessing import ThresholdOptimizer

    spec = spec_fairness or FairnessSpec()
    cuts = _edges_from(sensitive_fit, bins)
    groups_fit = group_labels(sensitive_fit.reset_index(drop=True), bins=cuts)
    groups_eval = group_labels(sensitive_eval.reset_index(drop=True), bins=cuts)
    attribute = attribute or str(sensitive_eval.columns[0])
    classes = list(estimator.classes_)
    pos_index = [str(c) for c in classes].index(str(positive_class))
    y_fit01 = (np.asarray(y_fit).astype(str) == str(positive_class)).astype(int)
    y_eval01 = (np.asarray(y_eval).astype(str) == str(positive_class)).astype(int)
    fit_groups, eval_groups = _pool_small(groups_fit[attribute], groups_eval[attribute],
                                          y_fit01, spec.min_group_size)
    optimizer = ThresholdOptimizer(estimator=_PositiveProba(estimator, pos_index).fit(None, None),
                                   constraints=constraints, prefit=True,
                                   predict_method="predict_proba")
    optimizer.fit(X_fit, y_fit01, sensitive_features=fit_groups)
    score_before = estimator.predict_proba(X_eval)[:, pos_index]
    pred_before = (score_before >= threshold).astype(int)
    pred_after = np.asarray(optimizer.predict(X_eval, sensitive_features=eval_groups,
                                              random_state=random_state)).astype(int)
    try:  # the randomised thresholds' probability of a positive (private in fairlearn)
        pmf = optimizer._pmf_predict(X_eval, sensitive_features=eval_groups)
        score_after = np.asarray(pmf, dtype=float)[:, 1]
    except (AttributeError, TypeError):
        score_after = pred_after.astype(float)
    kw = dict(positive_class=1, spec_fairness=spec_fairness, primary=primary, bins=cuts,
              n_boot=n_boot, random_state=random_state, threshold=threshold)
    before = audit_fairness(y_eval01, pred_before, score_before, sensitive_eval, **kw)
    after = audit_fairness(y_eval01, pred_after, score_after, sensitive_eval, **kw)
    return MitigationResult(before, after, constraints, attribute, optimizer,
                            float(np.mean(pred_before == y_eval01)),
                            float(np.mean(pred_after == y_eval01)))


def _pool_small(fit: pd.Series, ev: pd.Series, y01: np.ndarray, min_size: int
                ) -> tuple[pd.Series, pd.Series]:
    """Merge groups too small (or with one label only) on the fit rows into one."""
    stats = pd.DataFrame({"g": fit.to_numpy(), "y": y01}).groupby("g")["y"].agg(["size", "mean"])
    ok = stats[(stats["size"] >= min_size) & (stats["mean"] > 0) & (stats["mean"] < 1)].index
    keep = set(map(str, ok))
    pool = lambda s: s.astype(str).where(s.astype(str).isin(keep), POOLED)  # noqa: E731
    return pool(fit), pool(ev)


def _edges_from(sensitive: pd.DataFrame, bins: Mapping[str, Sequence[float] | None] | None
                ) -> dict[str, Sequence[float] | None]:
    """Fix the bands of numeric attributes on the fit rows so both sides share them."""
    from mlsprint.fairness.groups import MAX_DISTINCT_AS_CATEGORY, _quantile_edges

    out: dict[str, Sequence[float] | None] = dict(bins or {})
    for name in sensitive.columns:
        col = sensitive[name]
        if (str(name) not in out or out[str(name)] is None) and (
            pd.api.types.is_numeric_dtype(col.dtype)
            and not pd.api.types.is_bool_dtype(col.dtype)
            and col.nunique(dropna=True) > MAX_DISTINCT_AS_CATEGORY
        ):
            out[str(name)] = _quantile_edges(col, 4)
    return out


class _PositiveProba(ClassifierMixin, BaseEstimator):
    """Presents a fitted classifier as one whose classes are 0/1 (positive last)."""

    def __init__(self, estimator: Any = None, pos_index: int = 1) -> None:
        self.estimator = estimator
        self.pos_index = pos_index

    def fit(self, X: Any, y: Any) -> _PositiveProba:
        """Mark as fitted; the wrapped estimator is used as it is (``prefit=True``)."""
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        p = np.asarray(self.estimator.predict_proba(X))[:, self.pos_index]
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)
