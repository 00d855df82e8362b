"""Greedy ensemble selection and the ensemble / label-encoding estimators."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlsprint.training import EncodedClassifier, EnsembleClassifier, EnsembleRegressor
from mlsprint.training.ensemble import greedy_selection
from mlsprint.training.estimators import fit_estimator


def _auc(y, p, w):
    return roc_auc_score(y, p, sample_weight=w)


def test_greedy_selection_beats_or_ties_every_single_candidate() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    oofs = [y * 0.3 + rng.random(400) for _ in range(4)]  # independent noise: averaging helps
    counts, score = greedy_selection(oofs, y, _auc, greater_is_better=True)
    singles = [roc_auc_score(y, o) for o in oofs]
    assert score >= max(singles)
    assert (counts > 0).sum() >= 2
    weights = counts / counts.sum()
    blend = np.sum([w * o for w, o in zip(weights, oofs, strict=True)], axis=0)
    assert score == pytest.approx(roc_auc_score(y, blend))


def test_greedy_selection_with_one_candidate_and_nan_rows() -> None:
    y = np.array([0, 1, 0, 1, 1])
    oof = np.array([0.1, 0.8, np.nan, 0.7, 0.9])
    counts, score = greedy_selection([oof], y, _auc, greater_is_better=True)
    assert counts.tolist() == [1]
    assert score == pytest.approx(roc_auc_score(y[[0, 1, 3, 4]], oof[[0, 1, 3, 4]]))
    with pytest.raises(ValueError, match="at least one candidate"):
        greedy_selection([], y, _auc, greater_is_better=True)


def test_ensemble_classifier_is_the_weighted_average_of_its_members() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = np.where(X[:, 0] + rng.normal(size=200) > 0, "yes", "no")
    members = [("lr", Pipeline([("s", StandardScaler()), ("m", LogisticRegression())])),
               ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
    ens = EnsembleClassifier(members, [3.0, 1.0]).fit(X, y)
    lr = members[0][1].fit(X, y)
    tree = members[1][1].fit(X, y)
    expected = 0.75 * lr.predict_proba(X) + 0.25 * tree.predict_proba(X)
    np.testing.assert_allclose(ens.predict_proba(X), expected)
    assert set(ens.predict(X)) <= {"yes", "no"}


def test_ensemble_with_sample_weight_routes_to_pipeline_steps() -> None:
    X = np.arange(20, dtype=float).reshape(-1, 1)
    y = 2 * X.ravel()
    y[10:] = 0.0
    w = np.r_[np.ones(10), np.zeros(10)]  # weight 0 hides the broken rows
    pipe = Pipeline([("m", LinearRegression())])
    ens = EnsembleRegressor([("a", pipe)], [1.0]).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ens.predict([[30.0]]), [60.0])
    np.testing.assert_allclose(fit_estimator(Pipeline([("m", LinearRegression())]), X, y, w)
                               .predict([[30.0]]), [60.0])


def test_mismatched_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="one weight per estimator"):
        EnsembleRegressor([("a", LinearRegression())], [1.0, 2.0]).fit([[0.0], [1.0]], [0, 1])


@parametrize_with_checks([
    EncodedClassifier(LogisticRegression(), class_weight="balanced"),
    EnsembleClassifier([("a", LogisticRegression()), ("b", DecisionTreeClassifier(random_state=0))],
                       [1.0, 1.0]),
    EnsembleRegressor([("a", LinearRegression())], [1.0]),
])
def test_sklearn_estimator_contract(estimator, check) -> None:
    check(estimator)
