"""Calibration of binary probabilities: reliability curve, Brier score, ECE, recalibration.

``choose_recalibration`` decides out of fold: it cross-validates isotonic regression and
Platt scaling on the out-of-fold probabilities of training and keeps one only when it
lowers the cross-validated Brier score by a clear margin. ``RecalibratedClassifier``
applies the choice to a fitted pipeline without refitting it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "CalibrationReport",
    "RecalibratedClassifier",
    "RecalibrationChoice",
    "assess_calibration",
    "brier_score",
    "choose_recalibration",
    "expected_calibration_error",
    "reliability_curve",
]

Method = Literal["none", "isotonic", "sigmoid"]
_EPS = 1e-6


def _y01(y_true: Any, positive_class: Any) -> np.ndarray:
    y = np.asarray(y_true)
    if positive_class is None:
        return y.astype(int)
    hit = y == positive_class
    if not np.any(hit):
        hit = y.astype(str) == str(positive_class)
    return np.asarray(hit, dtype=int)


def brier_score(y_true: Any, y_prob: Any, *, positive_class: Any = None) -> float:
    """Mean squared difference between the outcome (0/1) and the probability.

    Examples
    --------
    >>> brier_score([0, 1], [0.0, 0.5])
    0.125
    """
    y = _y01(y_true, positive_class)
    p = np.asarray(y_prob, dtype=float)
    return float(np.mean((p - y) ** 2))


def _bin_edges(p: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    if strategy == "quantile":
        return np.quantile(p, np.linspace(0, 1, n_bins + 1))
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    raise ValueError(f"strategy must be 'uniform' or 'quantile'; got {strategy!r}")


def reliability_curve(y_true: Any, y_prob: Any, *, n_bins: int = 10,
                      strategy: str = "uniform", positive_class: Any = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed frequency against mean probability per bin, and each bin's count.

    Bins as ``sklearn.calibration.calibration_curve`` cuts them; empty bins are dropped.

    Returns
    -------
    prob_true, prob_pred, counts : ndarray
    """
    y = _y01(y_true, positive_class)
    p = np.asarray(y_prob, dtype=float)
    edges = _bin_edges(p, n_bins, strategy)
    ids = np.searchsorted(edges[1:-1], p)
    counts = np.bincount(ids, minlength=len(edges))
    sums_true = np.bincount(ids, weights=y, minlength=len(edges))
    sums_pred = np.bincount(ids, weights=p, minlength=len(edges))
    keep = counts > 0
    return sums_true[keep] / counts[keep], sums_pred[keep] / counts[keep], counts[keep]


def expected_calibration_error(y_true: Any, y_prob: Any, *, n_bins: int = 10,
                               strategy: str = "uniform", positive_class: Any = None) -> float:
    """Bin-weighted mean absolute gap between observed frequency and mean probability.

    Examples
    --------
    >>> expected_calibration_error([0, 1, 1, 0], [0.0, 1.0, 1.0, 0.0])
    0.0
    """
    prob_true, prob_pred, counts = reliability_curve(
        y_true, y_prob, n_bins=n_bins, strategy=strategy, positive_class=positive_class)
    return float(np.sum(counts * np.abs(prob_true - prob_pred)) / np.sum(counts))


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    """Calibration of probabilities on one data set (binary tasks)."""

    brier: float
    ece: float
    prob_true: tuple[float, ...]
    prob_pred: tuple[float, ...]
    counts: tuple[int, ...]
    n_bins: int
    recalibration: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def assess_calibration(y_true: Any, y_prob: Any, *, positive_class: Any = None,
                       n_bins: int = 10, recalibration: str = "none") -> CalibrationReport:
    """Brier score, ECE and the reliability curve of binary probabilities."""
    prob_true, prob_pred, counts = reliability_curve(
        y_true, y_prob, n_bins=n_bins, positive_class=positive_class)
    return CalibrationReport(
        brier=brier_score(y_true, y_prob, positive_class=positive_class),
        ece=float(np.sum(counts * np.abs(prob_true - prob_pred)) / np.sum(counts)),
        prob_true=tuple(map(float, prob_true)), prob_pred=tuple(map(float, prob_pred)),
        counts=tuple(map(int, counts)), n_bins=n_bins, recalibration=recalibration,
    )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def _fit_map(method: str, p: np.ndarray, y: np.ndarray) -> Any:
    """A fitted map from raw probability to calibrated probability."""
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)
    if method == "sigmoid":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=1e6).fit(_logit(p)[:, None], y)
    raise ValueError(f"method must be 'isotonic' or 'sigmoid'; got {method!r}")


