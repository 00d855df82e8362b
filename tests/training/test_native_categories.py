"""LightGBM splits the preprocessor's category codes as categories, in folds and refits."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from tests.training.conftest import Problem

from mlsprint.features import build_preprocessor
from mlsprint.training.cv import Deadline
from mlsprint.training.estimators import categorical_positions, fit_estimator
from mlsprint.training.families import FAMILIES
from mlsprint.training.fitting import fit_model


def _categorical_features(model: lgb.LGBMClassifier) -> list[int]:
    # LightGBM lists a categorical feature's category values; a numeric one's are empty.
    infos = model.booster_.dump_model()["feature_infos"]
    return [i for i, info in enumerate(infos.values()) if info["values"]]


def _pipeline(problem: Problem) -> Pipeline:
    pre = build_preprocessor(problem.contract, problem.spec, for_model="tree")
    model = lgb.LGBMClassifier(n_estimators=50, random_state=0, verbose=-1, n_jobs=1)
    return Pipeline([("preprocess", pre), ("model", model)])


def test_a_refitted_pipeline_tells_lightgbm_its_category_columns(german: Problem) -> None:
    pipeline = fit_estimator(_pipeline(german), german.X, german.y)
    pre = pipeline.named_steps["preprocess"]
    names = pre.get_feature_names_out()
    positions = categorical_positions(pre)
    assert positions, "german_credit has categorical features"
    assert all(str(names[i]).startswith("categorical__") for i in positions)
    assert _categorical_features(pipeline.named_steps["model"]) == positions
    # The same as fitting the steps by hand with categorical_feature (oracle: LightGBM).
    by_hand_pre = clone(pre).fit(german.X, german.y)
    by_hand = lgb.LGBMClassifier(n_estimators=50, random_state=0, verbose=-1, n_jobs=1).fit(
        by_hand_pre.transform(german.X), german.y, categorical_feature=positions)
    probe = german.X.head(100)
    np.testing.assert_array_equal(pipeline.predict_proba(probe),
                                  by_hand.predict_proba(by_hand_pre.transform(probe)))


def test_categories_are_not_split_as_numbers(german: Problem) -> None:
    native = fit_estimator(_pipeline(german), german.X, german.y)
    numeric = _pipeline(german)
    numeric.fit(german.X, german.y)  # plain Pipeline.fit: codes as ordered numbers
    probe = german.X.head(300)
    assert not np.array_equal(native.predict_proba(probe), numeric.predict_proba(probe))


def test_a_fold_fit_tells_lightgbm_its_category_columns(german: Problem) -> None:
    pre = build_preprocessor(german.contract, german.spec, for_model="tree")
    train, valid = np.arange(700), np.arange(700, 1000)
    Xt = pre.fit_transform(german.X.iloc[train], german.y.iloc[train])
    Xv = pre.transform(german.X.iloc[valid])
    model = lgb.LGBMClassifier(n_estimators=200, random_state=0, verbose=-1, n_jobs=1)
    fitted = fit_model(FAMILIES["lightgbm"], model, Xt, german.y.iloc[train], None, Xv,
                       german.y.iloc[valid], None, Deadline(None), preprocessor=pre)
    assert _categorical_features(fitted) == categorical_positions(pre) != []
    y01 = (german.y.iloc[valid] == "bad").astype(int)
    bad = list(fitted.classes_).index("bad")
    assert 0.65 < roc_auc_score(y01, fitted.predict_proba(Xv)[:, bad]) < 0.95


def test_custom_steps_leave_lightgbm_to_its_own_devices(german: Problem) -> None:
    pre = Pipeline([("columns", build_preprocessor(german.contract, german.spec,
                                                   for_model="tree").named_steps["columns"]),
                    ("custom_0", "passthrough")])
    assert categorical_positions(pre) == "auto"  # a custom step may reorder columns
