"""Result objects of the model search: one leaderboard row and the whole search."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CandidateRecord", "EnsembleInfo", "SearchResult"]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class CandidateRecord:
    """One cross-validated configuration: a row of the leaderboard.

    ``cv_mean``/``cv_std`` are the primary metric over the folds (std with ddof=1);
    ``fit_seconds`` is the mean time to fit preprocessor and model on one fold;
    ``predict_seconds_per_row`` the median per-row time to transform and predict a
    validation fold; ``size_bytes`` the pickled size of one fold's fitted pipeline.
    ``train_rows`` is set when each fold was fitted on a seeded subsample of that many of
    its training rows (large data, small budget; every row is still predicted out of
    fold); ``None`` means all of them. ``trial`` is the trial number in the family's
    Optuna study, ``-1`` for the search's first, quick candidate, which no study ran.
    """

    name: str
    family: str
    params: dict[str, Any]
    metric: str
    cv_mean: float
    cv_std: float
    fold_scores: tuple[float, ...]
    fit_seconds: float
    predict_seconds_per_row: float
    size_bytes: int
    n_estimators: int | None = None
    trial: int = 0
    train_rows: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "family": self.family, "params": _plain(self.params),
            "metric": self.metric, "cv_mean": self.cv_mean, "cv_std": self.cv_std,
            "fold_scores": list(self.fold_scores), "fit_seconds": self.fit_seconds,
            "predict_seconds_per_row": self.predict_seconds_per_row,
            "size_bytes": self.size_bytes, "n_estimators": self.n_estimators,
            "trial": self.trial, "train_rows": self.train_rows,
        }


@dataclass(frozen=True, slots=True)
class EnsembleInfo:
    """Greedy ensemble selection over out-of-fold predictions, and whether it was kept."""

    weights: dict[str, float]
    oof_score: float
    best_single: str
    best_single_score: float
    kept: bool
    reason: str
    average: str = "arithmetic"  # of the members' probabilities (ensemble.AVERAGES)

    def to_dict(self) -> dict[str, Any]:
        return _plain({"weights": self.weights, "oof_score": self.oof_score,
                       "best_single": self.best_single,
                       "best_single_score": self.best_single_score, "kept": self.kept,
                       "reason": self.reason, "average": self.average})


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The outcome of :func:`mlsprint.training.search`.

    ``pipeline`` is fitted on every row given to the search (a plain scikit-learn
    ``Pipeline``); ``oof`` holds the chosen model's out-of-fold predictions (binary:
    probability of the positive class; multiclass: one column per class in ``classes``
    order; regression: values; NaN for rows no fold validated). ``threshold`` is the
    decision threshold on the positive-class probability (binary only). ``refit_rows``
    is set only when the time left for the final refit was too short for every row: the
    pipeline was then fitted on a seeded subsample of that many rows (never fewer than
    the chosen candidate's folds were fitted on, so ``oof_score`` stays a fair estimate).
    """

    task: str
    metric: str
    greater_is_better: bool
    leaderboard: tuple[CandidateRecord, ...]
    best: str
    pipeline: Any = field(repr=False)
    oof: np.ndarray = field(repr=False)
    oof_score: float
    threshold: float | None
    threshold_objective: str | None
    classes: tuple[Any, ...]
    positive_class: Any
    ensemble: EnsembleInfo | None
    n_trials: int
    n_pruned: int
    n_cut: int
    budget_seconds: float | None
    search_seconds: float
    refit_seconds: float
    refit_estimate_seconds: float
    stop_reason: str
    random_state: int
    folds: int
    refit_rows: int | None = None

    @property
    def best_record(self) -> CandidateRecord:
        """The leaderboard row of the best single candidate."""
        return self.leaderboard[0]

    def to_dict(self) -> dict[str, Any]:
        """Everything but estimators and arrays, as JSON-able values."""
        return _plain({
            "task": self.task, "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "leaderboard": [r.to_dict() for r in self.leaderboard], "best": self.best,
            "oof_score": self.oof_score, "threshold": self.threshold,
            "threshold_objective": self.threshold_objective,
            "classes": list(self.classes), "positive_class": self.positive_class,
            "ensemble": None if self.ensemble is None else self.ensemble.to_dict(),
            "n_trials": self.n_trials, "n_pruned": self.n_pruned, "n_cut": self.n_cut,
            "budget_seconds": self.budget_seconds, "search_seconds": self.search_seconds,
            "refit_seconds": self.refit_seconds,
            "refit_estimate_seconds": self.refit_estimate_seconds,
            "stop_reason": self.stop_reason, "random_state": self.random_state,
            "folds": self.folds, "refit_rows": self.refit_rows,
        })
