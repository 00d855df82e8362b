"""The time-budgeted model search: Optuna per family, cost-aware, pruned, then ensembled.

How the budget is kept (``budget_seconds`` covers the search *and* the final refit):

0. on large data (more than ``QUICK_MIN_FOLD_ROWS`` training rows a fold) the first
   candidate is a quick one: LightGBM's defaults (else another booster's) fitted on a
   seeded ``QUICK_ROWS`` subsample of each fold's training rows, predicting every
   validation row, so its out-of-fold predictions cover every row. It is cut after its
   first fold if that fold shows it cannot finish, and tried again on fewer rows; only
   when even ``MIN_ROWS`` rows a fold cannot finish does the search raise. Until a
   first candidate exists, a trial may use all the time left;
1. every family then gets its default configuration first, cheapest family first (the
   quick candidate's family before the others). With a budget, a family's trials fit on
   as many fold training rows as a trial of ``TRIAL_SHARE`` of the budget allows (the
   quick family's first: ``MAX_TRIAL_SHARE``), estimated from the measured fold times
   (boosters' fit time grows as rows ** 0.85, the others' linearly; a family not yet
   measured is assumed to cost what the quick one did); all rows when they fit, never
   fewer than the quick candidate's rows;
2. then the next family is the one with the lowest *cost of improvement*: its trial
   cost (measured seconds, or a fixed prior when only ``n_trials`` is given, so that
   runs are reproducible) times ``(1 + trials so far)`` times ``exp(gap)``, where
   ``gap`` is how many CV standard deviations it trails the leader; families 3+
   standard deviations behind after 3 trials are dropped;
3. each trial runs under a deadline = budget end minus a margin (3 %, at least 1 s)
   minus a reserve for the final refit (estimated from the measured fold fits of the
   leading candidates, boosting rounds scaled to the refit's, scaled to all rows); a
   trial is cut as soon as its measured folds show that the folds left would pass it,
   or when one fold takes 1.25x its share of the time left (a family cut so goes on
   once on fewer rows, unless it has a candidate on as many rows: then it waits for
   time, step 4), and the search ends when no family's trial fits in the time left;
   a pruned trial counts as a trial of its family but not as its cost (it stopped
   early because it was losing, not because the family is cheap);
4. greedy ensemble selection over the leaders' out-of-fold predictions (class
   probabilities averaged arithmetically or geometrically, whichever scores better out of
   fold among the selections whose refit fits) is kept only when it beats the best single
   model out of fold *and* its refit fits the time left. Until
   then the search reserves the refit of the largest ensemble it could keep (up to
   ``ENSEMBLE_RESERVE_SHARE`` of the budget); once it is decided, what that reserve holds
   beyond the chosen model's refit goes back to trials, and the choice is made again at
   their end (a kept ensemble gives way only to a choice at least as good out of fold);
5. the chosen pipeline is refitted on every row, plus ``refit_extra``'s when given (the
   reserve of step 3 counts them), on a seeded subsample, never smaller than its folds',
   only when the time left is too short for all (``refit_rows``); boosting rounds are
   the folds' best grown with the refit's rows over the folds' (``refit_rounds``);
   binary tasks get a decision threshold tuned on out-of-fold probabilities (cost
   matrix, else F1 of the positive class).

On a regression target that is non-negative and skewed to the right, every family's
configurations may also model log(1 + y) (its defaults on log(1 + y) right after its
defaults), scored out of fold on the original scale; the refit wraps such a model in a
``TransformedTargetRegressor``.

With ``n_trials`` alone nothing depends on timing: every trial fits all rows. The loop of
steps 0-3 and its constants live in :mod:`mlsprint.training.trial_loop`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlsprint.data.contract import DataContract
from mlsprint.errors import DataError
from mlsprint.spec.model import ProjectSpec
from mlsprint.training.candidates import ENSEMBLE_SLACK, CandidatePool, final_pipeline
from mlsprint.training.cv import CVContext, Deadline, FoldCache, openmp_threads
from mlsprint.training.estimators import fit_estimator
from mlsprint.training.families import FAMILIES, fit_threads, select_families
from mlsprint.training.fitting import quiet_convergence
from mlsprint.training.result import CandidateRecord, SearchResult
from mlsprint.training.studies import open_studies
from mlsprint.training.threshold import tune_threshold
from mlsprint.training.trial_loop import Progress, TrialLoop, import_libraries

__all__ = ["RefitRows", "search"]

LOG_TARGET_SKEW = 1.0


@dataclass(frozen=True)
class RefitRows:
    """Rows for the final refit beyond the searched ones (columns as ``X``'s)."""

    X: Any
    y: Any
    sample_weight: Any = None


def _positive_index(classes: tuple[Any, ...], positive: Any) -> int:
    names = [str(c) for c in classes]
    if str(positive) not in names:
        raise DataError(
            f"the positive class {positive!r} is not among the target's classes "
            f"{list(classes)}; fix task.positive_class in mlsprint.yaml")
    return names.index(str(positive))


def _context(X: Any, y: np.ndarray, contract: DataContract, spec: ProjectSpec, plan: Any,
             groups: Any, sample_weight: Any, random_state: int,
             make_preprocessor: Callable[[str], Any]) -> CVContext:
    from mlsprint.data.split import cv_splitter
    from mlsprint.evaluation.metrics import score

    task = spec.task.type
    classes = tuple(contract.classes) if task != "regression" else ()
    if task != "regression":
        seen = {str(v) for v in np.unique(y.astype(str))}
        classes = tuple(c for c in classes if str(c) in seen) or tuple(np.unique(y))
    positive = _positive_index(classes, contract.positive_class) if task == "binary" else -1
    splitter, uses_groups = cv_splitter(plan, n_rows=len(y), random_state=random_state)
    if uses_groups and groups is None:
        raise DataError(f"the {plan.strategy} split needs the group column "
                        f"{plan.column!r}; pass groups=")
    folds = [(np.asarray(a), np.asarray(b)) for a, b in
             splitter.split(X, y, groups if uses_groups else None)]
    metric = spec.task.primary

    def scorer(y_true: np.ndarray, pred: Any, weight: Any) -> float:
        return score(metric, y_true, pred, task=task, classes=classes,
                     positive_class=contract.positive_class, sample_weight=weight)

    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    cache = FoldCache(X, y, folds, make_preprocessor, random_state=random_state,
                      classify=task != "regression")
    return CVContext(cache, task, classes, positive, weight, spec.training.n_jobs,
                     random_state, scorer, log_target=task == "regression" and _skewed(y))


def _skewed(y: np.ndarray) -> bool:
    """A non-negative target skewed to the right (skewness >= ``LOG_TARGET_SKEW``): the
    search also tries modelling log(1 + y). ames_housing's SalePrice (skewness 1.7):
    LightGBM's defaults on log(1 + y) scored test RMSE 24,488 against 26,597;
    bike_sharing's counts (1.3): 45.7 against 43.0, so cross-validation decides."""
    from scipy.stats import skew

    values = np.asarray(y, dtype=float)
    return bool(values.size > 2 and np.isfinite(values).all() and values.min() >= 0
                and skew(values) >= LOG_TARGET_SKEW)


def search(X: Any, y: Any, *, contract: DataContract, spec: ProjectSpec, plan: Any,
           groups: Any = None, sample_weight: Any = None, budget_seconds: float | None = None,
           n_trials: int | None = None, storage: str | None = None,
           study_name: str = "mlsprint", random_state: int | None = None,
           on_candidate: Callable[[CandidateRecord], None] | None = None,
           progress: Progress | None = None,
           preprocessor_factory: Callable[[str], Any] | None = None,
           refit_extra: RefitRows | None = None) -> SearchResult:
    """Search model families under a time budget; return the refitted best pipeline.

    Parameters
    ----------
    X : pandas.DataFrame
        Training rows (never the holdout), columns as in ``contract``.
    y : array-like
        Target.
    contract, spec, plan
        The data contract, the project spec and the :class:`~mlsprint.data.split.SplitPlan`
        whose cross-validation splitter the search uses.
    groups : array-like, optional
        Group labels, needed when the plan is a group split.
    sample_weight : array-like, optional
        Row weights (the spec's weight column): used in fits and scores.
    budget_seconds, n_trials
        Stop at the first one reached. The budget includes the final refit. With
        neither, ``spec.training.budget_seconds``. With ``n_trials`` alone, two runs
        with the same data, spec and seed give identical results.
    storage : str, optional
        Optuna storage URL (``sqlite:///.../optuna.db`` or PostgreSQL); in memory if None.
    study_name : str
        Prefix of the Optuna studies (one per family: ``<study_name>.<family>``); must be
        new in ``storage``.
    random_state : int, optional
        Defaults to ``spec.seed``.
    on_candidate : callable, optional
        Called with each completed :class:`CandidateRecord` (e.g. to log a nested run).
    progress : callable, optional
        ``progress(message, fraction_done)``.
    preprocessor_factory : callable, optional
        ``factory(for_model) -> transformer``; defaults to
        :func:`mlsprint.features.build_preprocessor` on ``contract`` and ``spec``.
    refit_extra : RefitRows, optional
        Rows added to the final refit only (``train --refit-full`` adds the holdout):
        never seen by the search, but counted in the time reserved for the refit, so the
        budget still covers it.

    Returns
    -------
    SearchResult
    """
    start = time.perf_counter()
    if budget_seconds is None and n_trials is None:
        budget_seconds = spec.training.budget_seconds
    seed = spec.seed if random_state is None else int(random_state)
    if preprocessor_factory is None:
        from mlsprint.features import build_preprocessor

        def preprocessor_factory(kind: str) -> Any:
            return build_preprocessor(contract, spec, for_model=kind)  # type: ignore[arg-type]

    y_arr = np.asarray(y)
    if len(y_arr) != len(X):
        raise DataError(f"X has {len(X)} rows but y has {len(y_arr)}")
    if refit_extra is not None and (sample_weight is None) != (refit_extra.sample_weight is None):
        raise DataError("refit_extra needs sample weights exactly when the search has them "
                        f"(search: {sample_weight is not None}, refit_extra: "
                        f"{refit_extra.sample_weight is not None})")
    from threadpoolctl import threadpool_limits

    # OpenMP (LightGBM, XGBoost, HistGradientBoosting) gets at most n_jobs threads (each
    # fit takes what pays on its rows: families.fit_threads); BLAS gets 1:
    # on 2 shared cores a 2-thread OpenBLAS fit of LogisticRegression was 7-13x slower
    # than a 1-thread one (measured: diabetes_130us, 64k rows x 135 columns, 137 s vs 10 s).
    with threadpool_limits(limits=spec.training.n_jobs, user_api="openmp"), \
            threadpool_limits(limits=1, user_api="blas"):
        ctx = _context(X, y_arr, contract, spec, plan, groups, sample_weight, seed,
                       preprocessor_factory)
        families = select_families(spec.training.families, spec.task.type)
        import_libraries(families)
        metric = spec.task.primary
        extra = 0 if refit_extra is None else len(refit_extra.y)
        pool = CandidatePool(metric, n_rows=len(y_arr) + extra, folds=ctx.cache.folds,
                             searched_rows=len(y_arr))
        studies = open_studies(families, storage=storage, study_name=study_name,
                               metric=metric, task=ctx.task, random_state=seed,
                               log_target=ctx.log_target)
        loop = TrialLoop(families, ctx, studies, pool, start=start, budget=budget_seconds,
                     n_trials=n_trials, on_candidate=on_candidate, progress=progress)
        loop.run()
        if not pool.records:
            smallest = (f"; the smallest try fitted {loop.smallest_rows:,} rows per fold"
                        if loop.smallest_rows else "")
            raise DataError(
                f"no candidate finished cross-validation within the budget of "
                f"{budget_seconds:.1f} s ({len(y_arr):,} rows, {loop.asked} trials cut"
                f"{smallest}); raise --budget (training.budget_seconds) or use fewer rows")
        end = None if budget_seconds is None else start + budget_seconds - loop.margin() / 2
        began = time.perf_counter()
        choice = pool.choose(ctx, Deadline(end), preprocessor_factory)
        loop.choose_seconds = time.perf_counter() - began
        kept = choice.ensemble is not None and choice.ensemble.kept
        if choice.ensemble is not None and loop.resume(
                ENSEMBLE_SLACK * choice.refit_estimate if kept else None):
            # the time kept for a larger ensemble than the one chosen goes to trials
            loop.run()
            again = pool.choose(ctx, Deadline(end), preprocessor_factory)
            if not kept or not _worse(again.oof_score, choice.oof_score, pool.greater):
                choice = again
        searched = time.perf_counter() - start
        rows = _refit_rows(choice, pool, Deadline(end))
        pipeline = final_pipeline(choice, ctx, preprocessor_factory, pool, rows)
        fit_X, fit_y, fit_w = _refit_data(X, y_arr, ctx.sample_weight, refit_extra)
        if rows is not None:
            index = ctx.cache.subsample(np.arange(len(fit_y)), rows, len(ctx.cache.folds),
                                        labels=fit_y)
            fit_X, fit_y = fit_X.iloc[index], fit_y[index]
            fit_w = None if fit_w is None else fit_w[index]
        began = time.perf_counter()
        # HistGradientBoosting takes its threads from OpenMP's limit (the others: n_jobs)
        threads = min(fit_threads(FAMILIES[r.family], ctx.n_jobs, len(fit_y))
                      for r, _ in choice.members)
        with quiet_convergence(), openmp_threads(threads):
            fit_estimator(pipeline, fit_X, fit_y, fit_w)
        refit = time.perf_counter() - began
    if progress is not None:
        progress(f"chose {choice.name}", 1.0)
    return _result(ctx, spec, loop, choice, pipeline, y_arr, searched=searched, refit=refit,
                   seed=seed, refit_rows=rows)


def _worse(score: float, than: float, greater: bool) -> bool:
    return score < than if greater else score > than


def _refit_data(X: Any, y: np.ndarray, weight: np.ndarray | None, extra: RefitRows | None
                ) -> tuple[Any, np.ndarray, np.ndarray | None]:
    if extra is None:
        return X, y, weight
    import pandas as pd

    both_w = None if weight is None else np.concatenate(
        [weight, np.asarray(extra.sample_weight, dtype=float)])
    return (pd.concat([X, extra.X[list(X.columns)]], ignore_index=True),
            np.concatenate([y, np.asarray(extra.y)]), both_w)


def _refit_rows(choice: Any, pool: CandidatePool, deadline: Deadline) -> int | None:
    """Rows for the final refit: all (None) when its estimate fits the time left, else
    as many as fit, never fewer than the chosen candidate's folds were fitted on (so its
    out-of-fold score stays a fair, if pessimistic, estimate). Ensembles refit on all
    rows (``choose`` keeps one only when that fits)."""
    left = deadline.remaining()
    if len(choice.members) != 1 or choice.refit_estimate <= left:
        return None
    record = choice.members[0][0]
    floor = min(pool.n_rows, record.train_rows or pool.n_rows)
    rows = max(floor, int(pool.n_rows * max(left, 0.0) / max(choice.refit_estimate, 1e-9)))
    return None if rows >= pool.n_rows else rows


def _result(ctx: CVContext, spec: ProjectSpec, loop: TrialLoop, choice: Any, pipeline: Any,
            y: np.ndarray, *, searched: float, refit: float, seed: int,
            refit_rows: int | None = None) -> SearchResult:
    threshold = None
    if ctx.task == "binary":
        y01 = (y.astype(str) == str(ctx.classes[ctx.positive_index])).astype(int)
        threshold = tune_threshold(y01, choice.oof, cost_matrix=spec.business.cost_matrix,
                                   sample_weight=ctx.sample_weight)
    return SearchResult(
        task=ctx.task, metric=loop.pool.metric, greater_is_better=loop.pool.greater,
        leaderboard=tuple(loop.pool.leaderboard()), best=choice.name, pipeline=pipeline,
        oof=choice.oof, oof_score=choice.oof_score,
        threshold=None if threshold is None else threshold.threshold,
        threshold_objective=None if threshold is None else threshold.objective,
        classes=ctx.classes, positive_class=spec.task.positive_class,
        ensemble=choice.ensemble, n_trials=loop.asked, n_pruned=loop.pruned, n_cut=loop.cut,
        budget_seconds=loop.budget, search_seconds=searched, refit_seconds=refit,
        refit_estimate_seconds=choice.refit_estimate, stop_reason=loop.stop_reason,
        random_state=seed, folds=len(ctx.cache.folds), refit_rows=refit_rows)