def _apply_map(method: str, mapping: Any, p: np.ndarray) -> np.ndarray:
    if method == "isotonic":
        return np.clip(mapping.predict(p), 0.0, 1.0)
    return mapping.predict_proba(_logit(p)[:, None])[:, 1]


@dataclass(frozen=True, slots=True)
class RecalibrationChoice:
    """The out-of-fold decision: cross-validated Brier score of each option."""

    method: str
    cv_brier: dict[str, float]
    min_gain: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def choose_recalibration(y_oof: Any, p_oof: Any, *, positive_class: Any = None,
                         n_splits: int = 5, min_gain: float = 0.02,
                         random_state: int | None = 0) -> RecalibrationChoice:
    """Choose ``none``, ``isotonic`` or ``sigmoid`` by cross-validating on OOF output.

    Each option maps the out-of-fold probabilities; its Brier score is measured on the
    folds it did not see. The better option is kept only when it lowers the Brier score
    of ``none`` by at least ``min_gain`` (relative) *and* the row-wise paired gain is
    more than two standard errors above zero, so a calibrated model stays as it is.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=2000); y = (rng.uniform(size=2000) < p).astype(int)
    >>> choose_recalibration(y, p).method
    'none'
    """
    from sklearn.model_selection import StratifiedKFold

    y = _y01(y_oof, positive_class)
    p = np.asarray(p_oof, dtype=float)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    sq = {"none": (p - y) ** 2, "isotonic": np.empty(len(y)), "sigmoid": np.empty(len(y))}
    for train, test in folds.split(p, y):
        for method in ("isotonic", "sigmoid"):
            mapping = _fit_map(method, p[train], y[train])
            sq[method][test] = (_apply_map(method, mapping, p[test]) - y[test]) ** 2
    cv = {k: float(v.mean()) for k, v in sq.items()}
    best = min(("isotonic", "sigmoid"), key=cv.__getitem__)
    gain = sq["none"] - sq[best]  # per row, paired
    stderr = float(gain.std(ddof=1) / np.sqrt(len(gain))) if len(gain) > 1 else np.inf
    helps = cv[best] <= cv["none"] * (1 - min_gain) and gain.mean() > 2 * stderr
    return RecalibrationChoice(method=best if helps else "none", cv_brier=cv,
                               min_gain=min_gain)


class RecalibratedClassifier(ClassifierMixin, BaseEstimator):
    """A fitted binary classifier whose probabilities pass through a calibration map.

    The wrapped ``estimator`` is used as fitted (never refitted). ``fit(X, y)`` learns the
    map from ``estimator``'s probabilities on ``X`` (a calibration set); pass
    ``oof_proba`` to learn it from out-of-fold probabilities of training instead.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba`` and two ``classes_``
    method : {"isotonic", "sigmoid"}
    """

    def __init__(self, estimator: Any = None, method: str = "isotonic") -> None:
        self.estimator = estimator
        self.method = method

    def fit(self, X: Any, y: Any, *, oof_proba: Any = None) -> RecalibratedClassifier:
        check_is_fitted(self.estimator)
        self.classes_ = np.asarray(self.estimator.classes_)
        if len(self.classes_) != 2:
            raise ValueError(
                f"RecalibratedClassifier handles binary classifiers; the estimator has "
                f"{len(self.classes_)} classes. Leave multiclass models uncalibrated"
            )
        if self.method not in ("isotonic", "sigmoid"):
            raise ValueError(f"The 'method' parameter of RecalibratedClassifier must be "
                             f"'isotonic' or 'sigmoid'. Got {self.method!r} instead.")
        p = (np.asarray(oof_proba, dtype=float) if oof_proba is not None
             else self.estimator.predict_proba(X)[:, 1])
        y01 = _y01(y, self.classes_[1])
        self.calibrator_ = _fit_map(self.method, p, y01)
        if hasattr(self.estimator, "n_features_in_"):
            self.n_features_in_ = self.estimator.n_features_in_
        if hasattr(self.estimator, "feature_names_in_"):
            self.feature_names_in_ = self.estimator.feature_names_in_
        return self

    def calibrate(self, proba: Any) -> np.ndarray:
        """The calibration map applied to positive-class probabilities of ``estimator``."""
        check_is_fitted(self, "calibrator_")
        return _apply_map(self.method, self.calibrator_, np.asarray(proba, dtype=float))

    def predict_proba(self, X: Any) -> np.ndarray:
        pos = self.calibrate(self.estimator.predict_proba(X)[:, 1])
        return np.column_stack([1.0 - pos, pos])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
