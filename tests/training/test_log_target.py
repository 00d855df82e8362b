"""A skewed, non-negative regression target: configurations that model log(1 + y)."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import PredefinedSplit, cross_val_predict
from sklearn.pipeline import Pipeline
from tests.training.conftest import Problem

from mlsprint.features import build_preprocessor
from mlsprint.training import search
from mlsprint.training.cv import CVContext, Deadline, FoldCache, cross_validate
from mlsprint.training.estimators import categorical_positions, fit_estimator
from mlsprint.training.families import FAMILIES
from mlsprint.training.search import _skewed


def _ctx(problem: Problem, folds: int = 3) -> CVContext:
    from mlsprint.evaluation.metrics import score

    y = problem.y.to_numpy(dtype=float)
    order = np.arange(len(y))
    splits = [(order[order % folds != k], order[order % folds == k]) for k in range(folds)]
    cache = FoldCache(problem.X, y, splits, lambda kind: build_preprocessor(
        problem.contract, problem.spec, for_model=kind))
    return CVContext(cache, "regression", (), -1, None, 1, 0,
                     lambda t, p, w: score("rmse", t, p, task="regression", classes=(),
                                           sample_weight=w), log_target=True)


def test_which_targets_are_skewed_enough(ames: Problem) -> None:
    price = ames.y.to_numpy(dtype=float)
    assert _skewed(price)  # SalePrice: skewness about 1.7
    assert not _skewed(np.log(price))  # about symmetric
    assert not _skewed(price - price.mean())  # negative values: no log(1 + y)
    assert not _skewed(np.array([1.0, np.nan, 5.0, 100.0]))


def test_out_of_fold_log_target_predictions_match_scikit_learn(ames: Problem) -> None:
    # oracle: cross_val_predict of the refit's shape, the preprocessor (fitted on y, as
    # its target encoding is) then TransformedTargetRegressor(log1p, expm1), on the folds
    ctx = _ctx(ames)
    linear = FAMILIES["linear"]
    params = {"kind": "ridge", "alpha": 3.0, "target": "log"}
    outcome = cross_validate(linear, params, ctx, deadline=Deadline(None))
    test_fold = np.arange(len(ames.y)) % 3
    model = Pipeline([
        ("pre", build_preprocessor(ames.contract, ames.spec, for_model="linear")),
        ("ridge", TransformedTargetRegressor(Ridge(alpha=3.0), func=np.log1p,
                                             inverse_func=np.expm1))])
    expected = cross_val_predict(model, ames.X, ames.y.to_numpy(dtype=float),
                                 cv=PredefinedSplit(test_fold))
    np.testing.assert_allclose(outcome.oof, expected, rtol=1e-9)
    raw = cross_validate(linear, dict(params, target="raw"), ctx, deadline=Deadline(None))
    assert not np.allclose(raw.oof, outcome.oof)


def test_a_log_target_lightgbm_refit_keeps_its_category_columns(ames: Problem) -> None:
    pre = build_preprocessor(ames.contract, ames.spec, for_model="tree")
    model = lgb.LGBMRegressor(n_estimators=30, random_state=0, verbose=-1, n_jobs=1)
    pipeline = Pipeline([("preprocess", pre), ("model", TransformedTargetRegressor(
        model, func=np.log1p, inverse_func=np.expm1, check_inverse=False))])
    fitted = fit_estimator(pipeline, ames.X, ames.y)
    positions = categorical_positions(fitted.named_steps["preprocess"])
    assert positions
    booster = fitted.named_steps["model"].regressor_.booster_
    assert booster.params["categorical_column"] == positions
    # oracle: LightGBM fitted by hand on log1p(y), exponentiated back
    by_hand_pre = clone(pre)
    Xt = by_hand_pre.fit_transform(ames.X, ames.y)  # cross-fitted target encoding
    by_hand = clone(model).fit(Xt, np.log1p(ames.y), categorical_feature=positions)
    probe = ames.X.head(50)
    np.testing.assert_allclose(fitted.predict(probe),
                               np.expm1(by_hand.predict(by_hand_pre.transform(probe))),
                               rtol=1e-12)


def test_the_search_tries_log_right_after_the_defaults(ames: Problem) -> None:
    result = search(ames.X, ames.y, n_trials=4, **ames.kwargs())
    by_family: dict[str, list] = {}
    for record in sorted(result.leaderboard, key=lambda r: r.trial):
        by_family.setdefault(record.family, []).append(record.params.get("target"))
    assert len(by_family["lightgbm"]) >= 2
    for family, targets in by_family.items():
        assert targets[:2] == ["raw", "log"][:len(targets)], family
    logged = [r for r in result.leaderboard if r.params.get("target") == "log"]
    assert logged
    # a log candidate refits inside a TransformedTargetRegressor, predicting on y's scale
    if result.best != "ensemble" and result.leaderboard[0].params.get("target") == "log":
        assert isinstance(result.pipeline.named_steps["model"], TransformedTargetRegressor)
    pred = result.pipeline.predict(ames.X.head(20))
    assert pd.Series(pred).between(ames.y.min() / 3, ames.y.max() * 3).all()
