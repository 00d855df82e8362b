"""Explanations: contributions add up to the model's margin, map back to input columns,
and permutation importance is scikit-learn's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline

from evaluation.conftest import read_dataset
from mlsprint.evaluation import (
    ExplanationUnavailableError,
    contribution_method,
    explain_global,
    explain_rows,
    map_to_inputs,
)

from .conftest import fit_pipeline


def _margin(pipeline, X):
    p = pipeline.predict_proba(X)[:, 1]
    return np.log(p / (1 - p))


@pytest.mark.parametrize("fixture", ["lgbm_pipeline", "linear_pipeline"])
def test_row_contributions_sum_to_the_margin(request, credit, fixture):
    pipeline = request.getfixturevalue(fixture)
    X = credit.X_test.head(25)
    rows = explain_rows(pipeline, X)
    assert list(rows.columns) == [*X.columns, "(bias)"]  # every input column, no "(other)"
    assert rows.index.equals(X.index)
    np.testing.assert_allclose(rows.sum(axis=1), _margin(pipeline, X), rtol=1e-6, atol=1e-6)


def test_xgboost_contributions(credit):
    from xgboost import XGBClassifier

    from mlsprint.features.preprocessor import build_preprocessor

    pre = build_preprocessor(credit.contract, credit.spec, for_model="tree")
    pipe = Pipeline([("pre", pre), ("model", XGBClassifier(n_estimators=30, max_depth=3,
                                                           n_jobs=1))])
    pipe.fit(credit.X_train, (credit.y_train == "good").astype(int))
    X = credit.X_test.head(20)
    rows = explain_rows(pipe, X)
    margin = pipe[-1].predict(pipe[:-1].transform(X), output_margin=True)
    assert contribution_method(pipe) == "xgboost"
    np.testing.assert_allclose(rows.sum(axis=1), margin, rtol=1e-5, atol=1e-5)


def test_catboost_contributions(credit):
    from mlsprint.features.preprocessor import build_preprocessor
    from mlsprint.training.estimators import fit_estimator
    from mlsprint.training.families import FAMILIES, build_estimator

    pre = build_preprocessor(credit.contract, credit.spec, for_model="tree")
    model = build_estimator("catboost", FAMILIES["catboost"].defaults("binary"),
                            task="binary", n_jobs=1, random_state=0, n_estimators=40)
    pipe = fit_estimator(Pipeline([("pre", pre), ("model", model)]), credit.X_train,
                         credit.y_train)
    X = credit.X_test.head(20)
    rows = explain_rows(pipe, X)
    assert contribution_method(pipe) == "catboost"
    assert list(rows.columns) == [*X.columns, "(bias)"]
    # oracle: CatBoost's own raw margin (log-odds of classes_[1]) of the same rows
    np.testing.assert_allclose(rows.sum(axis=1), _margin(pipe, X), rtol=1e-6, atol=1e-6)


def test_multiclass_contributions_explain_the_predicted_class():
    from lightgbm import LGBMClassifier

    df = read_dataset("dry_bean").sample(1500, random_state=0)
    X, y = df.drop(columns="Class"), df["Class"]
    model = LGBMClassifier(n_estimators=30, num_leaves=8, n_jobs=1, verbose=-1)
    pipe = Pipeline([("model", model)]).fit(X[:1200], y[:1200])
    rows = explain_rows(pipe, X[1200:1220])
    raw = model.predict(X[1200:1220], raw_score=True)
    chosen = raw.argmax(axis=1)
    np.testing.assert_allclose(rows.sum(axis=1), raw[np.arange(20), chosen], rtol=1e-6)


def test_names_map_back_to_input_columns(credit, linear_pipeline):
    names = linear_pipeline[:-1].get_feature_names_out()
    owners = map_to_inputs(names, list(credit.X_test.columns))
    assert len(names) > len(credit.X_test.columns)  # one-hot widened the frame
    assert set(owners) == set(credit.X_test.columns)
    assert map_to_inputs(["a__x_1", "num__xy", "missingindicator_x", "zzz"], ["x", "xy"]) == [
        "x", "xy", "x", "(other)"]


def test_models_without_contributions_say_so(credit):
    from sklearn.ensemble import HistGradientBoostingClassifier

    pipe = fit_pipeline(credit, "tree", HistGradientBoostingClassifier(max_iter=20))
    with pytest.raises(ExplanationUnavailableError, match="LightGBM, XGBoost, CatBoost or linear"):
        explain_rows(pipe, credit.X_test.head(2))
    report = explain_global(pipe, credit.X_test, credit.y_test, primary="roc_auc",
                            task="binary", positive_class="good", n_repeats=2)
    assert report.method == "none" and report.contribution == {}


def test_permutation_importance_is_sklearns_and_finds_the_signal(credit, lgbm_pipeline):
    X = credit.X_test.assign(noise=np.random.default_rng(0).normal(size=len(credit.X_test)))
    report = explain_global(lgbm_pipeline, X.drop(columns="noise"), credit.y_test,
                            primary="roc_auc", task="binary", positive_class="good",
                            n_repeats=3, random_state=0)
    ref = permutation_importance(lgbm_pipeline, X.drop(columns="noise"),
                                 (credit.y_test == "good").astype(int), scoring="roc_auc",
                                 n_repeats=3, random_state=0)
    np.testing.assert_allclose(list(report.permutation.values()), ref.importances_mean,
                               atol=1e-12)
    top = report.top(3)[0][0]
    assert top == "checking_status"  # the known strongest predictor of german_credit
    assert report.contribution[top] > report.contribution["num_dependents"]
    assert report.method == "lightgbm" and report.n_rows == len(X)


def test_global_importance_for_regression_uses_the_loss_sign():
    from sklearn.linear_model import Ridge

    df = read_dataset("bike_sharing_hourly", nrows=3000)
    X = pd.DataFrame({"hr": df["hr"], "temp": df["temp"],
                      "noise": np.random.default_rng(1).normal(size=len(df))})
    pipe = Pipeline([("model", Ridge())]).fit(X[:2000], df["cnt"][:2000])
    report = explain_global(pipe, X[2000:], df["cnt"][2000:], primary="rmse", n_repeats=3,
                            max_rows=500)  # task inferred: no classes_ -> regression
    assert report.permutation["hr"] > 0 and report.permutation["temp"] > 0
    assert abs(report.permutation["noise"]) < 0.1 * report.permutation["hr"]
    assert report.method == "linear" and report.n_rows == 500


def test_recalibrated_pipelines_are_explained_through_the_wrapper(credit, lgbm_pipeline):
    from mlsprint.evaluation import RecalibratedClassifier

    wrapped = RecalibratedClassifier(lgbm_pipeline, method="sigmoid").fit(
        credit.X_train, credit.y_train)
    X = credit.X_test.head(5)
    rows = explain_rows(wrapped, X)
    # contributions explain the model's own margin, before the calibration map
    np.testing.assert_allclose(rows.sum(axis=1), _margin(lgbm_pipeline, X), rtol=1e-6)
    assert contribution_method(wrapped) == "lightgbm"
