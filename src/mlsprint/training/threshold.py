"""The decision threshold of a binary classifier, tuned on out-of-fold probabilities.

With a cost matrix in the spec the threshold maximises the business value
``TP * true_positive_value - FP * false_positive_cost - FN * false_negative_cost``;
without one it maximises F1 of the positive class. A row is predicted positive when its
probability is at least the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mlsprint.spec.model import CostMatrix

__all__ = ["ThresholdChoice", "tune_threshold"]


@dataclass(frozen=True, slots=True)
class ThresholdChoice:
    """The tuned threshold, the objective it maximised and the value reached."""

    threshold: float
    objective: str
    value: float

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "objective": self.objective,
                "value": self.value}


def _uses_costs(cost_matrix: CostMatrix | None) -> bool:
    if cost_matrix is None:
        return False
    return any(v != 0 for v in (cost_matrix.true_positive_value,
                                cost_matrix.false_positive_cost,
                                cost_matrix.false_negative_cost))


def tune_threshold(y01: Any, proba: Any, *, cost_matrix: CostMatrix | None = None,
                   sample_weight: Any = None) -> ThresholdChoice:
    """Pick the threshold on ``proba`` that maximises value (cost matrix) or F1.

    Every distinct probability is a candidate (all of them: the counts are cumulative
    sums over the sorted rows, so this is exact and O(n log n)).

    Parameters
    ----------
    y01 : array of {0, 1}
        1 for the positive class.
    proba : array of float
        Probability of the positive class; NaN rows are ignored.
    cost_matrix : CostMatrix, optional
        Business values; when absent or all zero, F1 of the positive class is used.
    sample_weight : array, optional

    Examples
    --------
    >>> tune_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).threshold
    0.35
    """
    y = np.asarray(y01, dtype=float)
    p = np.asarray(proba, dtype=float)
    w = np.ones_like(p) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    keep = np.isfinite(p)
    y, p, w = y[keep], p[keep], w[keep]
    if len(p) == 0:
        raise ValueError("cannot tune a threshold on zero rows (all probabilities are NaN)")
    order = np.argsort(-p, kind="mergesort")
    p_sorted, tp_w, fp_w = p[order], (w * y)[order], (w * (1 - y))[order]
    last_of_value = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    # candidate 0 predicts no positive at all (a threshold above every probability)
    tp = np.r_[0.0, np.cumsum(tp_w)[last_of_value]]
    fp = np.r_[0.0, np.cumsum(fp_w)[last_of_value]]
    fn = tp_w.sum() - tp
    thresholds = np.r_[np.nextafter(p_sorted[0], np.inf), p_sorted[last_of_value]]
    if _uses_costs(cost_matrix):
        assert cost_matrix is not None
        value = (tp * cost_matrix.true_positive_value - fp * cost_matrix.false_positive_cost
                 - fn * cost_matrix.false_negative_cost)
        objective = "business_value"
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        objective = "f1"
    best = int(np.argmax(value))
    return ThresholdChoice(float(thresholds[best]), objective, float(value[best]))
