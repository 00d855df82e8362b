"""Reference statistics: what they hold, that they are JSON, that chunks merge."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.monitoring.conftest import make_reference

from mlsprint.monitoring import PREDICTION, fit_calibration, merge_column_stats
from mlsprint.monitoring.reference import column_stats, prediction_values


def test_reference_holds_every_feature_prediction_and_target(adult_pair) -> None:
    ref, _ = adult_pair
    target = np.where(ref["hours-per-week"] > 40, "1", "0")
    proba = np.column_stack([np.full(len(ref), 0.3), np.full(len(ref), 0.7)])
    reference, contract = make_reference(
        ref, predictions=proba, task="binary", target="label", target_values=target,
        classes_from=target, importance={"age": 0.5}, sample_rows=1000)
    assert set(reference["columns"]) == set(ref.columns) | {PREDICTION, "label"}
    assert reference["columns"]["label"]["role"] == "target"
    pred = reference["columns"][PREDICTION]
    assert pred["kind"] == "numeric" and pred["max"] == pytest.approx(0.7)
    age = reference["columns"]["age"]
    assert sum(age["counts"]) + age["n_missing"] == len(ref)
    assert len(age["sample"]) == 1000
    assert age["edges"] == pytest.approx(np.unique(np.quantile(ref["age"], np.arange(1, 10) / 10)))
    work = reference["columns"]["workclass"]
    assert work["n_missing"] == int(ref["workclass"].isna().sum()) > 0
    assert work["levels"]["Private"] == int((ref["workclass"] == "Private").sum())
    assert reference["importance"] == {"age": 0.5}
    assert json.loads(json.dumps(reference, allow_nan=False)) == reference


def test_sample_is_seeded_shared_across_columns_and_keeps_all_rows_when_small(adult_pair) -> None:
    ref, _ = adult_pair
    a, _ = make_reference(ref, sample_rows=200)
    b, _ = make_reference(ref, sample_rows=200)
    assert a["columns"]["age"]["sample"] == b["columns"]["age"]["sample"]
    full, _ = make_reference(ref.head(150), sample_rows=200)
    assert full["columns"]["age"]["sample"] == ref["age"].head(150).astype(float).tolist()
    rows = ref.index[ref["age"].isin(a["columns"]["age"]["sample"])]
    assert len(rows) >= 200  # the sampled values are real rows of the column


def test_chunked_statistics_merge_to_the_whole() -> None:
    x = pd.Series(np.r_[np.random.default_rng(0).normal(size=999), [np.nan]])
    whole = column_stats(x, "numeric")
    edges = np.asarray(whole["edges"])
    parts = [column_stats(x[i:i + 250], "numeric", edges=edges) for i in range(0, 1000, 250)]
    merged = parts[0]
    for part in parts[1:]:
        merged = merge_column_stats(merged, part)
    assert merged["counts"] == whole["counts"]
    assert merged["n_missing"] == 1
    assert merged["sum"] == pytest.approx(whole["sum"])
    cats = pd.Series(["a", "b", None, "a", "c"])
    merged_cat = merge_column_stats(column_stats(cats[:2], "categorical"),
                                    column_stats(cats[2:], "categorical"))
    assert merged_cat["levels"] == {"a": 2, "b": 1, "c": 1}
    with pytest.raises(ValueError, match="kind and bin edges agree"):
        merge_column_stats(whole, column_stats(x, "numeric", edges=edges[:3]))


def test_prediction_values_by_task() -> None:
    proba = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    labels, kind = prediction_values(proba, task="multiclass", classes=("a", "b", "c"))
    assert kind == "categorical" and labels.tolist() == ["b", "a"]
    pos, kind = prediction_values(proba[:, :2], task="binary", classes=("n", "y"),
                                  positive_class="y")
    assert kind == "numeric" and pos.tolist() == [0.5, 0.3]


def test_fit_calibration_is_sklearn_isotonic() -> None:
    from sklearn.isotonic import IsotonicRegression

    rng = np.random.default_rng(0)
    p = rng.random(2000)
    y = np.where(rng.random(2000) < p ** 2, "yes", "no")
    cal = fit_calibration(y, p, positive_class="yes")
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(p, y == "yes")
    grid = np.linspace(0, 1, 101)
    assert np.interp(grid, cal["x"], cal["y"]) == pytest.approx(iso.predict(grid))
