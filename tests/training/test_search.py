"""The model search on real data: reproducibility, the budget, storage, weights, tasks."""

from __future__ import annotations

import pickle
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from tests.training.conftest import STRATIFIED, Problem, german_spec, make_problem

from mlsprint.data.split import SplitPlan
from mlsprint.errors import DataError, SpecError, TrackingError
from mlsprint.evaluation.metrics import score
from mlsprint.training import RefitRows, refit_full, search


def _stable(result):  # the leaderboard without timings and sizes (these vary run to run)
    return [(r.name, r.params, r.cv_mean, r.cv_std, r.fold_scores, r.n_estimators)
            for r in result.leaderboard]


def test_same_seed_and_trials_give_identical_results(german: Problem, german_result) -> None:
    again = search(german.X, german.y, n_trials=5, **german.kwargs())
    assert _stable(again) == _stable(german_result)
    assert again.best == german_result.best
    np.testing.assert_array_equal(again.oof, german_result.oof)
    first = german_result.pipeline.predict_proba(german.X)
    second = again.pipeline.predict_proba(german.X)
    assert np.array_equal(first, second)  # bit-identical
    assert again.threshold == german_result.threshold


def test_result_is_a_plain_fitted_pipeline_with_honest_scores(german: Problem,
                                                             german_result) -> None:
    result = german_result
    assert isinstance(result.pipeline, Pipeline)
    loaded = pickle.loads(pickle.dumps(result.pipeline))
    np.testing.assert_array_equal(loaded.predict(german.X.head(20)),
                                  result.pipeline.predict(german.X.head(20)))
    assert len(result.leaderboard) == 5 and result.n_trials == 5
    assert {r.family for r in result.leaderboard} == {"linear", "lightgbm", "xgboost"}
    best = result.leaderboard[0]
    assert all(best.cv_mean >= r.cv_mean for r in result.leaderboard)
    assert len(best.fold_scores) == 3
    assert best.cv_std == pytest.approx(np.std(best.fold_scores, ddof=1))
    # the out-of-fold score recomputed with the evaluation metric (oracle: sklearn inside)
    y01 = (german.y == "bad").to_numpy()
    manual = score("roc_auc", y01.astype(int), result.oof, task="binary",
                   positive_class=1)
    assert result.oof_score == pytest.approx(manual)
    assert 0.7 < result.oof_score < 0.9  # german credit: AUC ~0.78 in the literature
    assert all(r.size_bytes > 0 and r.fit_seconds > 0 and r.predict_seconds_per_row > 0
               for r in result.leaderboard)
    assert result.threshold is not None and 0 < result.threshold < 1
    assert result.threshold_objective == "f1"
    import json

    assert json.loads(json.dumps(result.to_dict()))["leaderboard"][0]["name"] == best.name


def test_ensemble_is_kept_only_when_it_beats_the_best_single_model(german_result) -> None:
    info = german_result.ensemble
    assert info is not None
    if info.kept:
        assert german_result.best == "ensemble"
        assert info.oof_score > info.best_single_score
        assert sum(info.weights.values()) == pytest.approx(1.0)
    else:
        assert german_result.best == info.best_single


def test_budget_includes_the_final_refit(german: Problem) -> None:
    budget = 6.0
    start = time.perf_counter()
    result = search(german.X, german.y, budget_seconds=budget, **german.kwargs())
    elapsed = time.perf_counter() - start
    assert elapsed <= budget * 1.1, elapsed
    assert result.search_seconds + result.refit_seconds <= budget * 1.1
    assert result.leaderboard and result.budget_seconds == budget


def test_optuna_sqlite_storage_and_reused_study_name(german: Problem, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'optuna.db'}"
    spec = make_problem(german.X.assign(**{"class": german.y}),
                        german_spec(training={"families": ["linear"]}), STRATIFIED)
    result = search(spec.X, spec.y, n_trials=2, storage=url, study_name="run1",
                    **spec.kwargs())
    import optuna

    study = optuna.load_study(study_name="run1.linear", storage=url)
    assert len(study.trials) == 2 == len(result.leaderboard)
    with pytest.raises(TrackingError, match="already exists"):
        search(spec.X, spec.y, n_trials=1, storage=url, study_name="run1", **spec.kwargs())


