"""The tuned decision threshold against brute force over every cut (sklearn oracle)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, f1_score

from mlsprint.spec.model import CostMatrix
from mlsprint.training import tune_threshold


def _data(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    p = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1).round(2)  # ties on purpose
    return y, p, rng.uniform(0.5, 2.0, n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_f1_threshold_matches_brute_force(seed: int) -> None:
    y, p, w = _data(seed)
    choice = tune_threshold(y, p, sample_weight=w)
    brute = max(f1_score(y, (p >= t).astype(int), sample_weight=w) for t in np.unique(p))
    assert choice.objective == "f1"
    assert choice.value == pytest.approx(brute)
    assert f1_score(y, (p >= choice.threshold).astype(int),
                    sample_weight=w) == pytest.approx(brute)


@pytest.mark.parametrize("seed", [0, 3])
def test_cost_threshold_matches_brute_force(seed: int) -> None:
    y, p, _ = _data(seed)
    costs = CostMatrix(true_positive_value=2.0, false_positive_cost=1.0,
                       false_negative_cost=4.0)

    def value(t: float) -> float:
        tn, fp, fn, tp = confusion_matrix(y, (p >= t).astype(int), labels=[0, 1]).ravel()
        return 2.0 * tp - 1.0 * fp - 4.0 * fn

    cuts = np.r_[np.unique(p), 1.01]
    choice = tune_threshold(y, p, cost_matrix=costs)
    assert choice.objective == "business_value"
    assert choice.value == pytest.approx(max(value(t) for t in cuts))
    assert value(choice.threshold) == pytest.approx(choice.value)


def test_predicting_no_positive_can_be_optimal() -> None:
    costs = CostMatrix(false_positive_cost=100.0, false_negative_cost=1.0)
    choice = tune_threshold([0, 1, 0, 1], [0.9, 0.8, 0.7, 0.6], cost_matrix=costs)
    assert choice.threshold > 0.9 and choice.value == -2.0


def test_zero_cost_matrix_falls_back_to_f1_and_nan_rows_are_ignored() -> None:
    choice = tune_threshold([0, 1, 1, 0], [0.2, 0.9, np.nan, 0.1], cost_matrix=CostMatrix())
    assert choice.objective == "f1" and choice.threshold == 0.9 and choice.value == 1.0
    with pytest.raises(ValueError, match="zero rows"):
        tune_threshold([1], [np.nan])
