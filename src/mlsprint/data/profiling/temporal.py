"""Temporal aspects: a time column means a temporal split; drift of the target over time;
rows out of time order; rows whose order carries the target (neighbours alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.profiling.associations import chi2_statistic, spearman_matrix
from mlsprint.data.profiling.findings import (
    ROW_ORDER_EFFECT,
    ROW_ORDER_Z,
    TREND_P,
    TREND_RHO,
    Finding,
    finding,
)
from mlsprint.data.profiling.leakage import target_matrix
from mlsprint.data.profiling.summary import Kind, numeric_values

__all__ = [
    "N_PERIODS",
    "TimeFacts",
    "row_order_statistic",
    "target_trend",
    "temporal_findings",
    "time_facts",
]

N_PERIODS = 10
ORDERED_SHARE = 0.99


@dataclass(frozen=True, slots=True)
class TimeFacts:
    """How the rows relate to the time column."""

    column: str
    ordered: bool
    backward_steps: int
    steps: int
    start: float
    end: float


def time_facts(series: pd.Series, kind: Kind) -> TimeFacts:
    """Order facts of a time column: share of row-to-row steps that go backwards."""
    t = numeric_values(series, kind)
    present = t[np.isfinite(t)]
    steps = np.diff(present)
    backward = int((steps < 0).sum())
    ordered = bool(steps.size) and (1 - backward / steps.size) >= ORDERED_SHARE
    return TimeFacts(column=str(series.name), ordered=ordered, backward_steps=backward,
                     steps=int(steps.size), start=float(present.min()) if present.size else
                     float("nan"), end=float(present.max()) if present.size else float("nan"))


def target_trend(time: np.ndarray, y: pd.Series, *, task: str, positive_class: Any = None
                 ) -> dict[str, Any]:
    """The target by equal-count period of time, with a trend statistic and its p-value.

    Spearman's rho between time and the target (binary: the positive indicator), or
    Cramer's V between period and class (multiclass) with a chi-square p-value.
    """
    from scipy import special

    ok = np.isfinite(time) & y.notna().to_numpy()
    t, yy = time[ok], y[ok]
    if len(t) < 2 * N_PERIODS:
        return {}
    order = np.argsort(t, kind="stable")
    period = np.empty(len(t), dtype=np.int64)
    period[order] = np.arange(len(t)) * N_PERIODS // len(t)
    Y, labels = target_matrix(yy, task, positive_class)
    per_period = [Y[period == p].mean(axis=0).round(6).tolist() for p in range(N_PERIODS)]
    if Y.shape[1] == 1:
        per_period = [v[0] for v in per_period]
    if task == "multiclass":
        table = np.stack([Y[period == p].sum(axis=0) for p in range(N_PERIODS)])
        table = table[:, table.sum(axis=0) > 0]
        chi2, dof = chi2_statistic(table)
        effect = float(np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1))))
        p_value, name = float(special.chdtrc(dof, chi2)), "cramers_v"
    else:
        effect = float(spearman_matrix(np.column_stack([t, Y[:, 0]]))[0, 1])
        df = len(t) - 2
        stat = effect * np.sqrt(df / max(1.0 - effect * effect, 1e-300))
        p_value, name = float(2 * special.stdtr(df, -abs(stat))), "spearman_rho"
    return {"statistic": name, "effect": effect, "p_value": float(p_value),
            "periods": N_PERIODS, "per_period": per_period}


def row_order_statistic(y: pd.Series, *, task: str, positive_class: Any = None
                        ) -> dict[str, float]:
    """How alike neighbouring rows' targets are, against rows in random order.

    Regression: lag-1 autocorrelation ``r`` with ``z = r * sqrt(n)``. Classification: the
    share of rows with the same class as the row before against its expectation
    ``sum(p_k^2)`` under random order, effect = observed - expected, with a normal z.
    """
    yy = y.dropna()
    n = len(yy)
    if n < 3:
        return {}
    if task == "regression":
        v = yy.to_numpy(dtype="float64")
        v = v - v.mean()
        denom = float((v * v).sum())
        r = float((v[1:] * v[:-1]).sum() / denom) if denom else 0.0
        return {"statistic": "lag1_autocorrelation", "effect": r, "z": r * np.sqrt(n)}
    codes, _ = pd.factorize(yy)
    same = float((codes[1:] == codes[:-1]).mean())
    p = np.bincount(codes) / n
    expected = float((p * p).sum())
    sd = np.sqrt(expected * (1 - expected) / (n - 1)) or 1.0
    return {"statistic": "same_class_as_previous_row", "effect": same - expected,
            "observed": same, "expected": expected, "z": (same - expected) / sd}


def _time_findings(facts: TimeFacts, trend: dict[str, Any], kind: Kind) -> list[Finding]:
    out = [finding(
        "temporal_split", "warning", [facts.column],
        f"{facts.column!r} is a time column"
        + (" and the rows are in time order" if facts.ordered else ""),
        "the split is temporal: train on the past, the holdout is the latest period "
        "(a random split would let the model see the future)",
        rows_in_time_order=facts.ordered, backward_steps=facts.backward_steps,
        start=_when(facts.start, kind), end=_when(facts.end, kind))]
    if facts.backward_steps:
        share = facts.backward_steps / max(facts.steps, 1)
        out.append(finding(
            "temporal_out_of_order", "info", [facts.column],
            f"{facts.backward_steps:,} rows ({share:.1%}) are earlier than the row before",
            "the temporal split sorts by time"
            + ("; the rows are nearly in order, so row order may be the true time order"
               if facts.ordered else ""),
            backward_steps=facts.backward_steps, share=share))
    if trend and trend["p_value"] < TREND_P and abs(trend["effect"]) >= TREND_RHO:
        first, last = trend["per_period"][0], trend["per_period"][-1]
        out.append(finding(
            "temporal_target_trend", "warning", [facts.column],
            f"the target drifts over time ({trend['statistic']} {trend['effect']:.3f}, "
            f"p={trend['p_value']:.1e}); first tenth {first}, last tenth {last}",
            "validate on the latest period; monitor drift after release",
            **{k: v for k, v in trend.items() if k != "per_period"},
            first_period=first, last_period=last))
    return out


def _when(value: float, kind: Kind) -> Any:
    if kind == "datetime" and np.isfinite(value):
        return pd.Timestamp(value, unit="s").isoformat()
    return value


def temporal_findings(facts: TimeFacts | None, trend: dict[str, Any], order: dict[str, float],
                      *, kind: Kind | None = None, target: str = "") -> list[Finding]:
    """Findings for the time column (if any) and for the row order of the target."""
    out = _time_findings(facts, trend, kind or "numeric") if facts else []
    if order and order["z"] >= ROW_ORDER_Z and order["effect"] >= ROW_ORDER_EFFECT:
        ordered = facts is not None and facts.ordered
        out.append(finding(
            "row_order", "warning", [target],
            f"neighbouring rows have alike targets ({order['statistic']}: effect "
            f"{order['effect']:.3f}, z={order['z']:.1f}): the rows are sorted by something "
            "related to the target", "folds are shuffled; if the row order is time order, "
            "set split.strategy: temporal" + ("" if not ordered else
                                              " (the time column says it is)"),
            **order))
    return out
