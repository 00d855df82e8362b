"""The pool of cross-validated candidates: leaderboard, refit estimates, final choice.

The pool keeps the out-of-fold predictions of its leaders and of each family's best (not
of every trial, to bound memory), estimates how long refitting a candidate on all rows
takes (its measured fold fits per training row, boosting rounds scaled to those the refit
keeps, times the rows), and picks the final model: the best single candidate whose refit
fits the time left (on all rows, or at least on as many rows as its folds were fitted
on), or a greedy ensemble of the leaders and each family's best when that beats it out of
fold and its refit on all rows fits the time left (without its costliest members, when
that is what it takes to fit). Each family's best takes part because an ensemble gains
from models that err differently: in one 60 s search of german_credit the perceptron
ranked eighth, behind six XGBoost trials, yet AutoGluon's ensembles give their neural
networks most weight there.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from mlsprint.evaluation.metrics import greater_is_better
from mlsprint.training.cv import CVContext, CVOutcome, Deadline
from mlsprint.training.ensemble import AVERAGES, average_predictions, greedy_selection
from mlsprint.training.estimators import EnsembleClassifier, EnsembleRegressor
from mlsprint.training.families import (
    FAMILIES,
    Family,
    build_estimator,
    fit_threads,
    refit_rounds,
)
from mlsprint.training.result import CandidateRecord, EnsembleInfo

__all__ = ["CandidatePool", "Choice", "final_pipeline", "rows_scale"]

KEEP_OOF = 8  # leaders whose out-of-fold output is kept (with each family's best)
MAX_TRIMS = 3  # costliest members dropped, at most, to find an ensemble whose refit fits
REFIT_OVERHEAD = 1.2  # measured refits (diabetes_130us, 2 cores) were 0.8-1.05x the estimate
ENSEMBLE_RESERVE_SHARE = 0.3
SPREAD_LEADERS = 10  # the records whose CV deviations measure a gap (CandidatePool.gap)
ENSEMBLE_SLACK = 1.1  # an ensemble is kept when 1.1x its refit estimate fits the time left


def rows_scale(family: str, ratio: float) -> float:
    """How much longer ``family`` takes to fit ``ratio`` times as many rows."""
    return float(max(ratio, 0.0) ** FAMILIES[family].rows_exponent)


@dataclass(frozen=True, slots=True)
class Choice:
    """The model the search settles on, before its final refit."""

    name: str
    members: tuple[tuple[CandidateRecord, float], ...]
    oof: np.ndarray
    oof_score: float
    ensemble: EnsembleInfo | None
    refit_estimate: float


class CandidatePool:
    """Every completed candidate, best first, with the leaders' out-of-fold output."""

    def __init__(self, metric: str, *, n_rows: int,
                 folds: list[tuple[np.ndarray, np.ndarray]],
                 searched_rows: int | None = None) -> None:
        self.metric = metric
        self.greater = greater_is_better(metric)
        self.records: list[CandidateRecord] = []
        self.oofs: dict[str, np.ndarray] = {}
        self.n_rows = n_rows  # the refit's rows (the search's, plus any added for it)
        # the rows a record's n_estimators are sized for (CVOutcome.n_estimators)
        self.searched_rows = n_rows if searched_rows is None else searched_rows
        self.mean_train = float(np.mean([len(train) for train, _ in folds]))
        self._per_family: dict[str, int] = {}
        self._per_row: dict[str, tuple[float, float]] = {}  # (rows, refit seconds)

    def _key(self, record: CandidateRecord) -> tuple[float, str]:
        oriented = record.cv_mean if self.greater else -record.cv_mean
        return (-oriented, record.name)

    def add(self, family: Family, params: dict[str, Any], outcome: CVOutcome,
            trial: int, train_rows: int | None = None) -> CandidateRecord:
        count = self._per_family.get(family.name, 0) + 1
        self._per_family[family.name] = count
        record = CandidateRecord(
            name=f"{family.name}-{count:03d}", family=family.name, params=dict(params),
            metric=self.metric, cv_mean=outcome.mean, cv_std=outcome.std,
            fold_scores=outcome.fold_scores, fit_seconds=outcome.fit_seconds,
            predict_seconds_per_row=outcome.predict_seconds_per_row,
            size_bytes=outcome.size_bytes, n_estimators=outcome.n_estimators, trial=trial,
            train_rows=train_rows)
        fitted_rows = outcome.train_rows or self.mean_train
        self._per_row[record.name] = (fitted_rows, outcome.refit_seconds_per_row * fitted_rows
                                      or outcome.fit_seconds)
        self.records.append(record)
        self.oofs[record.name] = outcome.oof
        kept = {r.name for r in self._ensemble_pool(KEEP_OOF)}
        self.oofs = {k: v for k, v in self.oofs.items() if k in kept}
        return record

    def leaderboard(self) -> list[CandidateRecord]:
        return sorted(self.records, key=self._key)

    def _ensemble_pool(self, top: int) -> list[CandidateRecord]:
        """The ``top`` leaders and the best of every other family, best first."""
        board = self.leaderboard()
        firsts = {r.family: r for r in reversed(board)}.values()
        chosen = {r.name for r in board[:top]} | {r.name for r in firsts}
        return [r for r in board if r.name in chosen]

    def refit_estimate(self, record: CandidateRecord, rows: float | None = None) -> float:
        """Seconds to refit ``record`` on ``rows`` rows (all if None), from its measured
        fold fits (boosters: scaled to the rounds the refit keeps), scaled by rows."""
        fitted, seconds = self._per_row.get(
            record.name, (record.train_rows or self.mean_train, record.fit_seconds))
        rows = self.n_rows if rows is None else rows
        rounds = (rows / max(self.searched_rows, 1)) ** FAMILIES[record.family].rounds_exponent
        return seconds * rows_scale(record.family, rows / max(fitted, 1.0)) * rounds \
            * REFIT_OVERHEAD

    def refit_rounds(self, record: CandidateRecord, rows: float | None = None) -> int | None:
        """Boosting rounds (epochs) of ``record``'s refit on ``rows`` rows (all if None)."""
        if record.n_estimators is None:
            return None
        return refit_rounds(FAMILIES[record.family], record.n_estimators, self.searched_rows,
                            self.n_rows if rows is None else rows)

    def ensemble_refit(self, records: Iterable[CandidateRecord]) -> float:
        """Seconds to refit every one of ``records`` on all rows (an ensemble's members)."""
        return sum(self.refit_estimate(r) for r in records)

    def min_refit_estimate(self, record: CandidateRecord) -> float:
        """Seconds to refit ``record`` on as many rows as its folds were fitted on."""
        return self.refit_estimate(record, min(self.n_rows, record.train_rows or self.n_rows))

    def refit_reserve(self, budget: float) -> float:
        """Time to keep free for the final refit: the leader's on all rows, or up to
        ``ENSEMBLE_RESERVE_SHARE`` of the budget that of the largest ensemble ``choose``
        may keep (every candidate greedy selection draws from, with its 10 % slack)."""
        board = self.leaderboard()
        if not board:
            return 0.0
        best = self.refit_estimate(board[0])
        top = ENSEMBLE_SLACK * self.ensemble_refit(self._ensemble_pool(KEEP_OOF))
        return min(top, max(best, ENSEMBLE_RESERVE_SHARE * budget))

    def family_refit(self, family: str) -> float:
        """The cheapest measured refit of ``family`` (0 before its first candidate)."""
        own = [self.refit_estimate(r) for r in self.records if r.family == family]
        return min(own) if own else 0.0

    def _spread(self) -> float:
        """The noise of a CV score near the top: the median fold standard deviation of
        the leaders. Not of every record: on ames_housing, linear models on log(1 + y)
        blew up on a few houses, their huge deviations made every gap look small, and the
        cheap linear family took 106 of 119 finished candidates in a 60 s search."""
        leaders = heapq.nsmallest(SPREAD_LEADERS, self.records, key=self._key)
        stds = [r.cv_std for r in leaders if r.cv_std > 0]
        if stds:
            return float(np.median(stds))
        return abs(self.records[0].cv_mean) * 1e-3 + 1e-12 if self.records else 1.0

    def gap(self, family: str) -> float:
        """How many CV standard deviations ``family``'s best trails the leader."""
        own = [r for r in self.records if r.family == family]
        if not own:
            return 0.0
        best_own = min(self._key(r)[0] for r in own)
        best_all = min(self._key(r)[0] for r in self.records)
        return (best_own - best_all) / self._spread()

    def hopeless(self, counts: dict[str, int]) -> set[str]:
        """Families 3+ standard deviations behind after 3 trials."""
        return {f for f, n in counts.items() if n >= 3 and self.gap(f) > 3.0}

    def _single(self, record: CandidateRecord, ctx: CVContext) -> Choice:
        oof = self.oofs[record.name]
        return Choice(record.name, ((record, 1.0),), oof, _oof_score(oof, ctx),
                      None, self.refit_estimate(record))

    def choose(self, ctx: CVContext, deadline: Deadline,
               factory: Callable[[str], Any]) -> Choice:
        """The best single candidate, or a greedy ensemble that beats it out of fold."""
        board = [r for r in self.leaderboard() if r.name in self.oofs]
        fits = [r for r in board if self.min_refit_estimate(r) <= deadline.remaining()]
        if not fits:  # nothing fits: the cheapest refit overruns least
            fits = sorted(board, key=self.min_refit_estimate)
        single = self._single(fits[0], ctx)
        top = [r for r in self._ensemble_pool(KEEP_OOF) if r.name in self.oofs]
        if len(top) < 2:
            return single
        top, average, counts, score, dropped = self._select(top, ctx, deadline)
        members = tuple((r, float(c) / counts.sum()) for r, c in zip(top, counts, strict=True)
                        if c > 0)
        weights = {r.name: w for r, w in members}
        better = score > single.oof_score if self.greater else score < single.oof_score
        estimate = self.ensemble_refit(r for r, _ in members)
        if len(members) < 2:
            kept, reason = False, "greedy selection kept only the best single model"
        elif not better:
            kept, reason = False, "the ensemble does not beat the best single model out of fold"
        elif estimate * ENSEMBLE_SLACK > deadline.remaining():
            kept = False
            reason = f"refitting the ensemble (~{estimate:.1f} s) would pass the budget"
        else:
            kept, reason = True, "beats the best single model out of fold"
            if dropped:
                reason += (f" (without {', '.join(dropped)}: the refit with "
                           f"{'them' if len(dropped) > 1 else 'it'} would pass the budget)")
        info = EnsembleInfo(weights, score, single.name, single.oof_score, kept, reason,
                            average)
        if not kept:
            return Choice(single.name, single.members, single.oof, single.oof_score, info,
                          single.refit_estimate)
        oof = average_predictions([self.oofs[r.name] for r, _ in members],
                                  [w for _, w in members], average=average)
        return Choice("ensemble", members, oof, score, info, estimate)

    def _select(self, top: list[CandidateRecord], ctx: CVContext, deadline: Deadline
                ) -> tuple[list[CandidateRecord], str, np.ndarray, float, list[str]]:
        """Greedy selection averaging probabilities arithmetically, and for classes also
        geometrically, keeping the better out-of-fold score among the selections whose
        refit fits the time left. When none fits, the costliest member of the best one
        leaves the candidates and selection runs again (up to ``MAX_TRIMS`` times, while
        the time left exceeds a round's): on bank_marketing at 60 s the best ensemble
        (0.8051 out of fold) needed 12.7 s to refit with 9.9 s left, and the search fell
        back to one LightGBM (0.8029).

        Returns ``(candidates, average, counts, score, dropped)``: ``counts`` index
        ``candidates`` (``top`` less the ``dropped`` names); when nothing fits even after
        trimming, the best selection of the last round (which ``choose`` will not keep).
        """
        averages = AVERAGES if ctx.task != "regression" else ("arithmetic",)
        candidates, dropped = list(top), []

        def members(counts: np.ndarray) -> list[CandidateRecord]:
            return [r for r, c in zip(candidates, counts, strict=True) if c]

        def fits(counts: np.ndarray) -> bool:
            return self.ensemble_refit(members(counts)) * ENSEMBLE_SLACK <= deadline.remaining()

        while True:
            began = time.perf_counter()
            tried = [(average, *greedy_selection(
                [self.oofs[r.name] for r in candidates], ctx.cache.y, ctx.scorer,
                greater_is_better=self.greater, sample_weight=ctx.sample_weight,
                average=average)) for average in averages]
            options = [t for t in tried if fits(t[1])] or tried
            # the first (arithmetic) wins ties
            best = max(options, key=lambda t: t[2]) if self.greater else \
                min(options, key=lambda t: t[2])
            # another round takes about as long as this one
            no_time = time.perf_counter() - began >= deadline.remaining()
            if fits(best[1]) or no_time or len(dropped) == MAX_TRIMS \
                    or len(members(best[1])) < 2:
                return candidates, *best, dropped
            costliest = max(members(best[1]), key=self.refit_estimate)
            candidates.remove(costliest)
            dropped.append(costliest.name)


