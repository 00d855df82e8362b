"""The time-budgeted model search: Optuna per family, cost-aware, pruned, then ensembled.

How the budget is kept (``budget_seconds`` covers the search *and* the final refit):

1. every family gets its default configuration first, cheapest family first;
2. then the next family is the one with the lowest *cost of improvement*: its trial
   cost (measured seconds, or a fixed prior when only ``n_trials`` is given, so that
   runs are reproducible) times ``(1 + trials so far)`` times ``exp(gap)``, where
   ``gap`` is how many CV standard deviations it trails the leader; families 3+
   standard deviations behind after 3 trials are dropped;
3. each trial runs under a deadline = budget end minus a reserve for the final refit
   (estimated from the measured fold fit times of the leading candidates, scaled to all
   rows); a trial that would pass it is cut, and the search ends when no family's
   trial fits in the time left;
4. greedy ensemble selection over the leaders' out-of-fold predictions is kept only when
   it beats the best single model out of fold *and* its refit fits the time left;
5. the chosen pipeline is refitted on every row; binary tasks get a decision threshold
   tuned on out-of-fold probabilities (cost matrix, else F1 of the positive class).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mlsprint.data.contract import DataContract
from mlsprint.errors import DataError
from mlsprint.spec.model import ProjectSpec
from mlsprint.training.candidates import CandidatePool, final_pipeline
from mlsprint.training.cv import CVContext, Deadline, FoldCache, TrialCut, cross_validate
from mlsprint.training.estimators import fit_estimator
from mlsprint.training.families import Family, select_families
from mlsprint.training.fitting import quiet_convergence
from mlsprint.training.result import CandidateRecord, SearchResult
from mlsprint.training.studies import open_studies
from mlsprint.training.threshold import tune_threshold

__all__ = ["search"]

Progress = Callable[[str, float], None]
MAX_TRIAL_SHARE = 0.4


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
    return CVContext(FoldCache(X, y, folds, make_preprocessor), task, classes, positive,
                     weight, spec.training.n_jobs, random_state, scorer)


class _Loop:
    """The trial loop: which family next, when to stop, what to record."""

    def __init__(self, families: list[Family], ctx: CVContext, studies: dict[str, Any],
                 pool: CandidatePool, *, start: float, budget: float | None,
                 n_trials: int | None, on_candidate: Callable[[CandidateRecord], None] | None,
                 progress: Progress | None) -> None:
        self.families, self.ctx, self.studies, self.pool = families, ctx, studies, pool
        self.start, self.budget, self.n_trials = start, budget, n_trials
        self.on_candidate, self.progress = on_candidate, progress
        self.asked = self.pruned = self.cut = 0
        self.counts = {f.name: 0 for f in families}
        self.seconds: dict[str, list[float]] = {f.name: [] for f in families}
        self.dropped: set[str] = set()
        self.stop_reason = "all families exhausted"

    def margin(self) -> float:
        return 0.0 if self.budget is None else max(1.0, 0.05 * self.budget)

    def trial_deadline(self, family: Family) -> Deadline:
        """End of the budget less the refit reserve (the leaders', or this family's own
        cheapest refit if larger: the trial may produce the new leader); and no single
        trial may take more than ``MAX_TRIAL_SHARE`` of the budget."""
        if self.budget is None:
            return Deadline(None)
        refit = max(self.pool.refit_reserve(self.budget),
                    1.25 * self.pool.family_refit(family.name))
        end = self.start + self.budget - self.margin() - refit
        return Deadline(min(end, time.perf_counter() + MAX_TRIAL_SHARE * self.budget))

    def trial_cost(self, family: Family) -> float:
        measured = self.seconds[family.name]
        if self.budget is None or not measured:
            return family.cost
        return float(np.median(measured))

    def next_family(self) -> Family | None:
        active = [f for f in self.families if f.name not in self.dropped]
        fresh = [f for f in active if self.counts[f.name] == 0]
        if fresh:
            return fresh[0]
        if not active:
            return None
        return min(active, key=lambda f: self.trial_cost(f) * (1 + self.counts[f.name])
                   * math.exp(min(self.pool.gap(f.name), 10.0)))

    def _fold_estimate(self, family: Family) -> float:
        measured = self.seconds[family.name]
        folds = len(self.ctx.cache.folds)
        return 0.0 if not measured else 0.5 * float(np.min(measured)) / folds

    def run(self) -> None:
        while True:
            if self.n_trials is not None and self.asked >= self.n_trials:
                self.stop_reason = f"{self.n_trials} trials done"
                return
            family = self.next_family()
            if family is None:
                return
            deadline = self.trial_deadline(family)
            measured = self.seconds[family.name]
            floor = 0.5 * min(measured) if measured else 0.0
            if self.budget is not None and deadline.remaining() <= floor:
                self.dropped.add(family.name)  # no time left for a trial of this family
                self.stop_reason = "budget reached"
                continue
            self._trial(family, deadline)

    def _trial(self, family: Family, deadline: Deadline) -> None:
        from optuna.trial import TrialState

        study = self.studies[family.name]
        trial = study.ask()
        params = family.suggest(trial, self.ctx.task)
        self.asked += 1
        self.counts[family.name] += 1

        def report(step: int, value: float) -> bool:
            trial.report(value, step)
            return trial.should_prune()

        began = time.perf_counter()
        try:
            outcome = cross_validate(family, params, self.ctx, deadline=deadline,
                                     fold_estimate=self._fold_estimate(family), report=report)
        except TrialCut as cut:
            pruned = cut.reason.startswith("pruned")
            study.tell(trial, state=TrialState.PRUNED if pruned else TrialState.FAIL)
            self.seconds[family.name].append(time.perf_counter() - began)
            if pruned:
                self.pruned += 1
            else:
                self.cut += 1
                self.dropped.add(family.name)  # its next trial would not fit either
            return
        self.seconds[family.name].append(time.perf_counter() - began)
        study.tell(trial, outcome.mean)
        record = self.pool.add(family, params, outcome, trial.number)
        self.dropped |= self.pool.hopeless(self.counts)
        if self.on_candidate is not None:
            self.on_candidate(record)
        if self.progress is not None:
            self.progress(f"{record.name}: {record.metric} {record.cv_mean:.4f}",
                          self.fraction())

    def fraction(self) -> float:
        if self.budget is not None:
            return min(1.0, (time.perf_counter() - self.start) / self.budget)
        return min(1.0, self.asked / max(self.n_trials or 1, 1))


def search(X: Any, y: Any, *, contract: DataContract, spec: ProjectSpec, plan: Any,
           groups: Any = None, sample_weight: Any = None, budget_seconds: float | None = None,
           n_trials: int | None = None, storage: str | None = None,
           study_name: str = "mlsprint", random_state: int | None = None,
           on_candidate: Callable[[CandidateRecord], None] | None = None,
           progress: Progress | None = None,
           preprocessor_factory: Callable[[str], Any] | None = None) -> SearchResult:
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
    from threadpoolctl import threadpool_limits

    # OpenMP (LightGBM, XGBoost, HistGradientBoosting) gets n_jobs threads; BLAS gets 1:
    # on 2 shared cores a 2-thread OpenBLAS fit of LogisticRegression was 7-13x slower
    # than a 1-thread one (measured: diabetes_130us, 64k rows x 135 columns, 137 s vs 10 s).
    with threadpool_limits(limits=spec.training.n_jobs, user_api="openmp"), \
            threadpool_limits(limits=1, user_api="blas"):
        ctx = _context(X, y_arr, contract, spec, plan, groups, sample_weight, seed,
                       preprocessor_factory)
        families = select_families(spec.training.families)
        metric = spec.task.primary
        pool = CandidatePool(metric, n_rows=len(y_arr), folds=ctx.cache.folds)
        studies = open_studies(families, storage=storage, study_name=study_name,
                               metric=metric, task=ctx.task, random_state=seed)
        loop = _Loop(families, ctx, studies, pool, start=start, budget=budget_seconds,
                     n_trials=n_trials, on_candidate=on_candidate, progress=progress)
        loop.run()
        if not pool.records:
            raise DataError(
                "no candidate finished cross-validation within the budget of "
                f"{budget_seconds} s; raise --budget or use fewer rows")
        end = None if budget_seconds is None else start + budget_seconds - loop.margin() / 2
        choice = pool.choose(ctx, Deadline(end), preprocessor_factory)
        searched = time.perf_counter() - start
        pipeline = final_pipeline(choice, ctx, preprocessor_factory)
        began = time.perf_counter()
        with quiet_convergence():
            fit_estimator(pipeline, X, y_arr, ctx.sample_weight)
        refit = time.perf_counter() - began
    if progress is not None:
        progress(f"chose {choice.name}", 1.0)
    return _result(ctx, spec, loop, choice, pipeline, y_arr, searched=searched, refit=refit,
                   seed=seed)


def _result(ctx: CVContext, spec: ProjectSpec, loop: _Loop, choice: Any, pipeline: Any,
            y: np.ndarray, *, searched: float, refit: float, seed: int) -> SearchResult:
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
        random_state=seed, folds=len(ctx.cache.folds))
