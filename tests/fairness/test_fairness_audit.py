"""The fairness audit agrees with Fairlearn computed directly, on adult, compas and
german_credit (a quick logistic regression on a few columns, trained in the test)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evaluation.conftest import read_dataset
from mlsprint.evaluation.bootstrap import bootstrap_indices
from mlsprint.fairness import audit_fairness, group_labels
from mlsprint.spec.model import FairnessSpec

CASES = {
    "adult": ("income", ">50K", ["age", "education-num", "hours-per-week", "capital-gain"],
              ["sex", "race"], 6000),
    "compas": ("two_year_recid", 1, ["priors_count", "age", "juv_fel_count", "juv_misd_count"],
               ["race", "sex"], None),
    "german_credit": ("class", "good", ["duration", "credit_amount", "installment_commitment"],
                      ["personal_status", "age"], None),
}


@dataclass(frozen=True)
class Scored:
    y: np.ndarray
    label: np.ndarray
    score: np.ndarray
    sensitive: pd.DataFrame
    positive: object


def _scored(name: str) -> Scored:
    target, positive, features, protected, n = CASES[name]
    df = read_dataset(name)
    if n:
        df = df.sample(n, random_state=0)
    df = df.reset_index(drop=True)
    half = len(df) // 2
    y01 = (df[target].astype(str) == str(positive)).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        df[features][:half], y01[:half])
    score = model.predict_proba(df[features][half:])[:, 1]
    label = np.where(score >= 0.5, positive, "other" if isinstance(positive, str) else -1)
    return Scored(df[target][half:].to_numpy(), label, score,
                  df[protected][half:].reset_index(drop=True), positive)


@pytest.fixture(scope="module", params=sorted(CASES))
def scored(request) -> Scored:
    return _scored(request.param)


def test_per_group_figures_and_disparities_equal_fairlearn(scored):
    spec = FairnessSpec(min_group_size=30)
    report = audit_fairness(scored.y, scored.label, scored.score, scored.sensitive,
                            positive_class=scored.positive, spec_fairness=spec, n_boot=200,
                            random_state=0)
    y01 = (scored.y.astype(str) == str(scored.positive)).astype(int)
    p01 = (scored.label.astype(str) == str(scored.positive)).astype(int)
    labels = group_labels(scored.sensitive)
    for column in scored.sensitive.columns:
        audit = report[column]
        groups = labels[column].to_numpy()
        frame = MetricFrame(metrics={"sr": selection_rate, "tpr": true_positive_rate,
                                     "fpr": false_positive_rate},
                            y_true=y01, y_pred=p01, sensitive_features=groups)
        for g in audit.groups:
            ref = frame.by_group.loc[g.group]
            assert g.selection_rate == pytest.approx(ref["sr"])
            assert g.true_positive_rate == pytest.approx(ref["tpr"])
            assert g.false_positive_rate == pytest.approx(ref["fpr"])
            assert g.size == int((groups == g.group).sum())
            assert g.judged == (g.size >= 30)
            rows = groups == g.group
            if g.judged and 0 < y01[rows].mean() < 1:
                assert g.primary == pytest.approx(roc_auc_score(y01[rows], scored.score[rows]))
        judged = np.isin(groups, [g.group for g in audit.groups if g.judged])
        kw = dict(sensitive_features=groups[judged])
        dpr, dpd, eod = (audit.disparity(n).interval.estimate for n in (
            "demographic_parity_ratio", "demographic_parity_difference",
            "equalized_odds_difference"))
        assert dpr == pytest.approx(demographic_parity_ratio(y01[judged], p01[judged], **kw))
        assert dpd == pytest.approx(demographic_parity_difference(y01[judged], p01[judged], **kw))
        assert eod == pytest.approx(equalized_odds_difference(y01[judged], p01[judged], **kw))
    assert "&" in report.attributes[-1].attribute  # the pair is audited too


def test_bootstrap_intervals_are_fairlearn_on_the_same_resamples():
    """Our vectorised bootstrap equals Fairlearn's functions applied to each resample."""
    s = _scored("german_credit")
    y01 = (s.y == "good").astype(int)
    p01 = (s.label == "good").astype(int)
    report = audit_fairness(s.y, s.label, s.score, s.sensitive[["personal_status"]],
                            positive_class="good", spec_fairness=FairnessSpec(
                                min_group_size=1), n_boot=25, random_state=3)
    groups = group_labels(s.sensitive[["personal_status"]])["personal_status"].to_numpy()
    funcs = {"demographic_parity_ratio": demographic_parity_ratio,
             "demographic_parity_difference": demographic_parity_difference,
             "equalized_odds_difference": equalized_odds_difference}
    for name, func in funcs.items():
        reps = []
        for rows in bootstrap_indices(len(y01), n_boot=25, random_state=3):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a resample may lack a label in a group
                reps.append(func(y01[rows], p01[rows], sensitive_features=groups[rows]))
        reps = np.asarray(reps, dtype=float)
        expected = np.quantile(reps[np.isfinite(reps)], [0.025, 0.975])
        interval = report["personal_status"].disparity(name).interval
        assert (interval.low, interval.high) == pytest.approx(tuple(expected)), name


