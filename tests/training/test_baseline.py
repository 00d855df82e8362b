"""fit_baseline on german_credit and ames_housing: scores agree with sklearn's own
cross-validation, the pipeline is fitted inside folds only, and the result is JSON-able."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import cross_val_score
from threadpoolctl import threadpool_limits

from conftest import read_dataset
from mlsprint.data.contract import infer_contract
from mlsprint.data.split import SplitPlan, choose_split, cv_splitter, split_holdout
from mlsprint.errors import DataError
from mlsprint.spec import ProjectSpec, parse_spec
from mlsprint.training.baseline import BaselineResult, baseline_models, fit_baseline

# pandas 3 deprecations (Pandas4Warning) are DeprecationWarnings: fail on them here
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


def _spec(task: dict, target: str, **extra) -> ProjectSpec:
    return parse_spec({"name": "t", "task": task,
                       "data": {"source": "d.csv", "target": target,
                                **extra.pop("data", {})}, **extra})


GERMAN = {"type": "binary", "positive_class": "bad"}


@cache
def german_result() -> tuple[pd.DataFrame, ProjectSpec, SplitPlan, BaselineResult]:
    df = read_dataset("german_credit")
    spec = _spec(GERMAN, "class")
    plan = choose_split(spec, df["class"])
    train, _ = split_holdout(df, plan, target="class", random_state=0)
    rows = df.iloc[train].reset_index(drop=True)
    result = fit_baseline(rows.drop(columns="class"), rows["class"],
                          contract=infer_contract(rows, spec), spec=spec, plan=plan,
                          random_state=0)
    return rows, spec, plan, result


def test_german_linear_beats_dummy_and_matches_sklearn_cross_validation() -> None:
    rows, spec, plan, result = german_result()
    assert result.primary == "roc_auc" and result.fold_sizes == [160] * 5
    assert result.dummy.cv_mean["roc_auc"] == pytest.approx(0.5)
    assert result.dummy.cv_mean["accuracy"] == pytest.approx(0.7)  # the prior: all "good"
    assert 0.70 < result.linear.cv_mean["roc_auc"] < 0.85  # published range for credit-g
    splitter, _ = cv_splitter(plan, n_rows=len(rows), random_state=0)
    template = baseline_models(infer_contract(rows, spec), spec, 0)["linear"]
    y_bad = (rows["class"] == "bad").astype(int)  # sklearn's scorer on the same folds
    with threadpool_limits(limits=1, user_api="blas"):
        oracle = cross_val_score(template, rows.drop(columns="class"), y_bad,
                                 cv=splitter.split(rows, rows["class"]), scoring="roc_auc")
    np.testing.assert_allclose(result.linear.fold_scores["roc_auc"], oracle, rtol=1e-6)
    assert result.linear.cv_std["roc_auc"] == pytest.approx(np.std(oracle, ddof=1))


def test_out_of_fold_predictions_are_probabilities_of_the_positive_class() -> None:
    rows, _, _, result = german_result()
    oof = result.linear.oof
    assert oof.shape == (len(rows),) and np.isfinite(oof).all()
    assert oof[rows["class"].to_numpy() == "bad"].mean() > oof[
        rows["class"].to_numpy() == "good"].mean()
    refit = result.linear.estimator.predict_proba(rows.drop(columns="class"))
    assert list(result.linear.estimator.classes_) == ["bad", "good"]
    assert refit.shape == (len(rows), 2)


def test_to_dict_is_json_without_estimators() -> None:
    *_, result = german_result()
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data["models"]) == {"dummy", "linear"}
    assert set(data["models"]["linear"]["cv_mean"]) == {
        "roc_auc", "average_precision", "log_loss", "f1", "accuracy", "brier"}
    assert data["split"]["strategy"] == "stratified"
    assert "estimator" not in data["models"]["linear"]


class FitSpy(TransformerMixin, BaseEstimator):
    """Records the number of rows of every fit (class-level, clones share it)."""

    fitted_rows: list[int] = []

    def fit(self, X, y=None):
        FitSpy.fitted_rows.append(len(X))
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        return X

    def get_feature_names_out(self, input_features=None):
        return np.asarray(input_features, dtype=object)


def test_pipeline_is_fitted_inside_folds_only() -> None:
    rows = read_dataset("german_credit")
    spec = _spec(GERMAN, "class", features={"custom": [f"{__name__}:FitSpy"]})
    plan = choose_split(spec, rows["class"])
    FitSpy.fitted_rows = []
    result = fit_baseline(rows, rows["class"], contract=infer_contract(rows, spec),
                          spec=spec, plan=plan, random_state=0)
    train_sizes = [len(rows) - v for v in result.fold_sizes]
    assert FitSpy.fitted_rows == [*train_sizes, len(rows)]  # each fold's rows, then all


def test_an_id_like_noise_column_does_not_leak_through_target_encoding() -> None:
    rows = read_dataset("german_credit")[["duration", "class"]].copy()
    rng = np.random.default_rng(0)
    rows["noise_code"] = [f"k{v}" for v in rng.integers(0, 300, len(rows))]
    rows["duration"] = rng.normal(size=len(rows))  # no signal left but the noise code
    spec = _spec(GERMAN, "class", features={"rare_category_min_fraction": 0.0})
    contract = infer_contract(rows, spec)
    result = fit_baseline(rows, rows["class"], contract=contract, spec=spec,
                          plan=choose_split(spec, rows["class"]), random_state=0)
    # fitted on validation rows, 300 target-encoded codes would score far above 0.5
    assert result.linear.cv_mean["roc_auc"] < 0.6


def test_regression_baseline_on_ames() -> None:
    df = read_dataset("ames_housing").sample(1200, random_state=0).reset_index(drop=True)
    spec = _spec({"type": "regression"}, "SalePrice", data={"columns": {"id": ["Order",
                                                                                "PID"]}})
    plan = choose_split(spec, df["SalePrice"])
    result = fit_baseline(df, df["SalePrice"], contract=infer_contract(df, spec), spec=spec,
                          plan=plan, random_state=0)
    dummy, linear = result.dummy.cv_mean, result.linear.cv_mean
    assert dummy["r2"] < 0.01 and linear["r2"] > 0.75
    assert linear["rmse"] < 0.5 * dummy["rmse"]
    assert dummy["rmse"] == pytest.approx(df["SalePrice"].std(ddof=0), rel=0.1)
    assert result.linear.oof.shape == (len(df),)
    assert result.linear.estimator.predict(df.head(2)).shape == (2,)


def test_temporal_plan_leaves_first_block_unpredicted_and_weights_flow() -> None:
    df = read_dataset("elec2", nrows=1500)
    spec = _spec({"type": "binary", "positive_class": "UP"}, "class", split={"n_folds": 3})
    plan = choose_split(spec, df["class"], time_ordered=True)
    weight = np.where(df["class"] == "UP", 2.0, 1.0)
    result = fit_baseline(df, df["class"], contract=infer_contract(df, spec), spec=spec,
                          plan=plan, sample_weight=weight, random_state=0)
    oof = result.dummy.oof
    first = len(df) - sum(result.fold_sizes)
    assert np.isnan(oof[:first]).all() and np.isfinite(oof[first:]).all()
    up_share = (weight * (df["class"] == "UP"))[:first].sum() / weight[:first].sum()
    assert oof[first] == pytest.approx(up_share)  # weighted prior of the first block


def test_group_plan_takes_groups_from_x_or_fails_clearly() -> None:
    df = read_dataset("diabetes_130us", nrows=1500)
    spec = _spec({"type": "multiclass"}, "readmitted",
                 data={"columns": {"id": ["encounter_id"], "group": "patient_nbr"}})
    plan = choose_split(spec, df["readmitted"])
    contract = infer_contract(df, spec)
    result = fit_baseline(df, df["readmitted"], contract=contract, spec=spec, plan=plan,
                          random_state=0)
    assert result.primary == "log_loss"
    assert result.linear.oof.shape == (len(df), 3)
    assert np.allclose(result.linear.oof.sum(axis=1), 1)
    assert result.dummy.cv_mean["roc_auc_ovr"] == pytest.approx(0.5)
    assert result.linear.cv_mean["roc_auc_ovr"] > 0.55  # readmission is hard to rank
    with pytest.raises(DataError, match="a group split needs the group of each row"):
        fit_baseline(df.drop(columns="patient_nbr"), df["readmitted"], contract=contract,
                     spec=spec, plan=plan, random_state=0)


def test_a_solver_stopped_at_max_iter_leaves_a_note_not_a_warning() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from mlsprint.training.baseline import _fit

    rows = read_dataset("german_credit")
    X = rows[["duration", "credit_amount", "age"]]
    notes: list[str] = []
    _fit(Pipeline([("model", LogisticRegression(max_iter=1))]), X, rows["class"].to_numpy(),
         None, notes, "fold 0")
    assert notes == ["LogisticRegression stopped at max_iter=1 before converging (fold 0)"]
    *_, result = german_result()
    assert result.linear.notes == []  # the real baseline converges
