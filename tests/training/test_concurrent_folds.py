"""Folds fitted side by side in threads: both cores busy where one-thread fits leave one
idle, and the same outcome as folds fitted one after the other."""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import replace

import numpy as np
import pytest
from tests.training.conftest import Problem
from tests.training.test_cv import _context

from mlsprint.training import cv
from mlsprint.training.cv import Deadline, TrialCut, cross_validate
from mlsprint.training.families import FAMILIES, fold_workers


def test_only_one_thread_boosters_fit_folds_side_by_side(monkeypatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    for name in ("lightgbm", "xgboost"):
        assert fold_workers(FAMILIES[name], 2, 5_000) == 2
        assert fold_workers(FAMILIES[name], 2, 199_999) == 2
        assert fold_workers(FAMILIES[name], 2, 200_000) == 1  # its fits take both cores
        assert fold_workers(FAMILIES[name], 1, 5_000) == 1
    monkeypatch.delenv("OMP_WAIT_POLICY")
    assert fold_workers(FAMILIES["lightgbm"], 2, 20_000) == 1
    for name in ("hist_gradient_boosting", "mlp", "linear", "extra_trees", "random_forest"):
        assert fold_workers(FAMILIES[name], 2, 5_000) == 1, name


def _spied(monkeypatch) -> list[tuple[str, float, float]]:
    """Each fold fit's thread name, start and end."""
    spans: list[tuple[str, float, float]] = []
    real = cv._fit_fold

    def spy(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spans.append((threading.current_thread().name, began, time.perf_counter()))

    monkeypatch.setattr(cv, "_fit_fold", spy)
    return spans


@pytest.mark.parametrize("name", ["lightgbm", "xgboost"])
def test_waves_of_folds_give_what_one_fold_after_another_gives(
        german: Problem, name: str, monkeypatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    family = FAMILIES[name]
    both = _context(german, rows=1000, folds=5)
    one = replace(both, n_jobs=1)  # the oracle: folds one after another, one thread each
    spans = _spied(monkeypatch)
    alone = cross_validate(family, family.defaults("binary"), one, deadline=Deadline(None))
    assert {s[0] for s in spans} == {threading.current_thread().name}
    spans.clear()
    reports: list[tuple[int, float]] = []
    waves = cross_validate(family, family.defaults("binary"), both, deadline=Deadline(None),
                           report=lambda step, mean: reports.append((step, mean)) or False)
    np.testing.assert_array_equal(waves.oof, alone.oof)
    assert waves.fold_scores == alone.fold_scores
    assert waves.n_estimators == alone.n_estimators
    # pruning sees every fold, in order, with the running mean one fold at a time gives
    assert [step for step, _ in reports] == [0, 1, 2, 3, 4]
    assert [m for _, m in reports] == pytest.approx(
        [np.mean(alone.fold_scores[:k + 1]) for k in range(5)], rel=0, abs=0)
    # waves of two (folds 1-2, 3-4, then 5) in two threads of the pool, overlapping
    threads = [s[0] for s in spans]
    assert all(t.startswith("mlsprint-fold") for t in threads) and len(set(threads)) == 2
    first, second = sorted(spans[:2], key=lambda s: s[1])
    assert second[1] < first[2], "the two folds of a wave did not run at the same time"


def test_a_pruned_wave_stops_the_trial_and_leaves_no_warning_filter(
        german: Problem, monkeypatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    family = FAMILIES["lightgbm"]
    ctx = _context(german, rows=1000, folds=5)
    before = list(warnings.filters)
    spans = _spied(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TrialCut, match="pruned after fold 2") as cut:
            cross_validate(family, family.defaults("binary"), ctx, deadline=Deadline(None),
                           report=lambda step, mean: step == 1)
    assert cut.value.folds_done == 2
    assert len(spans) == 2  # the first wave only
    # LightGBM's eval_set notice is silenced for the threads by the caller, once
    assert not [w for w in caught if "eval_set" in str(w.message)]
    assert warnings.filters == before


def test_a_wave_that_overruns_its_share_is_cut(german: Problem, monkeypatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    family = FAMILIES["lightgbm"]
    ctx = _context(german, rows=1000, folds=5)
    with pytest.raises(TrialCut) as cut:
        cross_validate(family, dict(family.defaults("binary"), learning_rate=1e-4), ctx,
                       deadline=Deadline(time.perf_counter() + 0.3))
    assert cut.value.folds_done in (0, 2, 4)  # whole waves
