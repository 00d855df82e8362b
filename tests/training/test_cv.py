"""Cross-validation of single candidates: every family on every task, and the deadline."""

from __future__ import annotations

import time

import numpy as np
import pytest
from tests.training.conftest import Problem

from mlsprint.errors import SpecError
from mlsprint.training.cv import CVContext, Deadline, FoldCache, TrialCut, cross_validate
from mlsprint.training.families import FAMILIES, build_estimator, select_families


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
    fam = FAMILIES[family]
    if problem.spec.task.type not in fam.tasks:
        assert family == "mlp" and problem.spec.task.type == "regression"
        with pytest.raises(SpecError, match="do not serve a regression task"):
            select_families([family], "regression")
        return
    ctx = _context(problem, rows=240)
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
        inner = getattr(refit, "estimator", None)
        rounds = getattr(refit, "n_estimators", None) or getattr(refit, "max_iter", None) \
            or inner.get_params().get("n_estimators") or inner.get_params()["iterations"]
        assert rounds == outcome.n_estimators


def test_a_trial_that_would_overrun_is_cut(german: Problem) -> None:
    ctx = _context(german, rows=1000, folds=3)
    slow = dict(FAMILIES["lightgbm"].defaults("binary"), learning_rate=0.001)
    with pytest.raises(TrialCut, match="not enough time for fold 1"):
        cross_validate(FAMILIES["lightgbm"], slow, ctx,
                       deadline=Deadline(time.perf_counter() + 1.0), fold_estimate=5.0)
    ctx.cache.fold("tree", 0)  # warm the preprocessing cache: time only the model
    start = time.perf_counter()
    # 0.3 s for 3 folds: the first fold's fit stops at its share (0.125 s), or at the
    # deadline on a machine too slow to build even the LightGBM dataset in time
    cut_in_fold_1 = r"fold 1 took more than its share of the time left|budget ran out during"
    with pytest.raises(TrialCut, match=cut_in_fold_1):
        cross_validate(FAMILIES["lightgbm"], slow, ctx,
                       deadline=Deadline(time.perf_counter() + 0.3))
    assert time.perf_counter() - start < 3.0  # stopped by the guard, not after 2000 rounds
    start = time.perf_counter()
    forest = dict(FAMILIES["random_forest"].defaults("binary"), n_estimators=300)
    with pytest.raises(TrialCut, match=cut_in_fold_1):
        cross_validate(FAMILIES["random_forest"], forest, ctx,
                       deadline=Deadline(time.perf_counter() + 0.05))
    assert time.perf_counter() - start < 3.0


def test_pickled_size_counts_what_pickle_writes() -> None:
    import pickle

    from mlsprint.training.cv import pickled_size

    for obj in ({"a": [1, 2]}, np.arange(300_000, dtype=float)):  # the array: PickleBuffer
        assert pickled_size(obj) == len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def test_a_trial_is_cut_before_the_folds_that_cannot_all_finish(german: Problem) -> None:
    ctx = _context(german, rows=1000, folds=3)
    # 5 s a fold, 6 s left: one fold would fit, the three cannot; nothing is run
    with pytest.raises(TrialCut, match="not enough time for fold 1 and the 2 after it") as cut:
        cross_validate(FAMILIES["linear"], FAMILIES["linear"].defaults("binary"), ctx,
                       deadline=Deadline(time.perf_counter() + 6.0), fold_estimate=5.0)
    assert cut.value.folds_done == 0


def test_subsampled_folds_still_predict_every_row(german: Problem, beans: Problem) -> None:
    ctx = _context(german, rows=1000, folds=3)
    train = ctx.cache.folds[0][0]
    ctx.cache.classify = True
    picked = ctx.cache.subsample(train, 100, 0)
    assert len(picked) >= 100 and np.all(np.diff(picked) > 0) and np.isin(picked, train).all()
    np.testing.assert_array_equal(picked, ctx.cache.subsample(train, 100, 0))  # seeded
    assert ctx.cache.subsample(train, 10_000, 0) is train
    fam = FAMILIES["lightgbm"]
    full = cross_validate(fam, fam.defaults("binary"), ctx, deadline=Deadline(None))
    small = cross_validate(fam, fam.defaults("binary"), ctx, deadline=Deadline(None), rows=200)
    assert np.isfinite(small.oof).all() and small.oof.shape == full.oof.shape
    assert 200 <= small.train_rows < full.train_rows
    assert not np.array_equal(small.oof, full.oof)
    # the refit keeps only the best rounds and has no validation set to score
    assert 0 < small.refit_seconds_per_row * small.train_rows <= small.fit_seconds
    # a class of 10 rows in 500 still reaches every 20-row training subsample
    bean = _context(beans, rows=500, folds=2)
    bean.cache.classify = True
    y = bean.cache.y
    for index, (rows_, _) in enumerate(bean.cache.folds):
        kept = bean.cache.subsample(rows_, 20, index)
        assert set(y[kept]) == set(y[rows_])


