"""CatBoost gets the preprocessor's category codes as native categories, in folds and
refits, stops early on the fold's validation loss and keeps to the deadline."""

from __future__ import annotations

import pickle

import catboost
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.pipeline import Pipeline
from tests.training.conftest import Problem

from mlsprint.features import build_preprocessor
from mlsprint.training.cv import Deadline
from mlsprint.training.estimators import categorical_positions, fit_estimator
from mlsprint.training.families import FAMILIES, build_estimator
from mlsprint.training.fitting import best_iteration, fit_model, rounds_run


def _model(task: str, rounds: int | None = 60) -> object:
    return build_estimator("catboost", FAMILIES["catboost"].defaults(task), task=task,
                           n_jobs=1, random_state=0, n_estimators=rounds)


def test_a_refitted_pipeline_gives_catboost_its_category_columns(german: Problem) -> None:
    pre = build_preprocessor(german.contract, german.spec, for_model="tree")
    pipeline = fit_estimator(Pipeline([("preprocess", pre), ("model", _model("binary"))]),
                             german.X, german.y)
    positions = categorical_positions(pipeline.named_steps["preprocess"])
    assert positions, "german_credit has categorical features"
    inner = pipeline.named_steps["model"].estimator_
    assert inner.get_cat_feature_indices() == positions
    # Oracle: CatBoost itself, fitted on the same codes as integers with cat_features.
    Xt = pd.DataFrame(pipeline.named_steps["preprocess"].transform(german.X))
    Xt = Xt.astype({j: np.int64 for j in positions})
    y01 = (german.y == "bad").to_numpy().astype(int)  # sorted labels: "bad" < "good"
    by_hand = catboost.CatBoostClassifier(
        iterations=60, learning_rate=0.08, depth=6, l2_leaf_reg=3.0, random_strength=1.0,
        thread_count=1, random_seed=0, verbose=0, allow_writing_files=False,
    ).fit(Xt, 1 - y01, cat_features=positions)
    np.testing.assert_allclose(pipeline.predict_proba(german.X)[:, 1],
                               by_hand.predict_proba(Xt)[:, 1], rtol=1e-12)
    again = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_array_equal(again.predict_proba(german.X.head(50)),
                                  pipeline.predict_proba(german.X.head(50)))


def test_a_fold_fit_stops_early_on_its_validation_loss(german: Problem) -> None:
    pre = build_preprocessor(german.contract, german.spec, for_model="tree")
    train, valid = np.arange(700), np.arange(700, 1000)
    Xt = pre.fit_transform(german.X.iloc[train], german.y.iloc[train])
    Xv = pre.transform(german.X.iloc[valid])
    family = FAMILIES["catboost"]
    fitted = fit_model(family, _model("binary", rounds=None), Xt, german.y.iloc[train],
                       None, Xv, german.y.iloc[valid], None, Deadline(None), preprocessor=pre)
    best, ran = best_iteration(family, fitted), rounds_run(family, fitted)
    assert fitted.estimator_.get_cat_feature_indices() == categorical_positions(pre)
    assert 1 <= best < ran <= 2000
    assert ran == best + 50  # the overfitting detector's patience, after the best round
    y01 = (german.y.iloc[valid] == "bad").astype(int)
    assert 0.65 < roc_auc_score(y01, fitted.predict_proba(Xv)[:, 0]) < 0.95


def test_a_fold_fit_stops_at_the_deadline(german: Problem) -> None:
    pre = build_preprocessor(german.contract, german.spec, for_model="tree")
    Xt = pre.fit_transform(german.X.iloc[:700], german.y.iloc[:700])
    Xv = pre.transform(german.X.iloc[700:])
    fitted = fit_model(FAMILIES["catboost"], _model("binary", rounds=None), Xt,
                       german.y.iloc[:700], None, Xv, german.y.iloc[700:], None,
                       Deadline(0.0), preprocessor=pre)  # passed long ago
    assert rounds_run(FAMILIES["catboost"], fitted) == 1


def test_multiclass_probabilities_follow_the_sorted_labels(beans: Problem) -> None:
    pre = build_preprocessor(beans.contract, beans.spec, for_model="tree")
    pipeline = fit_estimator(Pipeline([("preprocess", pre),
                                       ("model", _model("multiclass", rounds=100))]),
                             beans.X, beans.y)
    model = pipeline.named_steps["model"]
    assert list(model.classes_) == sorted(beans.y.unique())
    proba = pipeline.predict_proba(beans.X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # a column order that did not follow classes_ would score near chance (7 classes)
    assert accuracy_score(beans.y, pipeline.predict(beans.X)) > 0.85


def test_regression_and_sample_weights(ames: Problem) -> None:
    pre = build_preprocessor(ames.contract, ames.spec, for_model="tree")
    weights = np.where(np.arange(len(ames.y)) % 2 == 0, 1.0, 0.0)
    one = fit_estimator(Pipeline([("preprocess", pre), ("model", _model("regression"))]),
                        ames.X, ames.y, weights)
    halves = fit_estimator(Pipeline([("preprocess", build_preprocessor(
        ames.contract, ames.spec, for_model="tree")), ("model", _model("regression"))]),
        ames.X.iloc[::2], ames.y.iloc[::2])
    # zero-weight rows change nothing but the quantisation borders CatBoost draws from
    # all rows: the two fits agree closely, and both track the target
    a, b = one.predict(ames.X), halves.predict(ames.X)
    assert np.corrcoef(a, b)[0, 1] > 0.97
    assert np.corrcoef(a, ames.y)[0, 1] > 0.9
