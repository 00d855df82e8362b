"""Greedy ensemble selection (Caruana et al., 2004) over out-of-fold predictions.

Start from the best single model; at each round add (with replacement) the candidate
whose inclusion gives the best averaged out-of-fold score; return the best prefix. The
ensemble is kept by the search only when it beats the best single model out of fold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["greedy_selection"]


def greedy_selection(oofs: Sequence[np.ndarray], y: np.ndarray,
                     scorer: Callable[[np.ndarray, Any, Any], float], *,
                     greater_is_better: bool, sample_weight: np.ndarray | None = None,
                     max_rounds: int = 20) -> tuple[np.ndarray, float]:
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
    stack = np.stack([np.asarray(o, dtype=float) for o in oofs])
    axes = tuple(range(2, stack.ndim)) if stack.ndim > 2 else None
    finite = np.isfinite(stack).all(axis=0) if axes is None else \
        np.isfinite(stack).all(axis=(0, *axes))
    stack, truth = stack[:, finite], np.asarray(y)[finite]
    weight = None if sample_weight is None else np.asarray(sample_weight)[finite]
    sign = 1.0 if greater_is_better else -1.0

    def oriented(pred: np.ndarray) -> float:
        return sign * scorer(truth, pred, weight)

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
