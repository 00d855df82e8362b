"""Business value of a model: expected value at a threshold, the best threshold, lift.

Classification uses the spec's cost matrix: a true positive is worth
``true_positive_value``, a false positive costs ``false_positive_cost`` and a false
negative ``false_negative_cost`` (a true negative is worth nothing). Regression uses
``cost_per_unit_error`` times the absolute error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from mlsprint.spec.model import CostMatrix

__all__ = ["BusinessReport", "business_value", "gain_curve"]

_CURVE_POINTS = 20


@dataclass(frozen=True, slots=True)
class BusinessReport:
    """Value of acting on the model's output, in the spec's currency.

    For classification ``value`` is the total over the rows at ``threshold`` and
    ``best_threshold`` the cut-off that maximises it; ``fractions``/``lift``/``gain``
    trace the lift and cumulative gain curves (share of rows targeted, best scores
    first). For regression ``value`` is minus the total cost of errors.
    """

    task: str
    n_rows: int
    threshold: float | None
    value: float
    value_per_row: float
    best_threshold: float | None = None
    best_value: float | None = None
    confusion: dict[str, int] = field(default_factory=dict)
    fractions: tuple[float, ...] = ()
    lift: tuple[float, ...] = ()
    gain: tuple[float, ...] = ()
    value_if_all_positive: float | None = None
    value_if_none: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gain_curve(y01: Any, y_score: Any, *, n_points: int = _CURVE_POINTS
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative gain and lift when targeting the top fraction of rows by score.

    Returns ``fractions`` (``1/n_points ... 1``), ``gain`` (share of all positives among
    the targeted rows) and ``lift`` (targeted positive rate / overall positive rate).
    Ties in score are broken by row order after a stable sort.
    """
    y = np.asarray(y01, dtype=float)
    order = np.argsort(-np.asarray(y_score, dtype=float), kind="stable")
    captured = np.cumsum(y[order])
    fractions = np.arange(1, n_points + 1) / n_points
    k = np.maximum(1, np.ceil(fractions * len(y)).astype(int))
    total = captured[-1]
    gain = captured[k - 1] / total if total > 0 else np.zeros(len(k))
    base_rate = total / len(y)
    lift = (captured[k - 1] / k) / base_rate if base_rate > 0 else np.zeros(len(k))
    return fractions, gain, lift


def _value_by_threshold(y: np.ndarray, s: np.ndarray, cm: CostMatrix
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Total value when predicting positive for score >= t, for every distinct t."""
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(1 - y_sorted)
    last = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), len(s) - 1]  # end of tie groups
    tp, fp, thresholds = tp[last], fp[last], s_sorted[last]
    fn = y.sum() - tp
    value = tp * cm.true_positive_value - fp * cm.false_positive_cost - fn * cm.false_negative_cost
    none = -y.sum() * cm.false_negative_cost  # nobody targeted
    return np.r_[np.inf, thresholds], np.r_[none, value]


def _confusion(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, int]:
    pred = s >= threshold
    return {"tp": int(np.sum(pred & (y == 1))), "fp": int(np.sum(pred & (y == 0))),
            "fn": int(np.sum(~pred & (y == 1))), "tn": int(np.sum(~pred & (y == 0)))}


def _classification(y01: np.ndarray, s: np.ndarray, cm: CostMatrix,
                    threshold: float) -> BusinessReport:
    conf = _confusion(y01, s, threshold)
    value = (conf["tp"] * cm.true_positive_value - conf["fp"] * cm.false_positive_cost
             - conf["fn"] * cm.false_negative_cost)
    thresholds, values = _value_by_threshold(y01, s, cm)
    best = int(np.argmax(values))
    fractions, gain, lift = gain_curve(y01, s)
    return BusinessReport(
        task="binary", n_rows=len(y01), threshold=float(threshold), value=float(value),
        value_per_row=float(value / len(y01)), best_threshold=float(thresholds[best]),
        best_value=float(values[best]), confusion=conf,
        fractions=tuple(map(float, fractions)), lift=tuple(map(float, lift)),
        gain=tuple(map(float, gain)), value_if_all_positive=float(values[-1]),
        value_if_none=float(values[0]),
    )


def business_value(y_true: Any, y_score: Any, *, cost_matrix: CostMatrix, task: str,
                   threshold: float = 0.5, positive_class: Any = None) -> BusinessReport:
    """Expected value of acting on the model, the value-maximising threshold and lift.

    Parameters
    ----------
    y_true : array-like
        Labels (binary) or values (regression).
    y_score : array-like
        Positive-class probability (binary) or predicted values (regression).
    cost_matrix : CostMatrix
        ``spec.business.cost_matrix``.
    task : {"binary", "regression"}
    threshold : float, default 0.5
        The operating cut-off (binary): rows with ``y_score >= threshold`` are acted on.
    positive_class : optional
        The positive label; ``y_true`` must be 0/1 when omitted.

    Returns
    -------
    BusinessReport

    Examples
    --------
    >>> cm = CostMatrix(true_positive_value=10, false_positive_cost=2, false_negative_cost=0)
    >>> r = business_value([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1], cost_matrix=cm, task="binary")
    >>> r.value, r.best_value
    (8.0, 18.0)
    """
    s = np.asarray(y_score, dtype=float)
    if task == "regression":
        if cost_matrix.cost_per_unit_error is None:
            raise ValueError("a regression business value needs "
                             "business.cost_matrix.cost_per_unit_error; got None. Add it "
                             "to the spec or leave business.cost_matrix out")
        err = np.abs(np.asarray(y_true, dtype=float) - s)
        cost = float(cost_matrix.cost_per_unit_error * err.sum())
        return BusinessReport(task="regression", n_rows=len(s), threshold=None,
                              value=-cost, value_per_row=-cost / len(s))
    if task != "binary":
        raise ValueError(f"business value is defined for binary and regression tasks; "
                         f"got {task!r}. Leave business.cost_matrix out for {task} tasks")
    y = np.asarray(y_true)
    if positive_class is not None:
        y01 = (y.astype(str) == str(positive_class)).astype(int)
    else:
        y01 = y.astype(int)
    return _classification(y01, s, cost_matrix, threshold)
