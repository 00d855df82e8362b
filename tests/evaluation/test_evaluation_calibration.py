"""Calibration statistics against scikit-learn, and out-of-fold recalibration."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evaluation.conftest import read_dataset
from mlsprint.evaluation import (
    RecalibratedClassifier,
    assess_calibration,
    brier_score,
    choose_recalibration,
    expected_calibration_error,
    reliability_curve,
)

NUMERIC = ["duration", "credit_amount", "installment_commitment", "age", "existing_credits",
           "residence_since", "num_dependents"]


@pytest.fixture(scope="module")
def bank():
    """bank_marketing sample: numeric columns, 'yes' 11.7 %: naive Bayes is overconfident."""
    df = read_dataset("bank_marketing").sample(12000, random_state=0)
    X = df[["age", "balance", "day", "campaign", "pdays", "previous"]]
    return X, (df["y"] == "yes").astype(int).to_numpy()


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_reliability_curve_is_sklearns(credit, lgbm_pipeline, strategy):
    p = lgbm_pipeline.predict_proba(credit.X_test)[:, 1]
    y = (credit.y_test == "good").astype(int)
    ours_true, ours_pred, counts = reliability_curve(y, p, n_bins=8, strategy=strategy)
    ref_true, ref_pred = calibration_curve(y, p, n_bins=8, strategy=strategy)
    np.testing.assert_allclose(ours_true, ref_true)
    np.testing.assert_allclose(ours_pred, ref_pred)
    assert counts.sum() == len(y)


def test_brier_and_ece(credit, lgbm_pipeline):
    p = lgbm_pipeline.predict_proba(credit.X_test)[:, 1]
    y = credit.y_test.to_numpy()
    y01 = (y == "good").astype(int)
    assert brier_score(y, p, positive_class="good") == pytest.approx(
        brier_score_loss(y01, p))
    # ECE by its definition over sklearn's bins: sum_b n_b/N |acc_b - conf_b|
    prob_true, prob_pred = calibration_curve(y01, p, n_bins=10)
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], p), minlength=10)
    expected = np.sum(counts[counts > 0] * np.abs(prob_true - prob_pred)) / len(p)
    assert expected_calibration_error(y01, p) == pytest.approx(expected)
    report = assess_calibration(y, p, positive_class="good")
    assert report.ece == pytest.approx(expected) and report.to_dict()["n_bins"] == 10


def test_a_calibrated_model_is_left_alone(bank):
    from sklearn.linear_model import LogisticRegression

    X, y = bank
    model = make_pipeline(StandardScaler(), LogisticRegression())
    oof = cross_val_predict(model, X, y, cv=5, method="predict_proba")[:, 1]
    choice = choose_recalibration(y, oof, random_state=0)
    assert choice.method == "none", choice.cv_brier


def test_an_overconfident_model_is_recalibrated_out_of_fold(bank):
    X, y = bank
    X_train, y_train, X_test, y_test = X[:8000], y[:8000], X[8000:], y[8000:]
    oof = cross_val_predict(GaussianNB(), X_train, y_train, cv=5, method="predict_proba")[:, 1]
    choice = choose_recalibration(y_train, oof, random_state=0)
    assert choice.method in ("isotonic", "sigmoid")
    assert choice.cv_brier[choice.method] < 0.99 * choice.cv_brier["none"]
    nb = GaussianNB().fit(X_train, y_train)
    fixed = RecalibratedClassifier(nb, method=choice.method).fit(X_train, y_train,
                                                                 oof_proba=oof)
    raw_brier = brier_score_loss(y_test, nb.predict_proba(X_test)[:, 1])
    new_brier = brier_score_loss(y_test, fixed.predict_proba(X_test)[:, 1])
    assert new_brier < 0.9 * raw_brier
    assert set(fixed.predict(X_test)) <= {0, 1}


def test_isotonic_wrapper_matches_calibrated_classifier_cv_on_a_frozen_model(bank):
    X, y = bank
    nb = GaussianNB().fit(X[:6000], y[:6000])
    ours = RecalibratedClassifier(nb, method="isotonic").fit(X[6000:9000], y[6000:9000])
    ref = CalibratedClassifierCV(FrozenEstimator(nb), method="isotonic").fit(
        X[6000:9000], y[6000:9000])
    np.testing.assert_allclose(ours.predict_proba(X[9000:]), ref.predict_proba(X[9000:]),
                               atol=1e-9)


def test_wrapper_follows_the_estimator_contract(bank):
    X, y = bank
    nb = GaussianNB().fit(X[:3000], y[:3000])
    wrapper = RecalibratedClassifier(nb, method="sigmoid")
    assert clone(wrapper).get_params()["method"] == "sigmoid"
    assert not hasattr(wrapper, "calibrator_")
    assert wrapper.fit(X[3000:6000], y[3000:6000]) is wrapper
    with pytest.raises(ValueError, match="'method' parameter of RecalibratedClassifier"):
        RecalibratedClassifier(nb, method="beta").fit(X[:100], y[:100])
