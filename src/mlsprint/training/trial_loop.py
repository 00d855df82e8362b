"""The trial loop of :func:`mlsprint.training.search.search`: which family next, on how
many rows, when to stop, what to record (the rules are in ``search``'s module docstring).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mlsprint.training.candidates import CandidatePool, rows_scale
from mlsprint.training.cv import CVContext, Deadline, TrialCut, cross_validate
from mlsprint.training.families import Family
from mlsprint.training.result import CandidateRecord
from mlsprint.training.studies import suggest

__all__ = ["Progress", "TrialLoop", "import_libraries"]

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


class TrialLoop:
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
        self.kept_refit: float | None = None  # the kept ensemble's refit, still reserved
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
        ensemble is decided, then the kept ensemble's, else the leader's; or this family's
        own cheapest refit if larger (the trial may produce the new leader)."""
        if self.budget is None:
            return 0.0
        if self.kept_refit is not None:  # and the choice, made again
            leaders = self.kept_refit + 1.2 * self.choose_seconds
        elif self.ensemble_reserve:
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

    def resume(self, kept_refit: float | None = None) -> bool:
        """After the ensemble was decided: release the time reserved for the largest
        ensemble the search could keep and let the families that were waiting for time go
        on; True if a trial may fit. ``kept_refit``: the seconds of the kept ensemble's
        refit, still reserved; None: it was decided against (the leader's refit is)."""
        if self.budget is None or not self.ensemble_reserve or not self.waiting:
            return False
        self.ensemble_reserve = False
        self.kept_refit = kept_refit
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
        suggest(family, trial, self.ctx.task, self.ctx.log_target)  # the enqueued defaults
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
            params = suggest(family, trial, self.ctx.task, self.ctx.log_target)
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
        if pruned:
            # a pruned trial's seconds are not what a trial of its family costs: counted,
            # they made the family look cheap, and a 300 s dry_bean search spent its last
            # 17 s on 398 linear trials of 0.05 s, each pruned after its first fold
            return
        # a cut trial did not run its last folds: it costs what all of them would have
        self.seconds[family.name].append(max(seconds, self.n_folds * cut.fold_seconds))
        self._after_cut(family, rows, cut)

    def _after_cut(self, family: Family, rows: int | None, cut: TrialCut) -> None:
        """A trial cut by the budget: a family with a candidate on as many rows waits for
        time (:meth:`resume`); another goes on with a subsample of rows sized from the
        measured folds (its defaults again if it has no candidate yet) when that can
        still fit; otherwise it is dropped."""
        current = rows or int(self.fold_rows)
        if self._has_candidate_on(family, current):
            # trials on fewer rows than its own candidates would not beat them (the
            # pruner compares them with those): it waits for time on its rows instead
            self.dropped.add(family.name)
            self.waiting.add(family.name)
            return
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
            defaults = family.defaults(self.ctx.task)
            self.studies[family.name].enqueue_trial(
                dict(defaults, target="raw") if self.ctx.log_target else defaults)
            self.counts[family.name] = 0

    def _has_candidate_on(self, family: Family, rows: int) -> bool:
        """Whether a trial of ``family`` finished on ``rows`` fold training rows or more."""
        return any(r.family == family.name and r.trial >= 0
                   and (r.train_rows or int(self.fold_rows)) >= rows for r in self.pool.records)

    def fraction(self) -> float:
        if self.budget is not None:
            return min(1.0, (time.perf_counter() - self.start) / self.budget)
        return min(1.0, self.asked / max(self.n_trials or 1, 1))


def import_libraries(families: list[Family]) -> None:
    """Import the boosters' libraries before any trial: a first import (0.4-1 s on a busy
    machine) would otherwise count as a fold's cost and cut or shrink the trial."""
    import importlib

    for family, module in (("lightgbm", "lightgbm"), ("xgboost", "xgboost"),
                           ("catboost", "catboost")):
        if any(f.name == family for f in families):
            importlib.import_module(module)


def _level(rows: int) -> int:
    """``rows`` rounded down to ``QUICK_ROWS * sqrt(2) ** k``: trials of the tree
    families on similar budgets share their fold preprocessing."""
    if rows <= MIN_ROWS:
        return MIN_ROWS
    k = math.floor(2 * math.log2(rows / QUICK_ROWS) + 1e-9)
    return max(MIN_ROWS, int(round(QUICK_ROWS * 2 ** (k / 2))))