def _oof_score(oof: np.ndarray, ctx: CVContext) -> float:
    finite = np.isfinite(oof) if oof.ndim == 1 else np.isfinite(oof).all(axis=1)
    w = None if ctx.sample_weight is None else ctx.sample_weight[finite]
    return ctx.scorer(ctx.cache.y[finite], oof[finite], w)


def candidate_pipeline(record: CandidateRecord, ctx: CVContext,
                       factory: Callable[[str], Any], *, rounds: int | None,
                       rows: int) -> Pipeline:
    """An unfitted ``Pipeline`` (preprocessor + model) of one leaderboard row, with
    ``rounds`` boosting rounds (epochs; None for models without), its threads chosen for
    a fit on ``rows`` rows."""
    family = FAMILIES[record.family]
    model = build_estimator(record.family, record.params, task=ctx.task,
                            n_jobs=fit_threads(family, ctx.n_jobs, rows),
                            random_state=ctx.random_state, n_estimators=rounds)
    if record.params.get("target") == "log":
        from sklearn.compose import TransformedTargetRegressor

        model = TransformedTargetRegressor(regressor=model, func=np.log1p,
                                           inverse_func=np.expm1, check_inverse=False)
    return Pipeline([("preprocess", factory(family.for_model)), ("model", model)])


def final_pipeline(choice: Choice, ctx: CVContext, factory: Callable[[str], Any],
                   pool: CandidatePool, rows: int | None = None) -> Pipeline:
    """The unfitted final pipeline of ``choice`` (single model or ensemble) for a refit on
    ``rows`` rows (all of ``pool``'s if None): boosting rounds grown (or shrunk) to them."""
    def one(record: CandidateRecord) -> Pipeline:
        return candidate_pipeline(record, ctx, factory, rounds=pool.refit_rounds(record, rows),
                                  rows=pool.n_rows if rows is None else rows)

    if len(choice.members) == 1:
        return one(choice.members[0][0])
    members = [(r.name, one(r)) for r, _ in choice.members]
    weights = [w for _, w in choice.members]
    if ctx.task == "regression":
        return Pipeline([("model", EnsembleRegressor(members, weights))])
    average = "arithmetic" if choice.ensemble is None else choice.ensemble.average
    return Pipeline([("model", EnsembleClassifier(members, weights, average=average))])
