"""Mitigation by group-specific thresholds (Fairlearn's ``ThresholdOptimizer``).

The fitted model is kept as it is (``prefit=True``); only the cut-offs per group change.
The optimiser is fitted on rows other than the audited ones (out-of-fold scores of the
training rows) and the audit runs before and after on the same evaluation rows, so the
two can be compared side by side. Its randomised rule becomes one deterministic cut-off
per group (:class:`~mlsprint.fairness.thresholds.GroupThresholds`): that rule is what is
audited "after" and what ships, and it needs the protected columns at prediction time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from mlsprint.fairness.audit import FairnessReport, audit_fairness
from mlsprint.fairness.thresholds import GroupThresholds, group_keys
from mlsprint.spec.model import FairnessSpec

__all__ = ["POOLED", "MitigationResult", "mitigate", "mitigate_scores"]

POOLED = "(pooled small groups)"


@dataclass(frozen=True, slots=True)
class MitigationResult:
    """The audit before and after, the fitted ``ThresholdOptimizer`` and the shipped rule.

    ``after`` audits :attr:`thresholds`, the deterministic rule that ships, not the
    optimiser's randomised one.
    """

    before: FairnessReport
    after: FairnessReport
    constraints: str
    attribute: str
    model: Any
    thresholds: GroupThresholds
    accuracy_before: float
    accuracy_after: float

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before.to_dict(), "after": self.after.to_dict(),
                "constraints": self.constraints, "attribute": self.attribute,
                "thresholds": self.thresholds.to_dict(),
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
             positive_class: Any, **kwargs: Any) -> MitigationResult:
    """:func:`mitigate_scores` on a fitted binary classifier's positive-class probability."""
    pos_index = [str(c) for c in estimator.classes_].index(str(positive_class))
    score_fit = np.asarray(estimator.predict_proba(X_fit))[:, pos_index]
    score_eval = np.asarray(estimator.predict_proba(X_eval))[:, pos_index]
    return mitigate_scores(score_fit, y_fit, sensitive_fit, score_eval, y_eval, sensitive_eval,
                           positive_class=positive_class, **kwargs)


