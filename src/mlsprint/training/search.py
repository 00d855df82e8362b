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
   once on fewer rows), and the search ends when no family's trial fits in the time left;
4. greedy ensemble selection over the leaders' out-of-fold predictions is kept only when
   it beats the best single model out of fold *and* its refit fits the time left; when
   it is not kept, the time reserved for it goes back to trials, and the choice is made
   again at their end;
5. the chosen pipeline is refitted on every row (on a seeded subsample, never smaller
   than its folds', only when the time left is too short for all: ``refit_rows``);
   binary tasks get a decision threshold tuned on out-of-fold probabilities (cost
   matrix, else F1 of the positive class).

With ``n_trials`` alone nothing depends on timing: every trial fits all rows.
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
from mlsprint.training.candidates import CandidatePool, final_pipeline, rows_scale
from mlsprint.training.cv import CVContext, Deadline, FoldCache, TrialCut, cross_validate
from mlsprint.training.estimators import fit_estimator
from mlsprint.training.families import Family, select_families
from mlsprint.training.fitting import quiet_convergence
from mlsprint.training.result import CandidateRecord, SearchResult
from mlsprint.training.studies import open_studies
from mlsprint.training.threshold import tune_threshold

__all__ = ["search"]

Progress = Callable[[str, float], None]
MAX_TRIAL_SHARE = 0.5  # no trial may take more (once a first candidate exists)
MARGIN_SHARE = 0.03  # of the budget, kept free at its end (at least 1 s)
QUICK_FAMILIES = ("lightgbm", "hist_gradient_boosting", "xgboost")
QUICK_ROWS = 5_000  # fold training rows of the first, quick candidate on large data
QUICK_MIN_FOLD_ROWS = 2 * QUICK_ROWS  # folds larger than this get the quick candidate first
TRIAL_SHARE = 0.4  # a family's trials are sized (rows) to take about this share
FULL_ROWS_SHARE = 0.9  # a subsample this close to the fold's rows: take them all
MIN_ROWS = QUICK_ROWS // 8  # no smaller subsample of a fold's training rows
START_SHARE = 0.75  # a trial starts only with this share of its expected seconds left


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
                     random_state, scorer)