def _planted(rate_a: float, rate_b: float, n: int, seed: int = 0):
    """Real compas rows with predictions planted at a chosen selection rate per sex."""
    df = read_dataset("compas")[["sex", "two_year_recid"]].sample(n, random_state=seed)
    rng = np.random.default_rng(seed)
    rate = np.where(df["sex"] == "Male", rate_a, rate_b)
    pred = (rng.uniform(size=n) < rate).astype(int)
    return df["two_year_recid"].to_numpy(), pred, df[["sex"]].reset_index(drop=True)


@pytest.mark.parametrize("rates, n, verdict", [
    ((0.5, 0.5), 4000, "pass"),    # parity, many rows: the interval sits above 0.8
    ((0.6, 0.2), 4000, "fail"),    # ratio ~0.33: wholly below 0.8
    ((0.5, 0.42), 300, "review"),  # ratio ~0.84 on few rows: straddles 0.8
])
def test_demographic_parity_verdict(rates, n, verdict):
    y, pred, sex = _planted(*rates, n)
    report = audit_fairness(y, pred, pred.astype(float), sex, positive_class=1, n_boot=500,
                            random_state=0)
    assert report["sex"].disparity("demographic_parity_ratio").verdict == verdict


def test_small_groups_are_shown_but_not_judged(scored):
    spec = FairnessSpec(min_group_size=10_000)
    report = audit_fairness(scored.y, scored.label, scored.score, scored.sensitive,
                            positive_class=scored.positive, spec_fairness=spec, n_boot=20,
                            random_state=0)
    assert all(a.verdict == "not_judged" and a.groups for a in report.attributes)
    assert all(not g.judged for a in report.attributes for g in a.groups)
    assert report.verdict == "review"  # nothing could be judged: a person decides


def test_report_round_trips_to_json_shape():
    y, pred, sex = _planted(0.5, 0.5, 600)
    d = audit_fairness(y, pred, pred.astype(float), sex, positive_class=1, n_boot=50,
                       random_state=0).to_dict()
    assert d["verdict"] in ("pass", "review", "fail")
    assert d["attributes"][0]["disparities"][0]["interval"]["n_valid"] > 0
    with pytest.raises(ValueError, match="same number of rows"):
        audit_fairness(y[:10], pred, pred, sex, positive_class=1)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans(), st.booleans()),
                min_size=40, max_size=120))
def test_disparities_are_bounded_and_label_order_free(rows):
    groups = pd.DataFrame({"g": [r[0] for r in rows]})
    y = np.array([int(r[1]) for r in rows])
    pred = np.array([int(r[2]) for r in rows])
    spec = FairnessSpec(min_group_size=1)
    report = audit_fairness(y, pred, pred.astype(float), groups, positive_class=1,
                            spec_fairness=spec, n_boot=20, random_state=0)
    renamed = groups.replace({"a": "z", "b": "y", "c": "x"})
    again = audit_fairness(y, pred, pred.astype(float), renamed, positive_class=1,
                           spec_fairness=spec, n_boot=20, random_state=0)
    for d, e in zip(report["g"].disparities, again["g"].disparities, strict=True):
        assert d.interval.estimate == pytest.approx(e.interval.estimate, nan_ok=True)
    ratio = report["g"].disparities[0].interval.estimate if report["g"].disparities else 1.0
    assert np.isnan(ratio) or 0.0 <= ratio <= 1.0