def mitigate_scores(score_fit: Any, y_fit: Any, sensitive_fit: pd.DataFrame,
                    score_eval: Any, y_eval: Any, sensitive_eval: pd.DataFrame, *,
                    positive_class: Any, spec_fairness: FairnessSpec | None = None,
                    constraints: str = "demographic_parity", threshold: float = 0.5,
                    primary: str = "roc_auc",
                    bins: Mapping[str, Sequence[float] | None] | None = None,
                    attributes: str | Sequence[str] | None = None, n_boot: int = 1000,
                    random_state: int | None = None) -> MitigationResult:
    """Fit group thresholds on the fit rows' scores; audit before/after on the eval rows.

    Parameters
    ----------
    score_fit, y_fit, sensitive_fit : positive-class probabilities, labels and protected
        columns of the rows to fit the thresholds on (out-of-fold scores, not the audited
        rows)
    score_eval, y_eval, sensitive_eval : the same for the rows to audit (the holdout)
    positive_class : label
    spec_fairness : FairnessSpec, optional
    constraints : str, default "demographic_parity"
        Any constraint ``ThresholdOptimizer`` accepts (``"equalized_odds"``, ...).
    threshold : float, default 0.5
        The unmitigated model's cut-off (also the cut-off of groups unseen when fitting).
    attributes : str or list of str, optional
        The protected columns whose groups (jointly) get their own thresholds; default
        all columns of ``sensitive_eval``. Groups smaller than the minimum group size, or
        holding one label only, share one pooled threshold.
    primary, bins, n_boot, random_state : as in :func:`audit_fairness`.

    Returns
    -------
    MitigationResult
        ``after`` audits the deterministic :class:`GroupThresholds`: each group's cut-off
        gives it, on the fit rows, the selection rate of the optimiser's randomised rule.
    """
    from fairlearn.postprocessing import ThresholdOptimizer

    spec = spec_fairness or FairnessSpec()
    names = ([attributes] if isinstance(attributes, str)
             else list(attributes or map(str, sensitive_eval.columns)))
    cuts = _edges_from(sensitive_fit, bins)
    score_fit = np.asarray(score_fit, dtype=float)
    score_eval = np.asarray(score_eval, dtype=float)
    y_fit01 = (np.asarray(y_fit).astype(str) == str(positive_class)).astype(int)
    y_eval01 = (np.asarray(y_eval).astype(str) == str(positive_class)).astype(int)
    band_edges = {n: (list(cuts[n]) if cuts.get(n) else None) for n in names}
    keys = np.asarray(group_keys({n: sensitive_fit[n].tolist() for n in names}, names,
                                 band_edges), dtype=object)
    pooled = _pool_small(keys, y_fit01, spec.min_group_size)
    optimizer = ThresholdOptimizer(estimator=_ScorePassthrough().fit(None, None),
                                   constraints=constraints, prefit=True,
                                   predict_method="predict_proba")
    X_scores = pd.DataFrame({"score": score_fit})
    optimizer.fit(X_scores, y_fit01, sensitive_features=pooled)
    pmf = np.asarray(optimizer._pmf_predict(X_scores, sensitive_features=pooled),
                     dtype=float)[:, 1]  # the randomised rule's chance of a positive
    rules = _deterministic(score_fit, pooled, pmf, names, band_edges, threshold)
    cut_eval = rules.for_columns({n: sensitive_eval[n].tolist() for n in names})
    pred_before = (score_eval >= threshold).astype(int)
    pred_after = (score_eval >= cut_eval).astype(int)
    kw = dict(positive_class=1, spec_fairness=spec_fairness, primary=primary, bins=cuts,
              n_boot=n_boot, random_state=random_state, threshold=threshold)
    before = audit_fairness(y_eval01, pred_before, score_eval, sensitive_eval, **kw)
    after = audit_fairness(y_eval01, pred_after, score_eval, sensitive_eval, **kw)
    return MitigationResult(before, after, constraints, " & ".join(names), optimizer, rules,
                            float(np.mean(pred_before == y_eval01)),
                            float(np.mean(pred_after == y_eval01)))


def _cut_for_rate(scores: np.ndarray, rate: float) -> float:
    """The cut-off that selects ``rate`` of ``scores`` (``score >= cut``)."""
    k = int(round(rate * len(scores)))
    if k <= 0:
        return float(np.nextafter(scores.max(), np.inf))
    return float(np.sort(scores)[::-1][min(k, len(scores)) - 1])


def _deterministic(scores: np.ndarray, groups: np.ndarray, pmf: np.ndarray,
                   names: list[str], bins: dict[str, list[float] | None],
                   threshold: float) -> GroupThresholds:
    """One cut-off per group with the randomised rule's expected selection rate."""
    cuts, rates, default = {}, {}, threshold
    for group in pd.unique(groups):
        mask = groups == group
        rate = float(pmf[mask].mean())
        cut = _cut_for_rate(scores[mask], rate)
        if group == POOLED:
            default = cut
        else:
            cuts[str(group)], rates[str(group)] = cut, rate
    return GroupThresholds(attributes=tuple(names), bins=bins, thresholds=cuts,
                           default=default, rates=rates)


def _pool_small(keys: np.ndarray, y01: np.ndarray, min_size: int) -> np.ndarray:
    """Merge groups too small (or with one label only) on the fit rows into one."""
    stats = pd.DataFrame({"g": keys, "y": y01}).groupby("g")["y"].agg(["size", "mean"])
    ok = stats[(stats["size"] >= min_size) & (stats["mean"] > 0) & (stats["mean"] < 1)].index
    return np.where(np.isin(keys, np.asarray(ok, dtype=object)), keys, POOLED)


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


class _ScorePassthrough(ClassifierMixin, BaseEstimator):
    """A "classifier" whose input is its score: lets ``ThresholdOptimizer`` (``prefit``)
    work on out-of-fold scores instead of re-scoring the training rows in sample."""

    def fit(self, X: Any, y: Any) -> _ScorePassthrough:
        """Mark as fitted; there is nothing to learn."""
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        p = np.asarray(X, dtype=float).reshape(-1)
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)
