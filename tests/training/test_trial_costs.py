"""What a trial that did not finish teaches the trial loop: a pruned trial is not a cheap
one, a cut trial cost all its folds, and a family with a candidate on all its rows waits
for time rather than going on with fewer."""

from __future__ import annotations

import time

import numpy as np
import pytest
from tests.training.conftest import scoring_context

from mlsprint.training.candidates import CandidatePool
from mlsprint.training.cv import CVOutcome, TrialCut
from mlsprint.training.families import FAMILIES
from mlsprint.training.studies import open_studies
from mlsprint.training.trial_loop import TrialLoop

FOLD_ROWS = 8_000  # training rows of each of the 5 folds: enough to subsample
NAMES = ["linear", "lightgbm"]


def _loop(with_candidates: tuple[str, ...]) -> TrialLoop:
    y = np.zeros(10_000)
    folds = [(np.arange(FOLD_ROWS), np.arange(FOLD_ROWS, 10_000))] * 5
    pool = CandidatePool("rmse", n_rows=len(y), folds=folds)
    families = [FAMILIES[n] for n in NAMES]
    studies = open_studies(families, storage=None, study_name="costs", metric="rmse",
                           task="regression", random_state=0, log_target=False)
    for name in with_candidates:  # a finished trial on every fold row, all as good
        outcome = CVOutcome(y, (0.9, 1.1), 1.0, 1e-6, 100, None,
                            train_rows=float(FOLD_ROWS), refit_seconds_per_row=1e-4,
                            fold_seconds=1.0)
        pool.add(FAMILIES[name], {}, outcome, trial=0)
    ctx = scoring_context(y, None, "regression")
    ctx.cache.folds, ctx.cache.train_rows = folds, float(FOLD_ROWS)
    ctx.log_target = False
    loop = TrialLoop(families, ctx, studies, pool, start=time.perf_counter(), budget=300.0,
                     n_trials=None, on_candidate=None, progress=None)
    for name in with_candidates:
        loop.seconds[name] = [5.0]
        loop.counts[name] = 1
    return loop


def _ask(loop: TrialLoop, name: str):
    study = loop.studies[name]
    return study, study.ask()


def test_a_pruned_trial_counts_as_a_trial_but_not_as_the_familys_cost() -> None:
    # Counted at its 0.05 s, each pruned trial made the linear family look cheaper: a
    # 300 s dry_bean search spent its last 17 s on 398 of them.
    loop = _loop(("linear", "lightgbm"))
    linear = FAMILIES["linear"]
    before = loop.trial_cost(linear)
    for _ in range(20):
        study, trial = _ask(loop, "linear")
        loop.counts["linear"] += 1
        loop._cut(linear, None, TrialCut("pruned after fold 1", folds_done=1,
                                         fold_seconds=0.01), study, trial, 0.05)
    assert loop.pruned == 20
    assert loop.trial_cost(linear) == before == 5.0
    assert loop.next_family() is FAMILIES["lightgbm"], "21 trials of linear cost more"


def test_a_cut_trial_costs_every_fold_it_would_have_run() -> None:
    loop = _loop(())
    lightgbm = FAMILIES["lightgbm"]
    study, trial = _ask(loop, "lightgbm")
    loop._cut(lightgbm, None, TrialCut("fold 1 took more than its share", folds_done=1,
                                       fold_seconds=4.0), study, trial, 4.0)
    assert loop.cut == 1
    assert loop.seconds["lightgbm"] == [pytest.approx(5 * 4.0)]


def test_a_family_with_a_candidate_on_all_rows_waits_for_time_instead_of_fewer_rows() -> None:
    loop = _loop(("lightgbm",))
    lightgbm = FAMILIES["lightgbm"]
    study, trial = _ask(loop, "lightgbm")
    loop._cut(lightgbm, None, TrialCut("the budget ran out during fold 1", folds_done=1,
                                       fold_seconds=200.0), study, trial, 200.0)
    assert "lightgbm" in loop.dropped and "lightgbm" in loop.waiting
    assert "lightgbm" not in loop.rows, "its rows are not cut down"
    assert loop.resume(kept_refit=None)
    assert "lightgbm" not in loop.dropped


def test_a_family_without_a_candidate_goes_on_with_fewer_rows() -> None:
    loop = _loop(("lightgbm",))
    linear = FAMILIES["linear"]
    study, trial = _ask(loop, "linear")
    loop.counts["linear"] += 1
    loop._cut(linear, None, TrialCut("the budget ran out during fold 1", folds_done=1,
                                     fold_seconds=100.0), study, trial, 100.0)
    rows = loop.rows["linear"]
    assert rows is not None and rows < 0.8 * FOLD_ROWS
    assert "linear" not in loop.dropped
    assert loop.counts["linear"] == 0, "its defaults again, on those rows"
