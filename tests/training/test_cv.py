"""Cross-validation of single candidates: every family on every task, and the deadline."""

from __future__ import annotations

import time

import numpy as np
import pytest
from tests.training.conftest import Problem

from mlsprint.training.cv import CVContext, Deadline, FoldCache, TrialCut, cross_validate
from mlsprint.training.families import FAMILIES, build_estimator


def _context(problem: Problem, rows: int, folds: int = 2) -> CVContext:
    from mlsprint.evaluation.metrics import score
    from mlsprint.features import build_preprocessor

    X = problem.X.head(rows)
    y = problem.y.head(rows).to_numpy()
    n = len(y)
    order = np.arange(n)
    splits = [(order[order % folds != k], order[order % folds == k]) for k in range(folds)]
    task = problem.spec.task.type
    classes = tuple(c for c in problem.contract.classes if c in set(y))
    positive = [str(c) for c in classes].index(str(problem.contract.positive_class)) \
        if task == "binary" else -1

    def scorer(t, p, w):
        return score(problem.spec.task.primary, t, p, task=task, classes=classes,
                     positive_class=problem.contract.positive_class, sample_weight=w)

    cache = FoldCache(X, y, splits, lambda kind: build_preprocessor(
        problem.contract, problem.spec, for_model=kind))
    return CVContext(cache, task, classes, positive, None, 2, 0, scorer)


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("dataset", ["german", "ames", "beans"])
def test_every_family_cross_validates_on_every_task(family: str, dataset: str,
                                                     request) -> None:
    problem = request.getfixturevalue(dataset)
    ctx = _context(problem, rows=240)
    fam = FAMILIES[family]
    params = fam.defaults(ctx.task)
    if "n_estimators" in params:
        params = dict(params, n_estimators=50)
    outcome = cross_validate(fam, params, ctx, deadline=Deadline(None))
    assert len(outcome.fold_scores) == 2 and np.isfinite(outcome.mean)
    assert np.isfinite(outcome.oof).all()
    assert outcome.size_bytes > 0
    assert (outcome.n_estimators is not None) == fam.early_stopping
    refit = build_estimator(family, params, task=ctx.task, n_jobs=1, random_state=0,
                            n_estimators=outcome.n_estimators)
    if fam.early_stopping:
        rounds = getattr(refit, "n_estimators", None) or getattr(refit, "max_iter", None) \
            or refit.estimator.n_estimators
        assert rounds == outcome.n_estimators


def test_a_trial_that_would_overrun_is_cut(german: Problem) -> None:
    ctx = _context(german, rows=1000, folds=3)
    slow = dict(FAMILIES["lightgbm"].defaults("binary"), learning_rate=0.001)
    with pytest.raises(TrialCut, match="not enough time for fold 1"):
        cross_validate(FAMILIES["lightgbm"], slow, ctx,
                       deadline=Deadline(time.perf_counter() + 1.0), fold_estimate=5.0)
    ctx.cache.fold("tree", 0)  # warm the preprocessing cache: time only the model
    start = time.perf_counter()
    with pytest.raises(TrialCut, match="budget ran out during fold 1"):
        cross_validate(FAMILIES["lightgbm"], slow, ctx,
                       deadline=Deadline(time.perf_counter() + 0.3))
    assert time.perf_counter() - start < 3.0  # stopped by the guard, not after 2000 rounds
    start = time.perf_counter()
    forest = dict(FAMILIES["random_forest"].defaults("binary"), n_estimators=300)
    with pytest.raises(TrialCut, match="budget ran out"):
        cross_validate(FAMILIES["random_forest"], forest, ctx,
                       deadline=Deadline(time.perf_counter() + 0.05))
    assert time.perf_counter() - start < 3.0


def test_pickled_size_counts_what_pickle_writes() -> None:
    import pickle

    from mlsprint.training.cv import pickled_size

    for obj in ({"a": [1, 2]}, np.arange(300_000, dtype=float)):  # the array: PickleBuffer
        assert pickled_size(obj) == len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