class _Loop:
    """The trial loop: which family next, on how many rows, when to stop, what to record."""

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
        self.n_folds = len(ctx.cache.folds)
        self.fold_rows = ctx.cache.train_rows
        # fold training rows per family (absent: not decided yet; None: all of them) and
        # the last measured (training rows, wall seconds) of one fold of each family
        self.rows: dict[str, int | None] = {}
        self.measured: dict[str, tuple[float, float]] = {}
        self.quick: tuple[Family, CandidateRecord] | None = None
        self.anchor: Family | None = None  # the quick candidate's family, once tried
        self.smallest_rows: int | None = None
        self.ensemble_reserve = True
        self.choose_seconds = 0.0  # measured by search(): greedy ensemble selection
        self.resized: set[str] = set()
        self.waiting: set[str] = set()  # dropped for lack of time only

    # -- the clock -------------------------------------------------------------------

    def margin(self) -> float:
        """Kept free at the end of the budget: building the result, estimate errors."""
        return 0.0 if self.budget is None else max(1.0, MARGIN_SHARE * self.budget)

    def search_end(self) -> float:
        return math.inf if self.budget is None else self.start + self.budget - self.margin()

    def _reserve(self, family: Family) -> float:
        """Seconds kept for the final refit: the leaders' (a possible ensemble) until the
        ensemble is decided, then the leader's; or this family's own cheapest refit if
        larger (the trial may produce the new leader)."""
        if self.budget is None:
            return 0.0
        if self.ensemble_reserve:
            leaders = self.pool.refit_reserve(self.budget)
        else:  # the choice is made again: its measured time is kept too
            board = self.pool.leaderboard()
            leaders = self.pool.refit_estimate(board[0]) if board else 0.0
            leaders += 1.2 * self.choose_seconds
        return max(leaders, self.pool.family_refit(family.name))

    def trial_deadline(self, family: Family) -> Deadline:
        """End of the budget less the refit reserve (:meth:`_reserve`); and once a
        candidate exists, no single trial may take more than ``MAX_TRIAL_SHARE`` of the
        budget (the first candidate may use all of it: any model beats none)."""
        if self.budget is None:
            return Deadline(None)
        end = self.search_end() - self._reserve(family)
        if self.pool.records:
            end = min(end, time.perf_counter() + MAX_TRIAL_SHARE * self.budget)
        return Deadline(end)

    def trial_cost(self, family: Family) -> float:
        measured = self.seconds[family.name]
        if self.budget is None or not measured:
            return family.cost
        return float(np.median(measured))

    # -- rows per trial (budget only: sizes come from measured times) -----------------

    def _subsampling(self) -> bool:
        return self.budget is not None and self.fold_rows > 2 * MIN_ROWS

    def _fold_seconds(self, family: Family, rows: float) -> float | None:
        """Estimated wall seconds of one fold of ``family`` on ``rows`` training rows:
        its own measurement, else the quick candidate's family's (the families' prior
        costs do not transfer across data: XGBoost was 2.5x faster than LightGBM on
        bank_marketing; a costlier family is cut after its first fold and goes on once on
        fewer rows), scaled by :func:`~mlsprint.training.candidates.rows_scale`; None if
        nothing was measured."""
        anchor = self.anchor
        if family.name in self.measured:
            n0, seconds = self.measured[family.name]
        elif anchor is not None and anchor.name in self.measured:
            n0, seconds = self.measured[anchor.name]
        else:
            return None
        return seconds * rows_scale(family.name, rows / max(n0, 1.0))

    def _sized(self, family: Family, seconds: float) -> int | None:
        """Fold training rows for a trial of about ``seconds`` (None: all rows)."""
        if self._fold_seconds(family, self.fold_rows) is None:
            return None
        low, high = MIN_ROWS, int(self.fold_rows)
        while high - low > max(1, MIN_ROWS // 10):  # the estimate grows with rows
            middle = (low + high) // 2
            if self.n_folds * self._fold_seconds(family, middle) <= seconds:  # type: ignore[operator]
                low = middle
            else:
                high = middle
        if low >= FULL_ROWS_SHARE * self.fold_rows:
            return None
        return low if low >= 0.5 * self.fold_rows else _level(low)

    def _trial_seconds(self, family: Family) -> float:
        """What one trial may take: ``TRIAL_SHARE`` of the budget, at most half the time
        left for trials (the refit reserve kept). The quick candidate's family, measured
        and able, gets up to ``MAX_TRIAL_SHARE`` (and 60 % of the time left) for its first
        regular trial: the more rows its folds fit on, the better its candidate."""
        left = self.search_end() - self._reserve(family) - time.perf_counter()
        if self.quick is not None and self.quick[0] is family and not self.counts[family.name]:
            return max(0.0, min(MAX_TRIAL_SHARE * self.budget, 0.6 * left))  # type: ignore[operator]
        return max(0.0, min(TRIAL_SHARE * self.budget, 0.5 * left))  # type: ignore[operator]

    def rows_for(self, family: Family) -> int | None:
        """The family's fold training rows, decided at its first trial: all of them when
        a whole trial fits in :meth:`_trial_seconds`, else a subsample, never smaller than
        the quick candidate's (0: not even those fit before the trial deadline)."""
        if family.name in self.rows:
            return self.rows[family.name]
        if not self._subsampling() or self.quick is None:
            return None
        rows = self._sized(family, self._trial_seconds(family))
        floor = self.quick[1].train_rows or 0
        if rows is not None and rows < floor:  # on the quick rows if they fit, or not at all
            expected = self.n_folds * (self._fold_seconds(family, floor) or 0.0)
            rows = floor if self.trial_deadline(family).remaining() >= expected else 0
        self.rows[family.name] = rows
        return rows

    def _expected(self, family: Family, rows: int | None) -> float:
        """Seconds one trial of ``family`` on ``rows`` should take (0 if unknown)."""
        measured = self.seconds[family.name]
        if measured:
            return float(min(measured))
        fold = self._fold_seconds(family, rows or self.fold_rows)
        return 0.0 if fold is None else self.n_folds * fold

    def _learn(self, family: Family, rows: int | None, fold_seconds: float) -> None:
        """Record the measured wall seconds of one fold of ``family`` on ``rows`` rows."""
        self.measured[family.name] = (float(rows or self.fold_rows), fold_seconds)

    # -- the loop --------------------------------------------------------------------

    def next_family(self) -> Family | None:
        active = [f for f in self.families if f.name not in self.dropped]
        fresh = [f for f in active if self.counts[f.name] == 0]
        if self.quick is not None and self.quick[0] in fresh:
            return self.quick[0]  # measured and able: its own defaults on more rows next
        if fresh:
            return fresh[0]
        if not active:
            return None
        return min(active, key=lambda f: self.trial_cost(f) * (1 + self.counts[f.name])
                   * math.exp(min(self.pool.gap(f.name), 10.0)))

    def _fold_estimate(self, family: Family) -> float:
        measured = self.seconds[family.name]
        return 0.0 if not measured else 0.5 * float(np.min(measured)) / self.n_folds

    def run(self) -> None:
        if self._subsampling() and self.fold_rows > QUICK_MIN_FOLD_ROWS:
            self._quick()
        while True:
            if self.n_trials is not None and self.asked >= self.n_trials:
                self.stop_reason = f"{self.n_trials} trials done"
                return
            family = self.next_family()
            if family is None:
                return
            rows = self.rows_for(family)
            if self._adopt_quick(family, rows):
                continue
            deadline = self.trial_deadline(family)
            if self.budget is not None and (
                    rows == 0 or deadline.remaining() <= START_SHARE * self._expected(family, rows)
                    or deadline.remaining() <= 0):
                self.dropped.add(family.name)  # no time left for a trial of this family
                self.waiting.add(family.name)
                self.stop_reason = "budget reached"
                continue
            self._trial(family, deadline, rows)

    def resume(self) -> bool:
        """After the ensemble was decided against: release its reserve and let the
        families that were waiting for time go on; True if a trial may fit."""
        if self.budget is None or not self.ensemble_reserve or not self.waiting:
            return False
        self.ensemble_reserve = False
        self.dropped -= self.waiting
        for name in self.waiting:
            if self.rows.get(name) == 0:
                del self.rows[name]  # sized again with the time now left
        self.waiting = set()
        active = [f for f in self.families if f.name not in self.dropped]
        left = max((self.trial_deadline(f).remaining() for f in active), default=0.0)
        return left > 0.05 * self.budget

    def _quick(self) -> None:
        """The first candidate: a booster's defaults (LightGBM, else HistGradientBoosting,
        else XGBoost, else the cheapest family) on a ``QUICK_ROWS`` subsample of each
        fold's training rows, cheap on any data; smaller again while it does not fit."""
        family = next((f for name in QUICK_FAMILIES for f in self.families
                       if f.name == name), self.families[0])
        self.anchor = family
        rows = min(QUICK_ROWS, int(self.fold_rows))
        while not self.pool.records and rows >= MIN_ROWS:
            # no model yet: it may take all the time left (and is cut after its first
            # fold if its measured folds show that it cannot finish)
            deadline = Deadline(self.search_end())
            if deadline.remaining() <= 0:
                return
            cut = self._trial(family, deadline, rows, quick=True)
            if cut is None:
                return
            smaller = rows // 4
            if cut.fold_seconds > 0:  # aim the retry at 80 % of the time left
                self._learn(family, rows, cut.fold_seconds)
                left = self.search_end() - time.perf_counter()
                smaller = self._sized(family, 0.8 * left) or rows
            rows = _level(max(min(rows // 2, smaller), MIN_ROWS)) if rows > MIN_ROWS else 0

    def _adopt_quick(self, family: Family, rows: int | None) -> bool:
        """The quick candidate's family, when its trials would fit on no more rows than
        the quick one did, takes the quick result as its defaults trial (no refit)."""
        if self.quick is None or self.counts[family.name] or self.quick[0] is not family:
            return False
        record = self.quick[1]
        if rows is None or record.train_rows is None or rows > 1.25 * record.train_rows:
            return False
        study = self.studies[family.name]
        trial = study.ask()
        family.suggest(trial, self.ctx.task)  # the enqueued defaults
        study.tell(trial, record.cv_mean)
        self.counts[family.name] += 1
        self.rows[family.name] = record.train_rows
        return True

    def _trial(self, family: Family, deadline: Deadline, rows: int | None,
               quick: bool = False) -> TrialCut | None:
        """Run one trial; the :class:`TrialCut` if it did not finish, else None."""
        study = trial = None
        if quick:
            params = family.defaults(self.ctx.task)
        else:
            study = self.studies[family.name]
            trial = study.ask()
            params = family.suggest(trial, self.ctx.task)
            self.counts[family.name] += 1
        self.asked += 1

        def report(step: int, value: float) -> bool:
            if trial is None:
                return False
            trial.report(value, step)
            return trial.should_prune()

        tried = rows or int(self.fold_rows)
        self.smallest_rows = min(self.smallest_rows or tried, tried)
        began = time.perf_counter()
        try:
            outcome = cross_validate(family, params, self.ctx, deadline=deadline,
                                     fold_estimate=self._fold_estimate(family), report=report,
                                     rows=rows)
        except TrialCut as cut:
            self._cut(family, rows, cut, study, trial, time.perf_counter() - began)
            return cut
        elapsed = time.perf_counter() - began
        self._learn(family, rows, outcome.fold_seconds or elapsed / self.n_folds)
        if not quick:
            self.seconds[family.name].append(elapsed)
            study.tell(trial, outcome.mean)  # type: ignore[union-attr]
        record = self.pool.add(family, params, outcome, -1 if trial is None else trial.number,
                               train_rows=rows)
        if quick:
            self.quick = (family, record)
        self.dropped |= self.pool.hopeless(self.counts)
        if self.on_candidate is not None:
            self.on_candidate(record)
        if self.progress is not None:
            self.progress(f"{record.name}: {record.metric} {record.cv_mean:.4f}",
                          self.fraction())
        return None

    def _cut(self, family: Family, rows: int | None, cut: TrialCut, study: Any, trial: Any,
             seconds: float) -> None:
        """Record a trial that did not finish (``study`` None: the quick candidate)."""
        from optuna.trial import TrialState

        pruned = cut.reason.startswith("pruned")
        if pruned:
            self.pruned += 1
        else:
            self.cut += 1
        if study is None:
            return
        study.tell(trial, state=TrialState.PRUNED if pruned else TrialState.FAIL)
        self.seconds[family.name].append(seconds)
        if not pruned:
            self._after_cut(family, rows, cut)

    def _after_cut(self, family: Family, rows: int | None, cut: TrialCut) -> None:
        """A trial cut by the budget: its family goes on with a subsample of rows sized
        from the measured folds (its defaults again if it has no candidate yet) when
        that can still fit; otherwise it is dropped."""
        current = rows or int(self.fold_rows)
        if not self._subsampling() or not cut.fold_seconds or family.name in self.resized:
            self.dropped.add(family.name)  # its next trial would not fit either
            return
        self._learn(family, rows, cut.fold_seconds)
        smaller = self._sized(family, self._trial_seconds(family))
        floor = max(MIN_ROWS, self.quick[1].train_rows or 0) if self.quick else MIN_ROWS
        if smaller is None or smaller > 0.8 * current or smaller < floor:
            self.dropped.add(family.name)
            return
        self.resized.add(family.name)
        self.rows[family.name] = smaller
        self.seconds[family.name] = [s * smaller / current for s in self.seconds[family.name]]
        if not any(r.family == family.name and r.trial >= 0 for r in self.pool.records):
            self.studies[family.name].enqueue_trial(family.defaults(self.ctx.task))
            self.counts[family.name] = 0

    def fraction(self) -> float:
        if self.budget is not None:
            return min(1.0, (time.perf_counter() - self.start) / self.budget)
        return min(1.0, self.asked / max(self.n_trials or 1, 1))


def _import_libraries(families: list[Family]) -> None:
    """Import the boosters' libraries before any trial: a first import (0.4-1 s on a busy
    machine) would otherwise count as a fold's cost and cut or shrink the trial."""
    import importlib

    for family, module in (("lightgbm", "lightgbm"), ("xgboost", "xgboost")):
        if any(f.name == family for f in families):
            importlib.import_module(module)


def _level(rows: int) -> int:
    """``rows`` rounded down to ``QUICK_ROWS * sqrt(2) ** k``: trials of the tree
    families on similar budgets share their fold preprocessing."""
    if rows <= MIN_ROWS:
        return MIN_ROWS
    k = math.floor(2 * math.log2(rows / QUICK_ROWS) + 1e-9)
    return max(MIN_ROWS, int(round(QUICK_ROWS * 2 ** (k / 2))))


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
        _import_libraries(families)
        metric = spec.task.primary
        pool = CandidatePool(metric, n_rows=len(y_arr), folds=ctx.cache.folds)
        studies = open_studies(families, storage=storage, study_name=study_name,
                               metric=metric, task=ctx.task, random_state=seed)
        loop = _Loop(families, ctx, studies, pool, start=start, budget=budget_seconds,
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
        if choice.ensemble is not None and not choice.ensemble.kept and loop.resume():
            loop.run()  # the time kept for an ensemble that did not pay goes to trials
            choice = pool.choose(ctx, Deadline(end), preprocessor_factory)
        searched = time.perf_counter() - start
        pipeline = final_pipeline(choice, ctx, preprocessor_factory)
        rows = _refit_rows(choice, pool, Deadline(end))
        fit_X, fit_y, fit_w = X, y_arr, ctx.sample_weight
        if rows is not None:
            index = ctx.cache.subsample(np.arange(len(y_arr)), rows, len(ctx.cache.folds))
            fit_X, fit_y = X.iloc[index], y_arr[index]
            fit_w = None if fit_w is None else fit_w[index]
        began = time.perf_counter()
        with quiet_convergence():
            fit_estimator(pipeline, fit_X, fit_y, fit_w)
        refit = time.perf_counter() - began
    if progress is not None:
        progress(f"chose {choice.name}", 1.0)
    return _result(ctx, spec, loop, choice, pipeline, y_arr, searched=searched, refit=refit,
                   seed=seed, refit_rows=rows)


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


def _result(ctx: CVContext, spec: ProjectSpec, loop: _Loop, choice: Any, pipeline: Any,
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