def test_cost_matrix_sets_the_threshold_objective(german: Problem) -> None:
    costs = {"cost_matrix": {"false_positive_cost": 1.0, "false_negative_cost": 5.0}}
    problem = make_problem(german.X.assign(**{"class": german.y}),
                           german_spec(business=costs, training={"families": ["linear"]}),
                           STRATIFIED)
    result = search(problem.X, problem.y, n_trials=1, **problem.kwargs())
    assert result.threshold_objective == "business_value"
    # a false negative costs 5x a false positive: the optimal cut is well below 0.5
    assert result.threshold < 0.4


def test_sample_weights_are_used(german: Problem) -> None:
    problem = make_problem(german.X.assign(**{"class": german.y}),
                           german_spec(training={"families": ["linear"]}), STRATIFIED)
    plain = search(problem.X, problem.y, n_trials=1, **problem.kwargs())
    weight = np.where(problem.X["age"] > 35, 5.0, 1.0)
    weighted = search(problem.X, problem.y, n_trials=1, sample_weight=weight,
                      **problem.kwargs())
    assert weighted.leaderboard[0].cv_mean != plain.leaderboard[0].cv_mean
    coef_plain = plain.pipeline.named_steps["model"].coef_
    coef_weighted = weighted.pipeline.named_steps["model"].coef_
    assert not np.allclose(coef_plain, coef_weighted)


def test_regression_search(ames: Problem) -> None:
    result = search(ames.X, ames.y, n_trials=2, **ames.kwargs())
    assert result.metric == "rmse" and not result.greater_is_better
    best = result.leaderboard[0]
    assert all(best.cv_mean <= r.cv_mean for r in result.leaderboard)
    assert best.cv_mean < 0.6 * ames.y.std()  # far better than predicting the mean
    assert result.threshold is None
    assert result.pipeline.predict(ames.X.head(5)).shape == (5,)


def test_multiclass_search(beans: Problem) -> None:
    result = search(beans.X, beans.y, n_trials=2, **beans.kwargs())
    assert result.oof.shape == (len(beans.y), 7)
    np.testing.assert_allclose(result.oof.sum(axis=1), 1.0)
    assert result.leaderboard[0].cv_mean < 0.5  # log loss; uniform guess is ln 7 = 1.95
    assert result.pipeline.predict_proba(beans.X.head(3)).shape == (3, 7)


def test_refit_full_fits_a_copy_on_more_rows(german: Problem, german_result) -> None:
    half = len(german.X) // 2
    refitted = refit_full(german_result.pipeline, german.X.iloc[:half], german.y.iloc[:half])
    assert refitted is not german_result.pipeline
    assert not np.array_equal(refitted.predict_proba(german.X.tail(50)),
                              german_result.pipeline.predict_proba(german.X.tail(50)))


def _boosters(result, pipeline) -> list[tuple[object, object]]:
    """(record, model step) of each member of ``pipeline`` (``result``'s chosen one,
    unfitted members of an ensemble included) that early-stops."""
    records = {r.name: r for r in result.leaderboard}
    model = pipeline.named_steps["model"]
    members = ([(name, p.named_steps["model"]) for name, p in model.estimators]
               if result.best == "ensemble" else [(result.best, model)])
    return [(records[name], getattr(m, "estimator", m))  # XGBoost's label encoder
            for name, m in members if records[name].n_estimators is not None]


def _rounds_key(model) -> str:
    return "max_iter" if "max_iter" in model.get_params() else "n_estimators"


def _with_rounds(result, grow) -> Pipeline:
    """A copy of ``result``'s pipeline whose boosters run ``grow(record.n_estimators)``
    rounds; checks ``result``'s own run ``record.n_estimators``."""
    from sklearn.base import clone

    for record, model in _boosters(result, result.pipeline):
        assert model.get_params()[_rounds_key(model)] == record.n_estimators, record.name
    copy = clone(result.pipeline)
    for record, model in _boosters(result, copy):
        model.set_params(**{_rounds_key(model): grow(record.n_estimators)})
    return copy