def test_refit_estimates_scale_with_rows_and_the_fallback_refit_keeps_the_folds_rows(
        german: Problem) -> None:
    from mlsprint.training.candidates import CandidatePool, rows_scale
    from mlsprint.training.search import _refit_rows

    assert rows_scale("lightgbm", 2.0) == pytest.approx(2 ** 0.85)
    assert rows_scale("linear", 2.0) == pytest.approx(2.0)
    ctx = _context(german, rows=1000, folds=3)
    fam = FAMILIES["lightgbm"]
    outcome = cross_validate(fam, fam.defaults("binary"), ctx, deadline=Deadline(None),
                             rows=300)
    pool = CandidatePool("roc_auc", n_rows=1000, folds=ctx.cache.folds)
    record = pool.add(fam, fam.defaults("binary"), outcome, trial=-1, train_rows=300)
    assert record.train_rows == 300
    assert pool.min_refit_estimate(record) < pool.refit_estimate(record)
    choice = pool.choose(ctx, Deadline(None), ctx.cache.make_preprocessor)
    assert _refit_rows(choice, pool, Deadline(None)) is None  # time enough: every row
    # no time left: refit on as many rows as its folds were fitted on, not fewer
    assert _refit_rows(choice, pool, Deadline(time.perf_counter())) == 300


def test_refit_rounds_grow_with_the_rows_over_the_folds(german: Problem, monkeypatch) -> None:
    # the rounds early stopping chose on 200-row folds, grown to the 1,000 rows of the
    # search as (1000 / 200) ** 0.5; then to the refit's rows, more or fewer
    from mlsprint.training import fitting
    from mlsprint.training.candidates import CandidatePool

    seen: list[int] = []
    real = fitting.best_iteration

    def spy(family, model):
        seen.append(real(family, model))
        return seen[-1]

    monkeypatch.setattr(fitting, "best_iteration", spy)
    ctx = _context(german, rows=1000, folds=3)
    fam = FAMILIES["lightgbm"]
    outcome = cross_validate(fam, fam.defaults("binary"), ctx, deadline=Deadline(None),
                             rows=200)
    assert len(seen) == 3
    grown = round(np.mean(seen) * (1000 / outcome.train_rows) ** 0.5)
    assert outcome.n_estimators == grown > max(seen)
    pool = CandidatePool("roc_auc", n_rows=1500, folds=ctx.cache.folds, searched_rows=1000)
    record = pool.add(fam, fam.defaults("binary"), outcome, trial=-1, train_rows=200)
    assert pool.refit_rounds(record) == round(grown * 1.5 ** 0.5)
    assert pool.refit_rounds(record, 250) == round(grown * 0.25 ** 0.5)
    # the refit estimate grows by the rounds too, not only by the rows
    ratio = pool.refit_estimate(record) / pool.refit_estimate(record, 1000)
    assert ratio == pytest.approx(1.5 ** 0.85 * 1.5 ** 0.5)
    linear = FAMILIES["linear"]
    plain = cross_validate(linear, linear.defaults("binary"), ctx, deadline=Deadline(None))
    assert plain.n_estimators is None
    assert pool.refit_rounds(pool.add(linear, linear.defaults("binary"), plain, -1)) is None


def test_boosters_fit_small_folds_on_one_thread(german: Problem, monkeypatch) -> None:
    # a second OpenMP thread costs more than it gives on small fits (2-17x slower with
    # OMP_WAIT_POLICY=PASSIVE): every fold of these 1,000 rows fits on one, HGB included
    from threadpoolctl import threadpool_info

    from mlsprint.training import families, fitting

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    lgbm, linear = FAMILIES["lightgbm"], FAMILIES["linear"]
    assert families.fit_threads(lgbm, 2, 19_999) == 1
    assert families.fit_threads(lgbm, 2, 20_000) == 2
    assert families.fit_threads(linear, 2, 100) == 2  # BLAS is limited elsewhere
    assert families.fit_threads(lgbm, 1, 10**6) == 1
    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")
    assert families.fit_threads(lgbm, 2, 100_000) == 1
    assert families.fit_threads(lgbm, 2, 200_000) == 2

    seen: list[tuple[str, int, set[int]]] = []
    real = fitting.fit_model

    def spy(family, model, *args, **kwargs):
        openmp = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"}
        inner = getattr(model, "estimator", model)
        seen.append((family.name, inner.get_params().get("n_jobs"), openmp))
        return real(family, model, *args, **kwargs)

    monkeypatch.setattr(fitting, "fit_model", spy)
    ctx = _context(german, rows=1000, folds=2)
    assert ctx.n_jobs == 2
    for name in ("lightgbm", "xgboost", "hist_gradient_boosting"):
        fam = FAMILIES[name]
        cross_validate(fam, fam.defaults("binary"), ctx, deadline=Deadline(None))
    assert [s[0] for s in seen] == ["lightgbm"] * 2 + ["xgboost"] * 2 \
        + ["hist_gradient_boosting"] * 2
    for name, n_jobs, openmp in seen:  # HGB has no n_jobs: OpenMP's limit is its knob
        if name == "hist_gradient_boosting":
            assert n_jobs is None and openmp == {1}
        else:
            assert n_jobs == 1, name
