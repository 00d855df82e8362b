"""Oracle tests: every statistic the profiler computes by hand against scipy / sklearn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score, roc_auc_score

from mlsprint.data.profiling.associations import (
    association_matrix,
    chi2_statistic,
    correlation_ratio,
    cramers_v,
    spearman_matrix,
)
from mlsprint.data.profiling.leakage import (
    bin_codes,
    oof_target_means,
    roc_auc,
    single_feature_scores,
)
from mlsprint.data.profiling.summary import sample_skewness, summarize_column
from mlsprint.data.profiling.temporal import row_order_statistic, target_trend

rng = np.random.default_rng(0)


@pytest.mark.parametrize("ties", [False, True])
def test_roc_auc_matches_sklearn(ties):
    y = rng.integers(0, 2, 500)
    score = y + rng.normal(0, 1.5, 500)
    if ties:
        score = np.round(score)
    assert roc_auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, 30, elements=st.floats(-5, 5)), st.integers(0, 2**31 - 1))
def test_roc_auc_is_one_minus_itself_reversed(score, seed):
    y = np.random.default_rng(seed).integers(0, 2, 30)
    if 0 < y.sum() < 30:
        assert roc_auc(y, score) + roc_auc(y, -score) == pytest.approx(1.0)


def test_skewness_matches_scipy():
    x = rng.lognormal(size=1000)
    assert sample_skewness(x) == pytest.approx(scipy.stats.skew(x, bias=False))
    assert summarize_column(pd.Series(x)).skew == pytest.approx(scipy.stats.skew(x, bias=False))


@settings(max_examples=40, deadline=None)
@given(arrays(np.int64, st.integers(3, 300), elements=st.integers(-20, 20)))
def test_count_based_statistics_match_numpy_on_ties(x):
    s = summarize_column(pd.Series(x, name="x"))
    qs = [0.01, 0.25, 0.5, 0.75, 0.99]
    assert np.allclose([s.quantiles[str(q)] for q in qs], np.quantile(x, qs))
    counts, edges = np.histogram(x, bins=20)
    assert s.histogram == (tuple(edges.tolist()), tuple(counts.tolist()))
    assert s.mean == pytest.approx(x.mean()) and s.std == pytest.approx(x.std(ddof=1))
    if x.std() > 0:
        assert s.skew == pytest.approx(scipy.stats.skew(x, bias=False), abs=1e-9)


def test_column_quantiles_and_outliers_match_numpy():
    x = np.concatenate([rng.normal(size=990), [50.0] * 10])
    s = summarize_column(pd.Series(x, name="x"))
    q1, q3 = np.quantile(x, [0.25, 0.75])
    assert s.quantiles["0.25"] == pytest.approx(q1)
    assert s.outlier_rate == pytest.approx(((x < q1 - 3 * (q3 - q1)) |
                                            (x > q3 + 3 * (q3 - q1))).mean())
    assert s.std == pytest.approx(np.std(x, ddof=1))


def test_cramers_v_matches_scipy():
    a = rng.integers(0, 4, 800)
    b = (a + rng.integers(0, 3, 800)) % 5
    table = pd.crosstab(a, b).to_numpy()
    expected = scipy.stats.contingency.association(table, method="cramer")
    assert cramers_v(a, b) == pytest.approx(expected)
    chi2, dof = chi2_statistic(table)
    ref = scipy.stats.chi2_contingency(table, correction=False)
    assert (chi2, dof) == (pytest.approx(ref.statistic), ref.dof)


def test_correlation_ratio_is_root_r2_of_one_hot_regression():
    codes = rng.integers(0, 6, 600)
    values = codes * 0.7 + rng.normal(size=600)
    onehot = np.eye(6)[codes]
    r2 = LinearRegression().fit(onehot, values).score(onehot, values)
    assert correlation_ratio(codes, values) == pytest.approx(np.sqrt(r2))


def test_spearman_matrix_matches_scipy():
    M = rng.normal(size=(300, 3))
    M[:, 1] += M[:, 0]
    M[:, 2] = np.round(M[:, 2])  # ties
    ref = scipy.stats.spearmanr(M).statistic
    assert np.allclose(spearman_matrix(M), ref)


def test_association_matrix_is_symmetric_in_unit_interval():
    df = pd.DataFrame({"a": rng.normal(size=200), "b": rng.choice(list("xyz"), 200),
                       "c": rng.integers(0, 3, 200)})
    m = association_matrix(df, {"a": "numeric", "b": "categorical", "c": "numeric"})
    v = np.asarray(m.values)
    assert np.allclose(v, v.T) and (v >= 0).all() and (v <= 1 + 1e-12).all()
    assert m.measures[0][1] == "eta" and m.measures[0][2] == "spearman"


def test_trend_statistics_match_scipy():
    t = np.arange(2000, dtype=float)
    y = pd.Series((rng.random(2000) < 0.2 + 0.3 * t / 2000).astype(int))
    trend = target_trend(t, y, task="binary", positive_class=1)
    ref = scipy.stats.spearmanr(t, y)
    assert trend["effect"] == pytest.approx(ref.statistic)
    assert trend["p_value"] == pytest.approx(ref.pvalue, rel=1e-6)
    labels = pd.Series(rng.choice(["a", "b", "c"], 2000))
    multi = target_trend(t, labels, task="multiclass")
    period = np.arange(2000) * 10 // 2000
    chi = scipy.stats.chi2_contingency(pd.crosstab(period, labels.to_numpy()).to_numpy(),
                                       correction=False)
    assert multi["p_value"] == pytest.approx(chi.pvalue, rel=1e-6)


def test_row_order_regression_statistic_is_lag1_autocorrelation():
    y = pd.Series(np.cumsum(rng.normal(size=500)))
    out = row_order_statistic(y, task="regression")
    v = y.to_numpy() - y.mean()
    assert out["effect"] == pytest.approx((v[1:] * v[:-1]).sum() / (v * v).sum())


def test_oof_predictions_never_see_their_own_fold():
    codes = rng.integers(0, 8, 400)
    Y = rng.random((400, 1))
    folds = np.arange(400) % 5
    base = oof_target_means(codes, Y, folds)
    shuffled = Y.copy()
    shuffled[folds == 2] = rng.random(((folds == 2).sum(), 1))  # change fold 2's labels only
    again = oof_target_means(codes, shuffled, folds)
    assert np.allclose(base[folds == 2], again[folds == 2], rtol=0, atol=1e-12)
    assert not np.allclose(base[folds != 2], again[folds != 2])


def test_oof_means_match_a_plain_per_fold_loop():
    codes = rng.integers(0, 12, 900)
    Y = np.eye(3)[rng.integers(0, 3, 900)]
    folds = rng.permutation(900) % 5
    expected = np.empty_like(Y)
    for f in range(5):
        train = folds != f
        prior = Y[train].mean(axis=0)
        for c in range(12):
            rows = train & (codes == c)
            mean = (Y[rows].sum(axis=0) + 10 * prior) / (rows.sum() + 10)
            expected[(folds == f) & (codes == c)] = mean
    assert np.allclose(oof_target_means(codes, Y, folds), expected)


def test_single_feature_score_is_sklearn_r2_of_oof_predictions():
    x = pd.Series(rng.normal(size=1000))
    y = pd.Series(2 * x + rng.normal(size=1000))
    got = single_feature_scores(pd.DataFrame({"x": x}), y, task="regression",
                                kinds={"x": "numeric"})["x"]
    folds = np.random.default_rng(0).permutation(1000) % 5
    pred = oof_target_means(bin_codes(x, "numeric", n_bins=10), y.to_numpy()[:, None], folds)
    assert got == pytest.approx(r2_score(y, pred[:, 0]))
    assert got > 0.7


def test_bin_codes_give_missing_its_own_code():
    codes = bin_codes(pd.Series([1.0, np.nan, 3.0, 2.0]), "numeric")
    assert codes[1] == codes.max() and len(set(codes)) == 4
