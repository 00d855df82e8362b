"""The fairness audit of a binary classifier on the holdout.

Per group (each protected attribute, numeric ones in bands, and each pair of
attributes): size, selection rate, true and false positive rates, precision and the
primary metric, computed with Fairlearn's ``MetricFrame``. Across the groups large
enough to judge (``min_group_size``): the demographic parity ratio and difference and
the equalized odds difference, each with a percentile bootstrap interval.

Verdict per disparity: ``fail`` when the whole interval lies beyond the threshold,
``review`` when it straddles it, ``pass`` otherwise. An attribute with fewer than two
judged groups is ``not_judged``. The report fails when any attribute fails, needs review
when any needs review, and passes otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.evaluation.bootstrap import Interval, bootstrap_indices, percentile_interval
from mlsprint.fairness.groups import group_labels, group_sort_key, intersections
from mlsprint.spec.model import FairnessSpec

__all__ = ["AttributeAudit", "Disparity", "FairnessReport", "GroupMetrics", "audit_fairness",
           "combine_verdicts"]

_ORDER = {"fail": 3, "review": 2, "pass": 1, "not_judged": 0}


@dataclass(frozen=True, slots=True)
class GroupMetrics:
    """One group's figures; ``judged`` is False below the minimum group size."""

    group: str
    size: int
    judged: bool
    selection_rate: float
    true_positive_rate: float
    false_positive_rate: float
    precision: float
    primary: float


@dataclass(frozen=True, slots=True)
class Disparity:
    """A disparity across the judged groups, its interval, threshold and verdict."""

    name: str
    interval: Interval
    threshold: float | None
    direction: str  # "min": at least threshold; "max": at most; "none": reported only
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "interval": self.interval.to_dict()}


@dataclass(frozen=True, slots=True)
class AttributeAudit:
    """The audit of one attribute or one intersection of two."""

    attribute: str
    groups: tuple[GroupMetrics, ...]
    disparities: tuple[Disparity, ...]
    verdict: str
    reason: str

    def disparity(self, name: str) -> Disparity:
        for d in self.disparities:
            if d.name == name:
                return d
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "groups": [asdict(g) for g in self.groups],
                "disparities": [d.to_dict() for d in self.disparities],
                "verdict": self.verdict, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class FairnessReport:
    """Audits of every attribute and pair, and the overall verdict."""

    attributes: tuple[AttributeAudit, ...]
    verdict: str
    reasons: tuple[str, ...]
    primary: str
    thresholds: dict[str, float]
    n_boot: int

    def __getitem__(self, attribute: str) -> AttributeAudit:
        for a in self.attributes:
            if a.attribute == attribute:
                return a
        raise KeyError(attribute)

    def to_dict(self) -> dict[str, Any]:
        return {"attributes": [a.to_dict() for a in self.attributes], "verdict": self.verdict,
                "reasons": list(self.reasons), "primary": self.primary,
                "thresholds": dict(self.thresholds), "n_boot": self.n_boot}


def combine_verdicts(verdicts: Sequence[str]) -> str:
    """The worst verdict; ``review`` when nothing could be judged."""
    judged = [v for v in verdicts if v != "not_judged"]
    return max(judged, key=_ORDER.__getitem__) if judged else "review"


def _binary(values: Any, positive_class: Any) -> np.ndarray:
    arr = np.asarray(values)
    hit = arr == positive_class
    if not np.any(hit):
        hit = arr.astype(str) == str(positive_class)
    return np.asarray(hit, dtype=int)


def _metric_frame(y01: np.ndarray, pred01: np.ndarray, y_score: np.ndarray, groups: pd.Series,
                  primary: str, threshold: float) -> pd.DataFrame:
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import precision_score

    from mlsprint.evaluation.metrics import score

    def primary_metric(y_true: Any, y_pred: Any, y_score: Any) -> float:
        try:
            return score(primary, y_true, y_score, task="binary", positive_class=1,
                         threshold=threshold)
        except ValueError:
            return float("nan")

    frame = MetricFrame(
        metrics={
            "size": count, "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
            "precision": lambda t, p: precision_score(t, p, zero_division=np.nan),
            "primary": primary_metric,
        },
        y_true=y01, y_pred=pred01, sensitive_features=groups.to_numpy(),
        sample_params={"primary": {"y_score": y_score}},
    )
    return frame.by_group


