"""Business value against confusion matrices and brute-force threshold search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix

from evaluation.conftest import read_dataset
from mlsprint.evaluation import business_value, gain_curve
from mlsprint.spec.model import CostMatrix

CM = CostMatrix(true_positive_value=120.0, false_positive_cost=15.0, false_negative_cost=30.0)


@pytest.fixture(scope="module")
def scored(credit, lgbm_pipeline):
    # "bad" credit is the class to detect: a caught bad loan saves money
    p_bad = lgbm_pipeline.predict_proba(credit.X_test)[:, 0]
    return credit.y_test.to_numpy(), p_bad


def _value_by_hand(y01, p, t, cm=CM):
    tn, fp, fn, tp = confusion_matrix(y01, (p >= t).astype(int), labels=[0, 1]).ravel()
    return tp * cm.true_positive_value - fp * cm.false_positive_cost - fn * cm.false_negative_cost


@pytest.mark.parametrize("threshold", [0.2, 0.35, 0.5, 0.8])
def test_value_at_threshold_matches_the_confusion_matrix(scored, threshold):
    y, p = scored
    r = business_value(y, p, cost_matrix=CM, task="binary", threshold=threshold,
                       positive_class="bad")
    y01 = (y == "bad").astype(int)
    assert r.value == pytest.approx(_value_by_hand(y01, p, threshold))
    tn, fp, fn, tp = confusion_matrix(y01, (p >= threshold).astype(int)).ravel()
    assert r.confusion == {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    assert r.value_per_row == pytest.approx(r.value / len(y))


def test_best_threshold_is_the_brute_force_maximum(scored):
    y, p = scored
    y01 = (y == "bad").astype(int)
    r = business_value(y, p, cost_matrix=CM, task="binary", positive_class="bad")
    brute = max(_value_by_hand(y01, p, t) for t in np.unique(p))
    brute = max(brute, _value_by_hand(y01, p, np.inf))
    assert r.best_value == pytest.approx(brute)
    assert _value_by_hand(y01, p, r.best_threshold) == pytest.approx(brute)
    assert r.best_value >= r.value
    assert r.value_if_all_positive == pytest.approx(_value_by_hand(y01, p, -np.inf))
    assert r.value_if_none == pytest.approx(-y01.sum() * CM.false_negative_cost)


def test_gain_and_lift_match_a_sorted_table(scored):
    y, p = scored
    y01 = (y == "bad").astype(int)
    fractions, gain, lift = gain_curve(y01, p, n_points=10)
    table = pd.DataFrame({"y": y01, "p": p}).sort_values("p", ascending=False, kind="stable")
    for f, g, li in zip(fractions, gain, lift, strict=True):
        top = table.head(int(np.ceil(f * len(table))))
        assert g == pytest.approx(top["y"].sum() / y01.sum())
        assert li == pytest.approx(top["y"].mean() / y01.mean())
    assert gain[-1] == pytest.approx(1.0) and lift[-1] == pytest.approx(1.0)
    assert lift[0] > 1.5  # a real model ranks bad loans first


def test_regression_cost_per_unit_error():
    df = read_dataset("bike_sharing_hourly", nrows=500)
    y = df["cnt"].to_numpy(float)
    pred = np.full_like(y, np.median(y))
    r = business_value(y, pred, cost_matrix=CostMatrix(cost_per_unit_error=0.5),
                       task="regression")
    assert r.value == pytest.approx(-0.5 * np.abs(y - pred).sum())
    assert r.threshold is None and r.to_dict()["task"] == "regression"


@pytest.mark.parametrize("task, cm, match", [
    ("regression", CM, "cost_per_unit_error"),
    ("multiclass", CM, "binary and regression"),
])
def test_clear_errors(task, cm, match):
    with pytest.raises(ValueError, match=match):
        business_value([1, 0], [0.4, 0.6], cost_matrix=cm, task=task)
