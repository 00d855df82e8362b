"""Drift statistics: invariants (hypothesis) and oracles (scipy, statsmodels)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from tests.monitoring.conftest import read_pair

from mlsprint.monitoring import (
    chi_square,
    holm,
    jensen_shannon,
    ks,
    psi,
    psi_from_counts,
    wasserstein_normed,
    z_test,
)
from mlsprint.monitoring.stats import quantile_edges, total_variation

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
counts = arrays(np.int64, st.integers(2, 12), elements=st.integers(0, 500))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(5, 300), elements=finite))
def test_psi_of_a_sample_with_itself_is_zero(x: np.ndarray) -> None:
    assert psi(x, x) == 0.0
    assert jensen_shannon(x, x) == pytest.approx(0.0, abs=1e-7)


@settings(max_examples=60, deadline=None)
@given(counts, st.data())
def test_count_psi_is_symmetric_and_non_negative(ref: np.ndarray, data) -> None:
    cur = data.draw(arrays(np.int64, ref.shape, elements=st.integers(0, 500)))
    if ref.sum() == 0 or cur.sum() == 0:
        assert np.isnan(psi_from_counts(ref, cur))
        return
    forward, backward = psi_from_counts(ref, cur), psi_from_counts(cur, ref)
    assert forward >= 0
    assert forward == pytest.approx(backward, rel=1e-12, abs=1e-15)
    assert 0 <= total_variation(ref, cur) <= 1


def test_psi_matches_hand_computation_and_grows_with_shift() -> None:
    ref, cur = np.array([50, 30, 20]), np.array([30, 30, 40])
    r, c = ref / 100, cur / 100
    assert psi_from_counts(ref, cur) == pytest.approx(np.sum((c - r) * np.log(c / r)))
    x = np.random.default_rng(0).normal(size=5000)
    assert psi(x, x + 0.1) < psi(x, x + 0.5) < psi(x, x + 1.0)
    assert psi(x, x + 1.0) > 0.2  # one sd: far past the critical threshold


def test_psi_of_categories_and_empty_bins() -> None:
    ref = np.array(["a"] * 90 + ["b"] * 10, dtype=object)
    cur = np.array(["a"] * 80 + ["c"] * 20, dtype=object)
    expected = (0.8 - 0.9) * np.log(0.8 / 0.9) + (1e-4 - 0.1) * np.log(1e-4 / 0.1) + (
        0.2 - 1e-4) * np.log(0.2 / 1e-4)
    assert psi(ref, cur, categorical=True) == pytest.approx(expected)


def test_quantile_edges_keep_tied_mass_in_one_bin() -> None:
    x = np.r_[np.zeros(900), np.arange(1, 101)]
    edges = quantile_edges(x, bins=10)
    assert edges[0] == 0.0
    assert np.bincount(np.searchsorted(edges, x, side="left"))[0] == 900
    with pytest.raises(ValueError, match="bins must be an int >= 2. Got 1"):
        quantile_edges(x, bins=1)


def test_chi_square_is_scipys_contingency_test() -> None:
    from scipy.stats import chi2_contingency

    ref, cur = np.array([120, 80, 40, 60]), np.array([100, 95, 30, 75])
    stat, p = chi_square(ref, cur)
    expected = chi2_contingency(np.vstack([ref, cur]), correction=False)
    assert stat == pytest.approx(expected.statistic, rel=1e-12)
    assert p == pytest.approx(expected.pvalue, rel=1e-12)


def test_chi_square_treats_a_new_level_as_evidence_not_certainty() -> None:
    stat, p = chi_square(np.array([500, 500, 0]), np.array([49, 50, 1]))
    assert p > 0.05  # one row of a new level is no proof of drift
    _, p_pooled = chi_square(np.array([500, 500, 2]), np.array([50, 50, 3]))
    assert 0 <= p_pooled <= 1
    assert chi_square(np.array([10, 0]), np.array([0, 0])) == (0.0, 1.0)


def test_z_test_is_statsmodels_two_proportion_test() -> None:
    from statsmodels.stats.proportion import proportions_ztest

    z, p = z_test(30, 200, 55, 250)
    z_sm, p_sm = proportions_ztest([55, 30], [250, 200])
    assert z == pytest.approx(z_sm, rel=1e-12)
    assert p == pytest.approx(p_sm, rel=1e-12)
    assert z_test(0, 10, 0, 10) == (0.0, 1.0)


def test_ks_and_wasserstein_match_scipy_on_real_data() -> None:
    from scipy.stats import ks_2samp, wasserstein_distance

    ref, cur = read_pair("bank_marketing")
    a, b = ref["balance"].to_numpy(float), cur["balance"].to_numpy(float)
    stat, p = ks(a, b)
    assert (stat, p) == pytest.approx(tuple(ks_2samp(a, b)), rel=1e-12)
    assert wasserstein_normed(a, b) == pytest.approx(wasserstein_distance(a, b) / np.std(a))
    x = np.random.default_rng(1).normal(size=20000)
    assert wasserstein_normed(x, x + 0.25) == pytest.approx(0.25 / np.std(x), rel=1e-9)


def test_jensen_shannon_is_scipys_distance() -> None:
    from scipy.spatial.distance import jensenshannon

    ref = np.array(["a"] * 60 + ["b"] * 40, dtype=object)
    cur = np.array(["a"] * 30 + ["b"] * 70, dtype=object)
    assert jensen_shannon(ref, cur, categorical=True) == pytest.approx(
        jensenshannon([0.6, 0.4], [0.3, 0.7]))


def test_holm_matches_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.001, 0.04, 0.03, 0.2, 0.0125, 0.011])
    assert holm(p).tolist() == multipletests(p, alpha=0.05, method="holm")[0].tolist()
    assert holm([np.nan, 0.001]).tolist() == [False, True]
