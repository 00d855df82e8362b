"""Greedy ensemble selection and the ensemble / label-encoding estimators."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks
from tests.training.conftest import scoring_context

from mlsprint.training import EncodedClassifier, EnsembleClassifier, EnsembleRegressor
from mlsprint.training.ensemble import average_predictions, greedy_selection
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
    EnsembleClassifier([("a", LogisticRegression()), ("b", DecisionTreeClassifier(random_state=0))],
                       [1.0, 2.0], average="geometric"),
    EnsembleRegressor([("a", LinearRegression())], [1.0]),
])
def test_sklearn_estimator_contract(estimator, check) -> None:
    check(estimator)


def test_the_geometric_average_is_scipys_weighted_geometric_mean_renormalised() -> None:
    from scipy.special import expit, logit
    from scipy.stats import gmean

    rng = np.random.default_rng(2)
    probas = [rng.dirichlet(np.full(3, 5.0), size=50) for _ in range(3)]
    weights = np.array([0.5, 0.3, 0.2])
    stack = np.stack(probas)
    expected = gmean(stack, axis=0, weights=np.broadcast_to(weights[:, None, None], stack.shape))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(average_predictions(probas, weights * 10, average="geometric"),
                               expected, rtol=1e-12)
    np.testing.assert_allclose(average_predictions(probas, weights), np.tensordot(
        weights, stack, axes=1), rtol=1e-12)
    # two classes as positive-class probabilities: the weighted mean of the log-odds
    positives = [p[:, 0] for p in probas]
    np.testing.assert_allclose(
        average_predictions(positives, weights, average="geometric"),
        expit(np.tensordot(weights, logit(np.stack(positives)), axes=1)), rtol=1e-12)
    with pytest.raises(ValueError, match="average must be one of"):
        average_predictions(probas, weights, average="harmonic")


def test_geometric_greedy_selection_scores_the_blend_it_returns() -> None:
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 300)
    truth = np.eye(3)[y]
    oofs = [0.6 * truth + 0.4 * rng.dirichlet(np.ones(3), size=300) for _ in range(4)]

    def loss(t, p, w):
        return log_loss(t, p, labels=[0, 1, 2], sample_weight=w)

    counts, score = greedy_selection(oofs, y, loss, greater_is_better=False,
                                     average="geometric")
    blend = average_predictions(oofs, counts, average="geometric")
    assert score == pytest.approx(log_loss(y, blend))
    assert score <= min(log_loss(y, o) for o in oofs)
    assert (counts > 0).sum() >= 2


def test_the_search_keeps_the_average_with_the_better_out_of_fold_score() -> None:
    # Two sharp members, each right on its own half of the rows and unsure (0.5) on the
    # other: the arithmetic mean blurs each one's confident answer towards 0.5, the mean
    # of the log-odds keeps it, so the geometric blend has the lower log loss.
    from sklearn.metrics import log_loss

    from mlsprint.training.candidates import CandidatePool, final_pipeline
    from mlsprint.training.cv import CVOutcome, Deadline
    from mlsprint.training.families import FAMILIES

    y = np.tile([0, 1], 100)
    half = np.arange(len(y)) < len(y) // 2
    sharp = np.where(y == 1, 0.97, 0.03)
    oofs = {"lightgbm": np.where(half, sharp, 0.5), "linear": np.where(half, 0.5, sharp)}

    def loss(t, p, w):
        return log_loss(t, p, labels=[0, 1], sample_weight=w)

    pool = CandidatePool("log_loss", n_rows=len(y), folds=[(np.arange(200), np.arange(200))])
    for i, (family, oof) in enumerate(oofs.items()):
        outcome = CVOutcome(oof, (loss(y, oof, None),) * 2, 1.0, 1e-6, 100, None,
                            train_rows=200.0, refit_seconds_per_row=0.005)
        pool.add(FAMILIES[family], FAMILIES[family].defaults("binary"), outcome, i)

    ctx = scoring_context(y, loss, "binary")
    choice = pool.choose(ctx, Deadline(None), lambda kind: None)
    scores = {average: greedy_selection(list(oofs.values()), y, loss, greater_is_better=False,
                                        average=average)[1]
              for average in ("arithmetic", "geometric")}
    assert scores["geometric"] < scores["arithmetic"]
    assert choice.name == "ensemble" and choice.ensemble.average == "geometric"
    assert choice.oof_score == pytest.approx(scores["geometric"])
    assert loss(y, choice.oof, None) == pytest.approx(choice.oof_score)
    pipeline = final_pipeline(choice, ctx, lambda kind: None, pool)
    assert pipeline.named_steps["model"].average == "geometric"
    assert choice.ensemble.to_dict()["average"] == "geometric"


def test_a_geometric_ensemble_classifier_averages_its_members_log_probabilities() -> None:
    from scipy.stats import gmean

    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 3))
    y = np.array(["a", "b", "c"])[np.digitize(X[:, 0] + rng.normal(size=300), [-0.5, 0.5])]
    members = [("lr", LogisticRegression()),
               ("tree", DecisionTreeClassifier(max_depth=4, random_state=0))]
    ens = EnsembleClassifier(members, [2.0, 1.0], average="geometric").fit(X, y)
    stack = np.stack([np.clip(m.fit(X, y).predict_proba(X), 1e-6, 1.0) for _, m in members])
    expected = gmean(stack, axis=0, weights=np.broadcast_to(
        np.array([2 / 3, 1 / 3])[:, None, None], stack.shape))
    np.testing.assert_allclose(ens.predict_proba(X),
                               expected / expected.sum(axis=1, keepdims=True), rtol=1e-10)
    assert (ens.predict(X) == ens.classes_[ens.predict_proba(X).argmax(axis=1)]).all()


def _pool(metric: str, y: np.ndarray, scorer, members: list) -> Any:
    """A candidate pool of ``(family, out-of-fold predictions, fit seconds)`` members."""
    from mlsprint.training.candidates import CandidatePool
    from mlsprint.training.cv import CVOutcome
    from mlsprint.training.families import FAMILIES

    pool = CandidatePool(metric, n_rows=len(y), folds=[(np.arange(len(y)), np.arange(len(y)))])
    for i, (family, oof, seconds) in enumerate(members):
        pool.add(FAMILIES[family], {"i": i}, CVOutcome(
            oof, (scorer(y, oof, None),) * 2, seconds, 1e-6, 100, None,
            train_rows=float(len(y)), refit_seconds_per_row=seconds / len(y)), i)
    return pool


def test_the_better_average_gives_way_when_only_the_other_ones_refit_fits() -> None:
    # A mild member everywhere (the best single) and two costly sharp ones, each sure on
    # its own half of the rows: greedy selection keeps the mild one alone under the
    # arithmetic mean, and takes all three under the geometric mean (lower log loss).
    # With time to refit all three the geometric ensemble is chosen; with too little,
    # the arithmetic selection that fits.
    import time

    from sklearn.metrics import log_loss

    from mlsprint.training.cv import Deadline

    y = np.tile([0, 1], 100)
    half = np.arange(len(y)) < len(y) // 2

    def sure(p: float) -> np.ndarray:
        return np.where(y == 1, p, 1 - p)

    def loss(t, p, w):
        return log_loss(t, p, labels=[0, 1], sample_weight=w)

    members = [("linear", sure(0.7), 1.0), ("lightgbm", np.where(half, sure(0.9), 0.5), 100.0),
               ("lightgbm", np.where(half, 0.5, sure(0.9)), 100.0)]
    ctx = scoring_context(y, loss, "binary")

    roomy = _pool("log_loss", y, loss, members).choose(ctx, Deadline(None), lambda kind: None)
    assert roomy.name == "ensemble" and roomy.ensemble.average == "geometric"
    assert len(roomy.members) == 3
    tight = _pool("log_loss", y, loss, members).choose(
        ctx, Deadline(time.perf_counter() + 50.0), lambda kind: None)
    assert tight.name == "linear-001"
    assert tight.ensemble.average == "arithmetic" and not tight.ensemble.kept
    assert tight.ensemble.reason == "greedy selection kept only the best single model"


def test_an_ensemble_too_costly_to_refit_gives_way_to_the_best_one_without_its_costliest_member(
) -> None:
    # The best single model is sure on the first half of the rows only; two others on the
    # second half: a costly one (exact) and a cheap one (a little noisy). With time for
    # every refit the ensemble takes the costly one; with too little, it is dropped and
    # selection runs again: the ensemble with the cheap one, not the single model.
    import time

    from mlsprint.training.cv import Deadline

    rng = np.random.default_rng(0)
    y = np.tile([0.0, 1.0], 100)
    half = np.arange(len(y)) < len(y) // 2

    def rmse(t, p, w):
        return float(np.sqrt(np.mean((t - p) ** 2)))

    members = [("linear", np.where(half, y, 0.5 + 0.1 * (y - 0.5)), 1.0),
               ("lightgbm", np.where(half, 0.5, y), 100.0),
               ("xgboost", np.where(half, 0.5, y + rng.normal(0, 0.2, len(y))), 1.0)]
    ctx = scoring_context(y, rmse, "regression")

    roomy = _pool("rmse", y, rmse, members).choose(ctx, Deadline(None), lambda kind: None)
    assert roomy.name == "ensemble"
    assert {"linear-001", "lightgbm-001"} <= {r.name for r, _ in roomy.members}
    tight = _pool("rmse", y, rmse, members).choose(
        ctx, Deadline(time.perf_counter() + 50.0), lambda kind: None)
    assert tight.name == "ensemble" and tight.ensemble.kept
    assert {r.name for r, _ in tight.members} == {"linear-001", "xgboost-001"}
    assert "without lightgbm-001" in tight.ensemble.reason
    assert roomy.oof_score < tight.oof_score < rmse(y, members[0][1], None)
    assert tight.refit_estimate * 1.1 < 50.0


def test_an_ensemble_pickled_before_the_average_parameter_still_predicts() -> None:
    import pickle

    X = np.arange(40, dtype=float).reshape(-1, 2)
    y = np.array(["no", "yes"] * 10)
    ens = EnsembleClassifier([("lr", LogisticRegression())], [1.0]).fit(X, y)
    expected = ens.predict_proba(X)
    del ens.average  # as an ensemble saved by mlsprint before geometric averaging
    loaded = pickle.loads(pickle.dumps(ens))
    assert loaded.average == "arithmetic"
    np.testing.assert_allclose(loaded.predict_proba(X), expected)
