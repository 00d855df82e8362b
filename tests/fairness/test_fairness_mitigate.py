"""Mitigation with ThresholdOptimizer: before/after side by side on real adult rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evaluation.conftest import read_dataset
from mlsprint.fairness import mitigate


@pytest.fixture(scope="module")
def adult():
    df = read_dataset("adult").sample(6000, random_state=1).reset_index(drop=True)
    df["male"] = (df["sex"] == "Male").astype(int)  # the model sees sex: biased on purpose
    features = ["age", "education-num", "hours-per-week", "capital-gain", "male"]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        df[features][:2000], df["income"][:2000])
    return df, features, model


def test_threshold_optimizer_reduces_the_disparity(adult):
    df, features, model = adult
    fit, ev = df[2000:4000], df[4000:]
    result = mitigate(model, fit[features], fit["income"], fit[["sex"]], ev[features],
                      ev["income"], ev[["sex"]], positive_class=">50K", n_boot=100,
                      random_state=0)
    before = result.before["sex"].disparity("demographic_parity_difference").interval.estimate
    after = result.after["sex"].disparity("demographic_parity_difference").interval.estimate
    assert before > 0.1  # the planted bias is real on adult
    assert after < before / 2
    rows = result.side_by_side()
    assert {r["disparity"] for r in rows} >= {"demographic_parity_ratio",
                                              "equalized_odds_difference"}
    assert result.to_dict()["attribute"] == "sex"
    assert 0.6 < result.accuracy_after <= 1.0
    pred = result.model.predict(ev[features], sensitive_features=ev["sex"], random_state=0)
    assert set(np.unique(pred)) <= {0, 1}


def test_small_or_single_label_groups_are_pooled(adult):
    df, features, model = adult
    fit, ev = df[2000:4000], df[4000:]
    result = mitigate(model, fit[features], fit["income"], fit[["race", "sex"]], ev[features],
                      ev["income"], ev[["race", "sex"]], positive_class=">50K",
                      attribute="race", constraints="equalized_odds", n_boot=50,
                      random_state=0)
    assert result.attribute == "race"
    assert {a.attribute for a in result.after.attributes} == {"race", "sex", "race & sex"}
