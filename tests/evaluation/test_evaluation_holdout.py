"""Holdout evaluation: point values equal scikit-learn's, vectorised replicates equal the
per-resample scores, and the improvement interval is paired."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from evaluation.conftest import read_dataset
from mlsprint.evaluation import evaluate_holdout
from mlsprint.evaluation.bootstrap import bootstrap_indices
from mlsprint.evaluation.metrics import error_of, score
from mlsprint.evaluation.resample import fast_replicates

BINARY = ["roc_auc", "average_precision", "log_loss", "brier", "accuracy", "precision",
          "recall", "f1", "balanced_accuracy"]


@pytest.fixture(scope="module")
def outputs(credit, lgbm_pipeline, linear_pipeline):
    return (credit.y_test.to_numpy(), lgbm_pipeline.predict_proba(credit.X_test)[:, 1],
            linear_pipeline.predict_proba(credit.X_test)[:, 1])


@pytest.mark.parametrize("metric", BINARY)
def test_vectorised_replicates_equal_score_on_each_resample(outputs, metric):
    y, p, _ = outputs
    idx = bootstrap_indices(len(y), n_boot=40, random_state=5)
    fast = fast_replicates(metric, y, p, idx, task="binary", positive_class="good",
                           threshold=0.6)
    slow = [score(metric, y[r], p[r], task="binary", positive_class="good", threshold=0.6)
            for r in idx]
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("metric", ["rmse", "mae", "r2"])
def test_vectorised_regression_replicates(metric):
    from sklearn.linear_model import Ridge

    df = read_dataset("bike_sharing_hourly", nrows=3000)
    X, y = df[["hr", "temp", "hum", "windspeed", "workingday"]], df["cnt"].to_numpy(float)
    pred = Ridge().fit(X[:2000], y[:2000]).predict(X[2000:])
    idx = bootstrap_indices(1000, n_boot=30, random_state=0)
    fast = fast_replicates(metric, y[2000:], pred, idx, task="regression")
    slow = [score(metric, y[2000:][r], pred[r], task="regression") for r in idx]
    np.testing.assert_allclose(fast, slow, rtol=1e-9)


@pytest.mark.parametrize("metric", ["log_loss", "accuracy"])
def test_vectorised_multiclass_replicates(metric):
    from lightgbm import LGBMClassifier

    df = read_dataset("dry_bean").sample(2000, random_state=0)
    X, y = df.drop(columns="Class"), df["Class"].to_numpy()
    model = LGBMClassifier(n_estimators=20, num_leaves=8, n_jobs=1, verbose=-1)
    proba = model.fit(X[:1500], y[:1500]).predict_proba(X[1500:])
    idx = bootstrap_indices(500, n_boot=30, random_state=0)
    kw = dict(task="multiclass", classes=list(model.classes_))
    fast = fast_replicates(metric, y[1500:], proba, idx, **kw)
    slow = [score(metric, y[1500:][r], proba[r], **kw) for r in idx]
    np.testing.assert_allclose(fast, slow, rtol=1e-9)


def test_vectorised_average_precision_with_heavy_ties(outputs):
    y, p, _ = outputs
    coarse = np.round(p, 1)  # many tied scores: thresholds must be grouped as sklearn does
    idx = bootstrap_indices(len(y), n_boot=30, random_state=2)
    fast = fast_replicates("average_precision", y, coarse, idx, task="binary",
                           positive_class="good")
    slow = [skm.average_precision_score((y[r] == "good").astype(int), coarse[r]) for r in idx]
    np.testing.assert_allclose(fast, slow, rtol=1e-9)


def test_point_values_are_sklearns(outputs):
    y, p, _ = outputs
    r = evaluate_holdout(y, p, task="binary", positive_class="good", metrics=["log_loss"],
                         primary="roc_auc", n_boot=100, random_state=0)
    y01 = (y == "good").astype(int)
    assert r.metrics["roc_auc"].estimate == pytest.approx(skm.roc_auc_score(y01, p))
    assert r.metrics["log_loss"].estimate == pytest.approx(skm.log_loss(y01, p))
    assert list(r.metrics) == ["roc_auc", "log_loss"]  # primary first, added when missing
    for iv in r.metrics.values():
        assert iv.low <= iv.estimate <= iv.high and iv.n_valid == 100


def test_vectorised_and_plain_reports_agree(outputs):
    y, p, pb = outputs
    kw = dict(task="binary", positive_class="good", metrics=["brier", "average_precision"],
              primary="roc_auc", baseline_pred={"linear": pb}, n_boot=60, random_state=4)
    fast, slow = evaluate_holdout(y, p, **kw), evaluate_holdout(y, p, vectorised=False, **kw)
    for m in fast.metrics:
        assert fast.metrics[m].low == pytest.approx(slow.metrics[m].low)
        assert fast.metrics[m].high == pytest.approx(slow.metrics[m].high)
    assert fast.improvement["linear"].low == pytest.approx(slow.improvement["linear"].low)


def test_improvement_is_the_relative_error_reduction_and_paired(outputs):
    y, p, pb = outputs
    r = evaluate_holdout(y, p, task="binary", positive_class="good", metrics=[],
                         primary="roc_auc", baseline_pred={"linear": pb}, n_boot=400,
                         random_state=0)
    y01 = (y == "good").astype(int)
    e_model = error_of("roc_auc", skm.roc_auc_score(y01, p))
    e_base = error_of("roc_auc", skm.roc_auc_score(y01, pb))
    assert r.improvement["linear"].estimate == pytest.approx((e_base - e_model) / e_base)
    assert r.baseline_scores["linear"] == pytest.approx(skm.roc_auc_score(y01, pb))
    # unpaired: model and baseline on independent resamples -> a wider interval
    idx_a = bootstrap_indices(len(y), n_boot=400, random_state=1)
    idx_b = bootstrap_indices(len(y), n_boot=400, random_state=2)
    a = 1 - fast_replicates("roc_auc", y, p, idx_a, task="binary", positive_class="good")
    b = 1 - fast_replicates("roc_auc", y, pb, idx_b, task="binary", positive_class="good")
    unpaired = np.quantile((b - a) / b, [0.025, 0.975])
    paired = r.improvement["linear"]
    assert paired.high - paired.low < unpaired[1] - unpaired[0]


def test_bare_baseline_array_and_loss_metric():
    df = read_dataset("bike_sharing_hourly", nrows=2000)
    y = df["cnt"].to_numpy(float)
    good, mean_only = 0.8 * y + 0.2 * y.mean(), np.full_like(y, y.mean())
    r = evaluate_holdout(y, good, task="regression", metrics=["mae"], primary="rmse",
                         baseline_pred=mean_only, n_boot=200, random_state=0)
    # rmse(good) = 0.2 * rmse(mean_only) exactly, so the reduction is 80 %
    assert r.improvement["baseline"].estimate == pytest.approx(0.8)
    assert r.improvement["baseline"].low == pytest.approx(0.8)


def test_sample_weight_goes_through_score(outputs):
    y, p, _ = outputs
    w = np.linspace(0.5, 2.0, len(y))
    r = evaluate_holdout(y, p, task="binary", positive_class="good", metrics=[],
                         primary="roc_auc", sample_weight=w, n_boot=30, random_state=0)
    expected = skm.roc_auc_score((y == "good").astype(int), p, sample_weight=w)
    assert r.metrics["roc_auc"].estimate == pytest.approx(expected)
    assert r.to_dict()["metrics"]["roc_auc"]["n_valid"] == 30