def test_refit_extra_rows_join_only_the_final_refit(german: Problem, german_result) -> None:
    # --refit-full: the same search, then the chosen pipeline fitted on train + extra rows,
    # exactly as refitting the search's pipeline on those rows gives (oracle).
    X_h, y_h = german.X.tail(300).reset_index(drop=True), german.y.tail(300)
    result = search(german.X, german.y, n_trials=5, refit_extra=RefitRows(X_h, y_h),
                    **german.kwargs())
    assert _stable(result) == _stable(german_result), "the extra rows touch no trial"
    np.testing.assert_array_equal(result.oof, german_result.oof)
    both_X = pd.concat([german.X, X_h], ignore_index=True)
    both_y = pd.concat([german.y, y_h], ignore_index=True)
    # the boosting rounds grow with the rows: (1300 / 1000) ** 0.5 times the search's
    assert _boosters(german_result, german_result.pipeline), "a booster was chosen"
    grown = _with_rounds(german_result, lambda n: round(n * 1.3 ** 0.5))
    for record, model in _boosters(result, result.pipeline):
        assert model.get_params()[_rounds_key(model)] == round(record.n_estimators * 1.3 ** 0.5)
    expected = refit_full(grown, both_X, both_y)
    probe = german.X.head(200)
    np.testing.assert_array_equal(result.pipeline.predict_proba(probe),
                                  expected.predict_proba(probe))
    assert not np.array_equal(result.pipeline.predict_proba(probe),
                              german_result.pipeline.predict_proba(probe))


def test_budget_includes_a_refit_on_extra_rows(german: Problem) -> None:
    budget = 6.0
    X_h = pd.concat([german.X] * 3, ignore_index=True)  # the refit sees 4x the rows
    y_h = pd.concat([german.y] * 3, ignore_index=True)
    start = time.perf_counter()
    result = search(german.X, german.y, budget_seconds=budget,
                    refit_extra=RefitRows(X_h, y_h), **german.kwargs())
    assert time.perf_counter() - start <= budget * 1.1
    assert result.search_seconds + result.refit_seconds <= budget * 1.1
    with pytest.raises(DataError, match="sample weights exactly when"):
        search(german.X, german.y, n_trials=1, sample_weight=np.ones(len(german.y)),
               refit_extra=RefitRows(X_h, y_h), **german.kwargs())


def test_errors_name_the_fix(german: Problem) -> None:
    problem = make_problem(german.X.assign(**{"class": german.y}),
                           german_spec(training={"families": ["boosted_magic"]}), STRATIFIED)
    with pytest.raises(SpecError, match="unknown names.*boosted_magic"):
        search(problem.X, problem.y, n_trials=1, **problem.kwargs())
    group_plan = SplitPlan("group", "customer", "test", n_folds=3)
    with pytest.raises(DataError, match="needs the group column 'customer'"):
        search(german.X, german.y, n_trials=1, contract=german.contract, spec=german.spec,
               plan=group_plan)
    with pytest.raises(DataError, match="X has 1000 rows but y has 10"):
        search(german.X, german.y.head(10), n_trials=1, **german.kwargs())


def test_temporal_split_leaves_the_first_block_out_of_fold() -> None:
    from tests.conftest import read_dataset

    df = read_dataset("elec2", nrows=900)
    spec = {"name": "elec", "task": {"type": "binary", "positive_class": "UP"},
            "data": {"source": "elec2.csv.gz", "target": "class"},
            "training": {"families": ["linear", "lightgbm"]}}
    problem = make_problem(df, spec, SplitPlan("temporal", None, "row order", n_folds=3))
    result = search(problem.X, problem.y, n_trials=3, **problem.kwargs())
    first_block = 900 // 4  # TimeSeriesSplit(3): the first quarter is never validated
    assert np.isnan(result.oof[:first_block]).all()
    assert np.isfinite(result.oof[first_block:]).all()
    assert np.isfinite(result.oof_score) and result.threshold is not None
