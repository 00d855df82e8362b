"""Latency: percentiles and throughput of a real pipeline; a planted delay is seen."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from mlsprint.evaluation import measure_latency


def test_latency_of_a_trained_pipeline(credit, lgbm_pipeline):
    r = measure_latency(lgbm_pipeline, credit.X_test, repeats=15)
    assert 0 < r.single_p50_ms <= r.single_p95_ms
    assert set(r.rows_per_second) == {100, 10_000}
    assert all(v > 0 for v in r.rows_per_second.values())
    assert r.method == "predict_proba" and r.to_dict()["rows_per_second"]["10000"] > 0


class _Sleepy(RegressorMixin, BaseEstimator):
    """Costs 20 ms per call whatever the size: single rows slow, batches fast per row."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        time.sleep(0.02)
        return np.zeros(len(X))


def test_a_planted_delay_is_measured(credit):
    r = measure_latency(_Sleepy(), credit.X_test, repeats=5, batch_sizes=(100, 1000),
                        batch_repeats=1)
    assert r.single_p50_ms >= 19.0
    assert r.rows_per_second[1000] > 5 * r.rows_per_second[100]
    assert r.method == "predict"


@pytest.mark.parametrize("kw, match", [({"repeats": 0}, "repeats must be a positive"),
                                       ({"rows": 0}, "at least one row")])
def test_bad_arguments(credit, kw, match):
    X = credit.X_test.head(kw.pop("rows", 5))
    with pytest.raises(ValueError, match=match):
        measure_latency(_Sleepy(), X, **kw)
