"""The percentile bootstrap against scipy.stats.bootstrap, and its index generator."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evaluation.conftest import read_dataset
from mlsprint.evaluation.bootstrap import (
    bootstrap_indices,
    bootstrap_interval,
    percentile_interval,
)


@pytest.mark.parametrize("statistic", [np.mean, np.median])
def test_interval_agrees_with_scipy_percentile_bootstrap(statistic):
    amounts = read_dataset("german_credit")["credit_amount"].to_numpy(dtype=float)
    ours = bootstrap_interval(lambda rows: statistic(amounts[rows]), len(amounts),
                              n_boot=4000, random_state=1)
    ref = stats.bootstrap((amounts,), statistic, n_resamples=4000, method="percentile",
                          confidence_level=0.95, random_state=2, vectorized=False)
    width = ref.confidence_interval.high - ref.confidence_interval.low
    # two independent Monte Carlo runs of the same interval: agree within a few % of its width
    assert ours.low == pytest.approx(ref.confidence_interval.low, abs=0.06 * width)
    assert ours.high == pytest.approx(ref.confidence_interval.high, abs=0.06 * width)
    assert ours.estimate == pytest.approx(statistic(amounts))
    assert ours.n_valid == 4000


def test_same_seed_same_indices_and_stratified_counts():
    a = bootstrap_indices(50, n_boot=20, random_state=3)
    assert np.array_equal(a, bootstrap_indices(50, n_boot=20, random_state=3))
    strata = np.r_[np.zeros(45, int), np.ones(5, int)]
    idx = bootstrap_indices(50, n_boot=30, random_state=0, strata=strata)
    assert (strata[idx].sum(axis=1) == 5).all()  # the rare stratum keeps its count


def test_undefined_resamples_are_dropped_and_counted():
    y = np.r_[np.zeros(18), np.ones(2)]

    def ratio(rows):
        if y[rows].sum() == 0:
            raise ValueError("no positive")
        return y[rows].mean()

    iv = bootstrap_interval(ratio, len(y), n_boot=300, random_state=0)
    assert 0 < iv.n_valid < 300
    assert percentile_interval(1.0, np.array([np.nan])).n_valid == 0


@pytest.mark.parametrize("n, n_boot, match", [(0, 10, "at least one row"),
                                              (5, 0, "n_boot must be a positive")])
def test_bad_arguments(n, n_boot, match):
    with pytest.raises(ValueError, match=match):
        bootstrap_indices(n, n_boot=n_boot, random_state=0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=60), st.integers(0, 10_000))
def test_interval_is_ordered_and_inside_the_data_range(values, seed):
    x = np.asarray(values)
    iv = bootstrap_interval(lambda rows: x[rows].mean(), len(x), n_boot=50, random_state=seed)
    assert x.min() - 1e-6 <= iv.low <= iv.high <= x.max() + 1e-6