def _rates(y01: np.ndarray, pred01: np.ndarray, codes: np.ndarray, k: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Selection rate, TPR and FPR per group code (NaN where undefined)."""
    n = np.bincount(codes, minlength=k).astype(float)
    pos = np.bincount(codes, weights=y01, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        sel = np.bincount(codes, weights=pred01, minlength=k) / n
        tpr = np.bincount(codes, weights=y01 * pred01, minlength=k) / pos
        fpr = np.bincount(codes, weights=(1 - y01) * pred01, minlength=k) / (n - pos)
    return sel, tpr, fpr


def _disparities(sel: np.ndarray, tpr: np.ndarray, fpr: np.ndarray) -> tuple[float, ...]:
    """(DP ratio, DP difference, EO difference) over the groups given."""
    def spread(x: np.ndarray) -> float:
        x = x[np.isfinite(x)]
        return float(x.max() - x.min()) if len(x) > 1 else float("nan")

    s = sel[np.isfinite(sel)]
    if len(s) < 2:
        return float("nan"), float("nan"), float("nan")
    ratio = float(s.min() / s.max()) if s.max() > 0 else 1.0
    return ratio, spread(sel), float(np.nanmax([spread(tpr), spread(fpr)]))


def _verdict(interval: Interval, threshold: float, direction: str) -> str:
    if not np.isfinite(interval.estimate) or not np.isfinite(interval.low):
        return "not_judged"
    low, high = interval.low, interval.high
    if direction == "min":  # at least threshold
        return "fail" if high < threshold else "review" if low < threshold else "pass"
    return "fail" if low > threshold else "review" if high > threshold else "pass"


def _audit_one(name: str, groups: pd.Series, y01: np.ndarray, pred01: np.ndarray,
               y_score: np.ndarray, spec: FairnessSpec, indices: np.ndarray,
               primary: str, threshold: float) -> AttributeAudit:
    table = _metric_frame(y01, pred01, y_score, groups, primary, threshold)
    judged_names = [str(g) for g, size in table["size"].items() if size >= spec.min_group_size]
    rows = tuple(
        GroupMetrics(group=str(g), size=int(r["size"]), judged=str(g) in judged_names,
                     selection_rate=float(r["selection_rate"]),
                     true_positive_rate=float(r["true_positive_rate"]),
                     false_positive_rate=float(r["false_positive_rate"]),
                     precision=float(r["precision"]), primary=float(r["primary"]))
        for g, r in sorted(table.iterrows(), key=lambda item: group_sort_key(str(item[0])))
    )
    keep = groups.astype(str).isin(judged_names).to_numpy()
    if len(judged_names) < 2:
        reason = (f"{len(judged_names)} group(s) of at least {spec.min_group_size} rows; "
                  "two are needed to compare")
        return AttributeAudit(name, rows, (), "not_judged", reason)
    codes = pd.Categorical(groups.astype(str), categories=judged_names).codes
    codes = np.where(keep, codes, len(judged_names))  # unjudged rows go to a spare code
    k = len(judged_names)
    point = _disparities(*(r[:k] for r in _rates(y01, pred01, codes, k + 1)))
    reps = np.array([_disparities(*(r[:k] for r in _rates(y01[i], pred01[i], codes[i], k + 1)))
                     for i in indices])
    specs = [("demographic_parity_ratio", spec.min_demographic_parity_ratio, "min"),
             ("demographic_parity_difference", None, "none"),
             ("equalized_odds_difference", spec.max_equalized_odds_difference, "max")]
    disparities = []
    for j, (dname, thr, direction) in enumerate(specs):
        iv = percentile_interval(point[j], reps[:, j])
        verdict = "not_judged" if thr is None else _verdict(iv, thr, direction)
        disparities.append(Disparity(dname, iv, thr, direction, verdict))
    verdict = combine_verdicts([d.verdict for d in disparities if d.direction != "none"])
    bad = [f"{d.name} {d.interval.estimate:.3f} [{d.interval.low:.3f}, {d.interval.high:.3f}]"
           f" vs {d.threshold}" for d in disparities if d.verdict in ("fail", "review")]
    reason = "; ".join(bad) if bad else "every judged disparity within its threshold"
    return AttributeAudit(name, rows, tuple(disparities), verdict, reason)


def audit_fairness(y_true: Any, y_pred_label: Any, y_score: Any, sensitive: pd.DataFrame, *,
                   positive_class: Any, spec_fairness: FairnessSpec | None = None,
                   primary: str = "roc_auc", threshold: float = 0.5,
                   bins: Mapping[str, Sequence[float] | None] | None = None,
                   pairwise: bool = True, n_boot: int = 1000,
                   random_state: int | None = None) -> FairnessReport:
    """Audit a binary classifier's outcomes across protected groups.

    Parameters
    ----------
    y_true, y_pred_label : array-like
        True and predicted labels (any label type).
    y_score : array-like
        Positive-class probability (for the primary metric per group).
    sensitive : DataFrame
        The protected columns of the same rows.
    positive_class : label
    spec_fairness : FairnessSpec, optional
        Thresholds and the minimum group size (``spec.gate.fairness``).
    primary : str, default "roc_auc"
        Metric shown per group.
    threshold : float, default 0.5
        Cut-off used when ``primary`` is a threshold metric.
    bins : dict of column to edges, optional
        Edges of numeric attributes (``ProtectedAttribute.bins``); quartile bands else.
    pairwise : bool, default True
        Also audit every pair of attributes.
    n_boot : int, default 1000
    random_state : int, optional

    Returns
    -------
    FairnessReport
    """
    spec = spec_fairness or FairnessSpec()
    y01 = _binary(y_true, positive_class).astype(float)
    pred01 = _binary(y_pred_label, positive_class).astype(float)
    scores = np.asarray(y_score, dtype=float)
    if not (len(y01) == len(pred01) == len(scores) == len(sensitive)):
        raise ValueError(f"y_true ({len(y01)}), y_pred_label ({len(pred01)}), y_score "
                         f"({len(scores)}) and sensitive ({len(sensitive)}) must have the "
                         "same number of rows")
    labels = group_labels(sensitive.reset_index(drop=True), bins=bins)
    sets = intersections(labels) if pairwise else {c: labels[c] for c in labels.columns}
    indices = bootstrap_indices(len(y01), n_boot=n_boot, random_state=random_state)
    audits = tuple(_audit_one(name, groups, y01, pred01, scores, spec, indices, primary,
                              threshold) for name, groups in sets.items())
    verdict = combine_verdicts([a.verdict for a in audits]) if audits else "not_evaluated"
    reasons = tuple(f"{a.attribute}: {a.verdict} ({a.reason})" for a in audits
                    if a.verdict in ("fail", "review"))
    thresholds = {"min_demographic_parity_ratio": spec.min_demographic_parity_ratio,
                  "max_equalized_odds_difference": spec.max_equalized_odds_difference,
                  "min_group_size": float(spec.min_group_size)}
    return FairnessReport(audits, verdict, reasons, primary, thresholds, int(n_boot))
