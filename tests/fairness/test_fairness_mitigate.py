"""Mitigation with ThresholdOptimizer: before/after side by side on real adult rows, and
the deterministic group thresholds that ship."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evaluation.conftest import read_dataset
from mlsprint.fairness import GroupThresholds, mitigate, mitigate_scores
from mlsprint.fairness.mitigate import POOLED


@pytest.fixture(scope="module")
def adult():
    df = read_dataset("adult").sample(6000, random_state=1).reset_index(drop=True)
    df["male"] = (df["sex"] == "Male").astype(int)  # the model sees sex: biased on purpose
    features = ["age", "education-num", "hours-per-week", "capital-gain", "male"]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        df[features][:2000], df["income"][:2000])
    return df, features, model


@pytest.fixture(scope="module")
def by_sex(adult):
    df, features, model = adult
    fit, ev = df[2000:4000], df[4000:]
    return mitigate(model, fit[features], fit["income"], fit[["sex"]], ev[features],
                    ev["income"], ev[["sex"]], positive_class=">50K", n_boot=100,
                    random_state=0)


def test_threshold_optimizer_reduces_the_disparity(by_sex):
    result = by_sex
    before = result.before["sex"].disparity("demographic_parity_difference").interval.estimate
    after = result.after["sex"].disparity("demographic_parity_difference").interval.estimate
    assert before > 0.1  # the planted bias is real on adult
    assert after < before / 2
    rows = result.side_by_side()
    assert {r["disparity"] for r in rows} >= {"demographic_parity_ratio",
                                              "equalized_odds_difference"}
    assert result.to_dict()["attribute"] == "sex"
    assert 0.6 < result.accuracy_after <= 1.0


def test_group_cutoffs_reproduce_the_randomised_rule_selection_rates(adult, by_sex):
    """Each group's cut-off selects, on the fit rows, the rate Fairlearn's randomised rule
    selects in expectation; women get a lower cut-off than men."""
    df, features, model = adult
    fit = df[2000:4000]
    rules = by_sex.thresholds
    assert set(rules.thresholds) == {"Female", "Male"}
    assert rules.thresholds["Female"] < rules.thresholds["Male"]
    score = model.predict_proba(fit[features])[:, 1]
    pmf = by_sex.model._pmf_predict(pd.DataFrame({"score": score}),
                                    sensitive_features=fit["sex"].to_numpy())[:, 1]
    for group in ("Female", "Male"):
        mask = (fit["sex"] == group).to_numpy()
        selected = np.mean(score[mask] >= rules.thresholds[group])
        assert selected == pytest.approx(pmf[mask].mean(), abs=1.5 / mask.sum())
        assert rules.rates[group] == pytest.approx(pmf[mask].mean())


def test_the_after_audit_is_the_shipped_rule(adult, by_sex):
    df, features, model = adult
    ev = df[4000:]
    cut = by_sex.thresholds.for_frame(ev)
    pred = model.predict_proba(ev[features])[:, 1] >= cut
    y = (ev["income"] == ">50K").to_numpy()
    assert by_sex.accuracy_after == pytest.approx(np.mean(pred == y))


def test_small_or_single_label_groups_are_pooled(adult):
    df, features, model = adult
    fit, ev = df[2000:4000], df[4000:]
    result = mitigate(model, fit[features], fit["income"], fit[["race", "sex"]], ev[features],
                      ev["income"], ev[["race", "sex"]], positive_class=">50K",
                      attributes="race", constraints="equalized_odds", n_boot=50,
                      random_state=0)
    assert result.attribute == "race"
    assert {a.attribute for a in result.after.attributes} == {"race", "sex", "race & sex"}
    counts = fit["race"].value_counts()
    small = [g for g, n in counts.items() if n < 30]
    assert small and not set(small) & set(result.thresholds.thresholds)
    assert POOLED not in result.thresholds.thresholds


def test_joint_attributes_and_numeric_bands(adult):
    """Several attributes are mitigated jointly; a numeric one is cut into fitted bands."""
    df, features, model = adult
    fit, ev = df[2000:4000], df[4000:]
    score_fit = model.predict_proba(fit[features])[:, 1]
    score_ev = model.predict_proba(ev[features])[:, 1]
    result = mitigate_scores(score_fit, fit["income"], fit[["sex", "age"]], score_ev,
                             ev["income"], ev[["sex", "age"]], positive_class=">50K",
                             n_boot=50, random_state=0)
    rules = result.thresholds
    assert rules.attributes == ("sex", "age") and rules.bins["age"]
    assert any(k.startswith("Male & band") for k in rules.thresholds)
    again = GroupThresholds.from_dict(rules.to_dict())
    assert np.array_equal(again.for_frame(ev), rules.for_frame(ev))
    records = ev[["sex", "age"]].to_dict("records")
    assert np.array_equal(rules.for_records(records), rules.for_frame(ev))


def test_unseen_and_missing_groups_get_the_default_cutoff():
    rules = GroupThresholds(attributes=("marital",), bins={"marital": None},
                            thresholds={"married": 0.3, "1": 0.4}, default=0.5)
    cut = rules.for_records([{"marital": "married"}, {"marital": "widowed"}, {},
                             {"marital": 1.0}, {"marital": float("nan")}])
    assert cut.tolist() == [0.3, 0.5, 0.5, 0.4, 0.5]
    with pytest.raises(KeyError, match="marital"):
        rules.for_frame(pd.DataFrame({"age": [1]}))
