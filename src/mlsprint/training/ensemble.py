"""Greedy ensemble selection (Caruana et al., 2004) over out-of-fold predictions.

Start from the best single model; at each round add (with replacement) the candidate
whose inclusion gives the best averaged out-of-fold score; return the best prefix. The
ensemble is kept by the search only when it beats the best single model out of fold.

Class probabilities can be averaged two ways: ``"arithmetic"`` (the weighted mean) or
``"geometric"`` (the weighted mean of log-probabilities, renormalised: for two classes,
the weighted mean of the log-odds). The search selects under both and keeps the one with
the better out-of-fold score: on the benchmark split, greedy selection over the same 300 s
search's candidates scored adult's ROC AUC 0.93014 out of fold (0.93144 on test) with the
geometric mean against 0.93008 (0.93135) with the arithmetic one, and dry_bean's log loss
0.1846 (0.1719) against 0.1859 (0.1722) (``bench/automl/stacking_check.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["AVERAGES", "average_predictions", "greedy_selection"]

AVERAGES = ("arithmetic", "geometric")
PROBABILITY_FLOOR = 1e-6  # a member's zero probability must not veto a class outright


def _log_space(pred: np.ndarray) -> np.ndarray:
    """Log-odds of positive-class probabilities (1-D), log-probabilities (2-D)."""
    p = np.clip(pred, PROBABILITY_FLOOR, 1.0)
    if p.ndim == 1:
        return np.log(p) - np.log(np.clip(1.0 - pred, PROBABILITY_FLOOR, 1.0))
    return np.log(p)


def _from_log_space(values: np.ndarray) -> np.ndarray:
    if values.ndim == 1:
        return 1.0 / (1.0 + np.exp(-values))
    shifted = np.exp(values - values.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def average_predictions(preds: Sequence[np.ndarray], weights: Sequence[float], *,
                        average: str = "arithmetic") -> np.ndarray:
    """The weighted average of members' predictions (weights normalised to sum to 1).

    ``preds`` are values or positive-class probabilities (1-D) or class probabilities
    (2-D, one column per class). ``"geometric"`` averages class probabilities as
    log-probabilities (floored at ``PROBABILITY_FLOOR``) and renormalises them.

    Examples
    --------
    >>> import numpy as np
    >>> p = [np.array([0.9, 0.5]), np.array([0.5, 0.1])]
    >>> average_predictions(p, [1, 1]).round(3).tolist()
    [0.7, 0.3]
    >>> average_predictions(p, [1, 1], average="geometric").round(3).tolist()
    [0.75, 0.25]
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}; got {average!r}")
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    if average == "arithmetic":
        return np.sum([wi * np.asarray(p, dtype=float) for wi, p in zip(w, preds, strict=True)],
                      axis=0)
    return _from_log_space(np.sum([wi * _log_space(np.asarray(p, dtype=float))
                                   for wi, p in zip(w, preds, strict=True)], axis=0))


def greedy_selection(oofs: Sequence[np.ndarray], y: np.ndarray,
                     scorer: Callable[[np.ndarray, Any, Any], float], *,
                     greater_is_better: bool, sample_weight: np.ndarray | None = None,
                     max_rounds: int = 20, average: str = "arithmetic"
                     ) -> tuple[np.ndarray, float]:
    """Caruana's greedy forward selection with replacement.

    Parameters
    ----------
    oofs : sequence of arrays
        Out-of-fold predictions of each candidate, same shape; rows holding NaN in any
        candidate are ignored.
    y : array
        True labels or values.
    scorer : callable ``(y_true, y_pred, sample_weight) -> float``
    greater_is_better : bool
    sample_weight : array, optional
    max_rounds : int, default 20
        Number of additions (the ensemble size with repetitions).
    average : {"arithmetic", "geometric"}, default "arithmetic"
        How the candidates' predictions are averaged (:func:`average_predictions`;
        "geometric" only for class probabilities).

    Returns
    -------
    counts : ndarray of int
        How many times each candidate was picked (its weight is ``counts / counts.sum()``).
    score : float
        The out-of-fold score of the returned ensemble.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> a, b = y + 1.0, y - 1.0
    >>> mse = lambda t, p, w: float(np.mean((t - p) ** 2))
    >>> counts, s = greedy_selection([a, b], y, mse, greater_is_better=False)
    >>> counts.tolist(), s
    ([1, 1], 0.0)
    """
    if not oofs:
        raise ValueError("greedy_selection needs at least one candidate; got none")
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}; got {average!r}")
    stack = np.stack([np.asarray(o, dtype=float) for o in oofs])
    axes = tuple(range(2, stack.ndim)) if stack.ndim > 2 else None
    finite = np.isfinite(stack).all(axis=0) if axes is None else \
        np.isfinite(stack).all(axis=(0, *axes))
    stack, truth = stack[:, finite], np.asarray(y)[finite]
    weight = None if sample_weight is None else np.asarray(sample_weight)[finite]
    sign = 1.0 if greater_is_better else -1.0
    geometric = average == "geometric"
    if geometric:  # sums of log-probabilities; mapped back to probabilities to score
        stack = np.stack([_log_space(member) for member in stack])

    def oriented(mean: np.ndarray) -> float:
        return sign * scorer(truth, _from_log_space(mean) if geometric else mean, weight)

    counts = np.zeros(len(stack), dtype=int)
    total = np.zeros_like(stack[0])
    best_counts, best_score = counts.copy(), -np.inf
    for size in range(1, max_rounds + 1):
        trial_scores = [oriented((total + stack[i]) / size) for i in range(len(stack))]
        pick = int(np.argmax(trial_scores))
        counts[pick] += 1
        total = total + stack[pick]
        if trial_scores[pick] > best_score + 1e-12:
            best_counts, best_score = counts.copy(), trial_scores[pick]
    return best_counts, float(sign * best_score)
