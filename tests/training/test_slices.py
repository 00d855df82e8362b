"""Error analysis by slice: oracles (statsmodels, sklearn) and a planted bad slice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix
from statsmodels.stats.proportion import proportion_confint

from mlsprint.data.contract import infer_contract
from mlsprint.errors import DataError
from mlsprint.spec import parse_spec
from mlsprint.training import analyse_errors
from mlsprint.training.slices import wilson_interval


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (17, 250), (1, 1)])
def test_wilson_matches_statsmodels(k: int, n: int) -> None:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((low, high))


def _planted(seed: int = 0, n: int = 2000):
    """Binary data where region == 'north' and income in the top bin are mispredicted."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "region": rng.choice(["north", "south", "east", "west"], n),
        "income": rng.gamma(2.0, 20_000, n),
        "noise": rng.normal(size=n),
        "y": rng.choice(["yes", "no"], n),
    })
    wrong = rng.random(n) < np.where(df["region"] == "north", 0.45, 0.08)
    truth = (df["y"] == "yes").to_numpy()
    proba = np.where(truth ^ wrong, 0.8, 0.2) + rng.normal(0, 0.05, n)
    spec = parse_spec({"name": "p", "task": {"type": "binary", "positive_class": "yes"},
                       "data": {"source": "d.csv", "target": "y"}})
    return df, spec, infer_contract(df, spec), np.clip(proba, 0, 1)


def test_planted_bad_slice_ranks_first_with_an_honest_interval() -> None:
    df, spec, contract, proba = _planted()
    report = analyse_errors(df.drop(columns="y"), df["y"], proba, contract=contract, spec=spec)
    worst = report.worst[0]
    assert worst.feature.startswith("region") and "north" in worst.value
    north = df["region"] == "north"
    pred = np.where(proba >= 0.5, "yes", "no")
    rate = float((pred[north] != df["y"][north]).mean())
    single = next(s for s in report.slices if s.feature == "region" and s.value == "north")
    assert single.error == pytest.approx(rate) and single.size == int(north.sum())
    errors = int((pred[north] != df["y"][north]).sum())
    assert (single.ci_low, single.ci_high) == pytest.approx(
        proportion_confint(errors, int(north.sum()), method="wilson"))
    assert any(" × " in s.feature for s in report.slices)  # pairs of features
    income_bins = {s.value for s in report.slices if s.feature == "income"}
    assert len(income_bins) == 5
    assert report.overall_metric is not None and 0.5 < report.overall_metric <= 1


def test_confusion_matrix_matches_sklearn_and_threshold_is_used() -> None:
    df, spec, contract, proba = _planted(seed=1, n=500)
    report = analyse_errors(df.drop(columns="y"), df["y"], proba, contract=contract,
                            spec=spec, threshold=0.7)
    pred = np.where(proba >= 0.7, "yes", "no")
    expected = confusion_matrix(df["y"], pred, labels=["no", "yes"])
    assert report.labels == ("no", "yes")
    assert np.array_equal(np.array(report.confusion), expected)
    assert report.to_dict()["threshold"] == 0.7


def test_regression_residuals_and_nan_rows_left_out() -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"size": rng.uniform(50, 250, 400),
                       "kind": rng.choice(["flat", "house"], 400)})
    df["price"] = df["size"] * 1000 + np.where(df["kind"] == "house", 20_000, 0)
    pred = df["size"].to_numpy() * 1000.0  # misses the house premium
    pred[:10] = np.nan
    spec = parse_spec({"name": "p", "task": {"type": "regression"},
                       "data": {"source": "d.csv", "target": "price"}})
    report = analyse_errors(df.drop(columns="price"), df["price"], pred,
                            contract=infer_contract(df, spec), spec=spec, min_size=20)
    assert report.n_rows == 390 and report.error_name == "mae"
    assert report.worst[0].feature == "kind" and report.worst[0].value == "house"
    assert report.worst[0].error == pytest.approx(20_000)
    residual = df["price"].to_numpy()[10:] - pred[10:]
    assert report.residual_summary["mae"] == pytest.approx(np.abs(residual).mean())
    assert len(report.residual_sample) == 390


def test_refuses_misaligned_or_empty_predictions() -> None:
    df, spec, contract, proba = _planted(n=100)
    with pytest.raises(DataError, match="one row each"):
        analyse_errors(df.drop(columns="y"), df["y"], proba[:50], contract=contract,
                       spec=spec)
    with pytest.raises(DataError, match="no finite prediction"):
        analyse_errors(df.drop(columns="y"), df["y"], np.full(100, np.nan),
                       contract=contract, spec=spec)
