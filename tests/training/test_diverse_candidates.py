"""The perceptron family, LightGBM's extra-trees variant and an ensemble pool that takes
each family's best: what the search gained to ensemble models that err differently."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier
from tests.training.conftest import Problem, scoring_context

from mlsprint.features import build_preprocessor
from mlsprint.training.candidates import KEEP_OOF, CandidatePool
from mlsprint.training.cv import CVOutcome, Deadline
from mlsprint.training.families import FAMILIES, build_estimator, select_families
from mlsprint.training.fitting import EPOCH_PATIENCE, best_iteration, fit_model, rounds_run
from mlsprint.training.studies import open_studies


def _fold(problem: Problem) -> tuple:
    pre = build_preprocessor(problem.contract, problem.spec, for_model="linear")
    train, valid = np.arange(700), np.arange(700, 1000)
    Xt = pre.fit_transform(problem.X.iloc[train], problem.y.iloc[train])
    Xv = pre.transform(problem.X.iloc[valid])
    return Xt, problem.y.iloc[train].to_numpy(), Xv, problem.y.iloc[valid].to_numpy()


def test_the_perceptron_keeps_its_best_epoch_on_the_fold(german: Problem) -> None:
    Xt, yt, Xv, yv = _fold(german)
    params = FAMILIES["mlp"].defaults("binary")
    model = build_estimator("mlp", params, task="binary", n_jobs=1, random_state=3)
    fitted = fit_model(FAMILIES["mlp"], model, Xt, yt, None, Xv, yv, None, Deadline(None))
    best, ran = best_iteration(FAMILIES["mlp"], fitted), rounds_run(FAMILIES["mlp"], fitted)
    assert 1 <= best < ran <= best + EPOCH_PATIENCE
    # Oracle: scikit-learn's own partial_fit, epoch by epoch, one generator from the seed.
    # The kept weights are those of epoch `best`, whose validation loss is the lowest.
    replay = build_estimator("mlp", params, task="binary", n_jobs=1, random_state=3)
    replay.set_params(random_state=np.random.RandomState(3))
    classes = np.unique(np.concatenate([yt, yv]))
    losses = []
    for epoch in range(1, ran + 1):
        replay.partial_fit(Xt, yt, classes=classes)
        losses.append(log_loss(yv, replay.predict_proba(Xv), labels=classes))
        if epoch == best:
            kept = replay.predict_proba(Xv)
    np.testing.assert_array_equal(fitted.predict_proba(Xv), kept)
    assert int(np.argmin(losses)) + 1 == best
    assert fitted.get_params()["random_state"] == 3  # the integer seed is put back


def test_a_passed_deadline_stops_the_perceptron_after_one_epoch(german: Problem) -> None:
    Xt, yt, Xv, yv = _fold(german)
    model = build_estimator("mlp", FAMILIES["mlp"].defaults("binary"), task="binary",
                            n_jobs=1, random_state=0)
    fitted = fit_model(FAMILIES["mlp"], model, Xt, yt, None, Xv, yv, None,
                       Deadline(0.0))  # long past
    assert rounds_run(FAMILIES["mlp"], fitted) == 1


def test_the_perceptron_refit_runs_the_epochs_its_folds_chose() -> None:
    refit = build_estimator("mlp", FAMILIES["mlp"].defaults("multiclass"), task="multiclass",
                            n_jobs=1, random_state=0, n_estimators=7)
    assert isinstance(refit, MLPClassifier)
    assert refit.max_iter == 7 and refit.n_iter_no_change > 7 and not refit.early_stopping
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 300)]
    with pytest.warns(UserWarning):  # ConvergenceWarning: it stops at max_iter, as asked
        refit.fit(X, y)
    assert refit.n_iter_ == 7


def test_the_perceptron_serves_classification_only() -> None:
    assert "mlp" in [f.name for f in select_families(None, "binary")]
    assert "mlp" in [f.name for f in select_families(None, "multiclass")]
    assert "mlp" not in [f.name for f in select_families(None, "regression")]


def test_lightgbm_tries_its_variants_right_after_its_defaults() -> None:
    studies = open_studies([FAMILIES["lightgbm"]], storage=None, study_name="t",
                           metric="roc_auc", task="binary", random_state=0)
    study = studies["lightgbm"]
    asked = []
    for _ in range(4):
        trial = study.ask()
        asked.append(FAMILIES["lightgbm"].suggest(trial, "binary"))
        study.tell(trial, 0.5)
    assert asked[0] == FAMILIES["lightgbm"].defaults("binary")
    assert asked[1] == {**asked[0], "extra_trees": True}
    model = build_estimator("lightgbm", asked[1], task="binary", n_jobs=1, random_state=0)
    assert model.get_params()["extra_trees"] is True
    slow = build_estimator("lightgbm", asked[2], task="binary", n_jobs=1, random_state=0)
    assert slow.get_params()["learning_rate"] == 0.02
    assert slow.get_params()["num_leaves"] == 53
    assert asked[3] not in asked[:3], "then the sampler's own"


def _outcome(oof: np.ndarray, score: float, fit_seconds: float = 1.0) -> CVOutcome:
    return CVOutcome(oof, (score, score), fit_seconds, 1e-6, 100, None, train_rows=200.0,
                     refit_seconds_per_row=fit_seconds / 200.0, fold_seconds=fit_seconds)


def test_the_ensemble_draws_on_each_familys_best_beyond_the_leaders() -> None:
    # Seven near-copies of one booster lead; an eighth-ranked model of another family
    # errs on the other rows. Greedy selection over the leaders alone cannot fix those
    # errors; with each family's best in the pool the ensemble takes it in.
    rng = np.random.default_rng(0)
    y = np.tile([0.0, 1.0], 200)
    half = np.arange(len(y)) < len(y) // 2
    booster = np.where(half, y, 0.5) + rng.normal(0, 0.01, len(y))
    other = np.where(half, 0.5, y)
    pool = CandidatePool("rmse", n_rows=len(y), folds=[(np.arange(200), np.arange(200))])

    def rmse(t, p, w):
        return float(np.sqrt(np.mean((t - p) ** 2)))

    for i in range(KEEP_OOF + 1):
        oof = booster + rng.normal(0, 0.001, len(y))
        pool.add(FAMILIES["lightgbm"], {"i": i}, _outcome(oof, rmse(y, oof, None)), i)
    pool.add(FAMILIES["linear"], {}, _outcome(other, rmse(y, other, None) + 0.01), 99)
    assert pool.leaderboard()[-1].family == "linear"  # last: outside the top eight
    assert "linear-001" in pool.oofs

    choice = pool.choose(scoring_context(y, rmse, "regression"), Deadline(None),
                         lambda kind: None)
    assert choice.name == "ensemble"
    assert "linear-001" in {r.name for r, _ in choice.members}
    assert choice.oof_score < min(r.cv_mean for r in pool.records)


def test_the_refit_reserve_covers_every_member_the_ensemble_may_take() -> None:
    y = np.zeros(100)
    pool = CandidatePool("rmse", n_rows=100, folds=[(np.arange(100), np.arange(100))])
    for i, family in enumerate(["lightgbm", "lightgbm", "lightgbm", "xgboost", "linear",
                                "extra_trees", "random_forest", "hist_gradient_boosting"]):
        pool.add(FAMILIES[family], {"i": i}, _outcome(y, 1.0 + i, fit_seconds=1.0), i)
    members = pool._ensemble_pool(KEEP_OOF)
    assert {r.family for r in members} == {"lightgbm", "xgboost", "linear", "extra_trees",
                                          "random_forest", "hist_gradient_boosting"}
    expected = 1.1 * sum(pool.refit_estimate(r) for r in members)
    assert pool.refit_reserve(budget=1000.0) == pytest.approx(expected)
    assert pool.refit_reserve(budget=10.0) == pytest.approx(
        max(pool.refit_estimate(pool.leaderboard()[0]), 3.0))  # capped at 30 % of it


def test_a_gap_is_measured_in_the_leaders_deviations_not_the_junks() -> None:
    # ames_housing: linear models on log(1 + y) blew up on a few houses; their huge fold
    # deviations must not shrink every gap, or the cheap family is never dropped
    y = np.zeros(100)
    pool = CandidatePool("rmse", n_rows=100, folds=[(np.arange(100), np.arange(100))])

    def outcome(score: float, std: float) -> CVOutcome:
        return CVOutcome(y, (score - std / np.sqrt(2), score + std / np.sqrt(2)), 1.0, 1e-6,
                         100, None, train_rows=100.0, refit_seconds_per_row=0.01)

    for i in range(10):  # the leaders: scores 100-109, fold deviation 2
        pool.add(FAMILIES["lightgbm"], {"i": i}, outcome(100.0 + i, 2.0), i)
    pool.add(FAMILIES["linear"], {"i": 0}, outcome(120.0, 2.0), 10)
    for i in range(1, 40):  # blown-up trials of the same family
        pool.add(FAMILIES["linear"], {"i": i}, outcome(500.0 + i, 400.0), 10 + i)
    assert pool.leaderboard()[0].cv_std == pytest.approx(2.0)
    assert pool.gap("linear") == pytest.approx((120.0 - 100.0) / 2.0)
    assert pool.hopeless({"linear": 40, "lightgbm": 10}) == {"linear"}


def test_once_an_ensemble_is_kept_only_its_refit_stays_reserved() -> None:
    # Until the ensemble is decided, trials leave time for the largest one the search may
    # keep; once one is kept, for its own refit (and choosing again) only: the rest goes
    # back to the families that were waiting for time.
    from mlsprint.training.trial_loop import TrialLoop

    y = np.zeros(100)
    folds = [(np.arange(100), np.arange(100))]
    pool = CandidatePool("rmse", n_rows=100, folds=folds)
    names = ["lightgbm", "xgboost", "linear", "extra_trees", "random_forest",
             "hist_gradient_boosting"]
    for i, family in enumerate(names):
        pool.add(FAMILIES[family], {"i": i}, _outcome(y, 1.0 + i, fit_seconds=1.0), i)
    ctx = scoring_context(y, None, "regression")
    ctx.cache.folds, ctx.cache.train_rows = folds, 100.0
    loop = TrialLoop([FAMILIES[f] for f in names], ctx, {}, pool, start=time.perf_counter(),
                     budget=1000.0, n_trials=None, on_candidate=None, progress=None)
    linear = FAMILIES["linear"]
    before = loop._reserve(linear)
    assert before == pytest.approx(max(pool.refit_reserve(1000.0), pool.family_refit("linear")))
    assert not loop.resume(kept_refit=2.0), "no family was waiting for time"
    loop.dropped, loop.waiting = {"xgboost"}, {"xgboost"}
    loop.choose_seconds = 0.5
    assert loop.resume(kept_refit=2.0)
    assert loop.dropped == set()
    assert loop._reserve(linear) == pytest.approx(max(2.0 + 1.2 * 0.5, pool.family_refit("linear")))
    assert loop._reserve(linear) < before
