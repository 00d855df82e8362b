"""Model performance in production: estimated without labels, measured with them, and the
health of the serving path.

* :func:`estimate_performance` — confidence-based performance estimation (as NannyML's
  CBPE) for binary classifiers: calibrate the scores with the isotonic map fitted on
  out-of-fold reference predictions, then read the expected accuracy, F1 and ROC AUC off
  the calibrated probabilities. The interval is the 2.5-97.5 % range of the metric over
  label draws ``y ~ Bernoulli(p)`` (the spread a correct calibration implies).
* :func:`performance_from_labels` — real metrics once outcomes arrive, with the drop
  against the reference judged by the spec's thresholds (relative drop: 5 % / 10 %).
* :func:`serving_health` — p95 latency and error rate of the prediction log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from mlsprint.monitoring.levels import level_of, worst
from mlsprint.spec.model import MonitoringSpec

__all__ = [
    "CBPEReport",
    "PerformanceReport",
    "ServingHealth",
    "calibrate",
    "estimate_performance",
    "performance_from_labels",
    "serving_health",
]


def calibrate(calibration: dict[str, Any] | None, scores: Any) -> np.ndarray:
    """Apply a stored isotonic map (from ``fit_calibration``); identity when ``None``."""
    p = np.asarray(scores, dtype="float64")
    if not calibration:
        return p
    return np.interp(p, calibration["x"], calibration["y"])


def _estimated_accuracy(p: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.where(y_pred == 1, p, 1 - p)))


def _estimated_f1(p: np.ndarray, y_pred: np.ndarray) -> float:
    tp = np.sum(np.where(y_pred == 1, p, 0))
    fp = np.sum(np.where(y_pred == 1, 1 - p, 0))
    fn = np.sum(np.where(y_pred == 0, p, 0))
    denom = tp + 0.5 * (fp + fn)
    return float(tp / denom) if denom > 0 else float("nan")


def _estimated_roc_auc(p: np.ndarray, scores: np.ndarray) -> float:
    order = np.argsort(scores, kind="stable")[::-1]
    tps = np.r_[0.0, np.cumsum(p[order])]
    fps = np.r_[0.0, 1 + np.arange(p.size) - np.cumsum(p[order])]
    tps, fps = np.round(tps, 5), np.round(fps, 5)
    if tps[-1] <= 0 or fps[-1] <= 0:
        return float("nan")
    return float(np.trapezoid(tps / tps[-1], fps / fps[-1]))


@dataclass(frozen=True, slots=True)
class CBPEReport:
    """Label-free performance estimates with their intervals."""

    n: int
    estimates: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    reference: dict[str, float] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)

    @property
    def level(self) -> str:
        return worst(self.levels.values())

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["intervals"] = {k: list(v) for k, v in self.intervals.items()}
        out["level"] = self.level
        return out


def estimate_performance(reference_calibration: dict[str, Any] | None, current_proba: Any, *,
                         classes: tuple | list = (0, 1), positive_class: Any = 1,
                         threshold: float = 0.5, reference_performance: dict | None = None,
                         spec_monitoring: MonitoringSpec | None = None, n_draws: int = 200,
                         random_state: int = 0) -> CBPEReport:
    """Estimate accuracy, F1 and ROC AUC of a binary classifier without labels.

    Parameters
    ----------
    reference_calibration : dict or None
        Isotonic map from ``fit_calibration`` on out-of-fold predictions; ``None`` trusts
        the scores as they are.
    current_proba : array
        Probability of ``positive_class`` per row, or the full matrix in ``classes`` order.
    threshold : float
        Decision threshold that turns a score into the predicted class.
    reference_performance : dict, optional
        Reference metrics; a drop beyond the spec's ``metric_drop`` thresholds sets a level.

    Examples
    --------
    >>> import numpy as np
    >>> rep = estimate_performance(None, np.array([0.9, 0.8, 0.1, 0.2]))
    >>> round(rep.estimates["accuracy"], 3)
    0.85
    """
    scores = np.asarray(current_proba, dtype="float64")
    if len(classes) != 2 or str(positive_class) not in map(str, classes):
        raise ValueError(f"estimate_performance supports binary classifiers with the positive "
                         f"class among two classes; got classes={list(classes)!r}, "
                         f"positive_class={positive_class!r}")
    if scores.ndim == 2:
        scores = scores[:, list(map(str, classes)).index(str(positive_class))]
    p = calibrate(reference_calibration, scores)
    y_pred = (scores >= threshold).astype(int)
    metrics = {"accuracy": lambda y: _estimated_accuracy(y, y_pred),
               "f1": lambda y: _estimated_f1(y, y_pred),
               "roc_auc": lambda y: _estimated_roc_auc(y, scores)}
    estimates = {name: fn(p) for name, fn in metrics.items()}
    intervals = _draw_intervals(p, metrics, n_draws, random_state)
    reference = {k: float(v) for k, v in (reference_performance or {}).items() if k in metrics}
    spec = spec_monitoring or MonitoringSpec()
    levels = {k: _drop_level(reference[k], estimates[k], spec) for k in reference}
    return CBPEReport(int(scores.size), estimates, intervals, reference, levels)


def _draw_intervals(p: np.ndarray, metrics: dict, n_draws: int, random_state: int
                    ) -> dict[str, tuple[float, float]]:
    rng = np.random.default_rng(random_state)
    draws: dict[str, list[float]] = {k: [] for k in metrics}
    for _ in range(n_draws):
        y = (rng.random(p.size) < p).astype("float64")
        for name, fn in metrics.items():
            draws[name].append(fn(y))
    return {k: (float(np.nanpercentile(v, 2.5)), float(np.nanpercentile(v, 97.5)))
            for k, v in draws.items()}


def _drop_level(reference: float, current: float, spec: MonitoringSpec) -> str:
    if not (np.isfinite(reference) and np.isfinite(current)) or reference == 0:
        return "ok"
    drop = (reference - current) / abs(reference)
    return level_of(drop, warning=spec.metric_drop.warning, critical=spec.metric_drop.critical)


@dataclass(frozen=True, slots=True)
class PerformanceReport:
    """Measured metrics of a labelled window against the reference."""

    n: int
    metrics: dict[str, float]
    reference: dict[str, float]
    drops: dict[str, float]
    levels: dict[str, str]

    @property
    def level(self) -> str:
        return worst(self.levels.values())

    def to_dict(self) -> dict[str, Any]:
        return dict(asdict(self), level=self.level)


def performance_from_labels(y_true: Any, y_pred: Any, *, reference: dict[str, float],
                            task: str, y_score: Any = None, positive_class: Any = None,
                            spec_monitoring: MonitoringSpec | None = None
                            ) -> PerformanceReport:
    """Real performance of a labelled window; the relative drop of each metric present in
    ``reference`` is judged against ``spec_monitoring.metric_drop`` (5 % / 10 %).

    Metrics where lower is better (``rmse``, ``mae``, ``log_loss``) count a rise as a drop.
    """
    from sklearn import metrics as skm

    spec = spec_monitoring or MonitoringSpec()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    values: dict[str, float] = {}
    if task == "regression":
        values["rmse"] = float(np.sqrt(skm.mean_squared_error(y_true, y_pred)))
        values["mae"] = float(skm.mean_absolute_error(y_true, y_pred))
        values["r2"] = float(skm.r2_score(y_true, y_pred))
    else:
        values["accuracy"] = float(skm.accuracy_score(y_true.astype(str), y_pred.astype(str)))
        values["balanced_accuracy"] = float(skm.balanced_accuracy_score(
            y_true.astype(str), y_pred.astype(str)))
        if task == "binary" and positive_class is not None:
            pos = str(positive_class)
            values["f1"] = float(skm.f1_score(y_true.astype(str), y_pred.astype(str),
                                              pos_label=pos))
            if y_score is not None and len(set(y_true.astype(str))) == 2:
                values["roc_auc"] = float(skm.roc_auc_score(y_true.astype(str) == pos, y_score))
    drops, levels = {}, {}
    for name, ref in reference.items():
        if name not in values or not ref:
            continue
        lower_better = name in ("rmse", "mae", "log_loss", "brier")
        drop = (values[name] - ref) / abs(ref) * (1 if lower_better else -1)
        drops[name] = float(drop)
        levels[name] = level_of(drop, warning=spec.metric_drop.warning,
                                critical=spec.metric_drop.critical)
    return PerformanceReport(int(y_true.size), values, dict(reference), drops, levels)


@dataclass(frozen=True, slots=True)
class ServingHealth:
    """Latency and errors of the prediction log in one window."""

    n_requests: int
    latency_p95_ms: float
    error_rate: float
    levels: dict[str, str]

    @property
    def level(self) -> str:
        return worst(self.levels.values())

    def to_dict(self) -> dict[str, Any]:
        return dict(asdict(self), level=self.level)


def serving_health(latencies_ms: Any, errors: Any, spec_monitoring: MonitoringSpec | None = None
                   ) -> ServingHealth:
    """p95 latency and error rate against the spec (500 / 1000 ms; 1 % / 5 %).

    ``errors`` is one flag per request (truthy for a failed request).
    """
    spec = spec_monitoring or MonitoringSpec()
    lat = np.asarray(latencies_ms, dtype="float64")
    err = np.asarray(errors, dtype=bool)
    if lat.size != err.size:
        raise ValueError(f"latencies_ms and errors must have one entry per request: "
                         f"got {lat.size} and {err.size}")
    finite = lat[np.isfinite(lat)]
    p95 = float(np.percentile(finite, 95)) if finite.size else float("nan")
    rate = float(err.mean()) if err.size else 0.0
    levels = {
        "latency_p95": level_of(p95, warning=spec.latency_p95_ms.warning,
                                critical=spec.latency_p95_ms.critical),
        "error_rate": level_of(rate, warning=spec.error_rate.warning,
                               critical=spec.error_rate.critical),
    }
    return ServingHealth(int(err.size), p95, rate, levels)
