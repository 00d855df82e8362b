"""Group labels: quantile bands match pandas' qcut, spec bins are honoured, pairs joined."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.conftest import read_dataset
from mlsprint.fairness import MISSING, group_labels, intersections, protected_bins
from mlsprint.spec import parse_spec


def test_numeric_attributes_fall_into_quartile_bands():
    age = read_dataset("german_credit")[["age"]]
    labels = group_labels(age)["age"]
    assert labels.nunique() == 4
    # same partition as pandas' quartiles (left-closed bands here, right-closed in qcut)
    edges = np.quantile(age["age"], [0.25, 0.5, 0.75])
    expected = np.searchsorted(edges, age["age"], side="right")
    codes = pd.Categorical(labels).codes
    mapping = pd.crosstab(codes, expected)
    assert ((mapping > 0).sum(axis=1) == 1).all()  # each label is exactly one band
    counts = labels.value_counts()
    assert counts.min() > 0.15 * len(age)


def test_spec_bins_missing_values_and_categories():
    df = read_dataset("adult", nrows=3000)
    sub = df[["age", "sex", "workclass"]]
    labels = group_labels(sub, bins={"age": [25, 45, 65]})
    assert set(labels["age"]) == {"< 25", "[25, 45)", "[45, 65)", ">= 65"}
    assert (labels["age"][df["age"] == 45] == "[45, 65)").all()
    assert set(labels["sex"]) == {"Male", "Female"}
    assert (labels["workclass"] == MISSING).sum() == df["workclass"].isna().sum() > 0


def test_intersections_pair_every_two_attributes():
    labels = pd.DataFrame({"sex": ["F", "M"], "race": ["A", "B"], "age": ["<30", ">=30"]})
    out = intersections(labels)
    assert list(out) == ["sex", "race", "age", "sex & race", "sex & age", "race & age"]
    assert out["sex & race"].tolist() == ["F & A", "M & B"]


def test_bins_come_from_the_spec():
    spec = parse_spec({"name": "a", "task": {"type": "binary", "positive_class": ">50K"},
                       "data": {"source": "adult.csv.gz", "target": "income", "columns": {
                           "protected": [{"name": "age", "bins": [30, 50]}, {"name": "sex"}]}}})
    assert protected_bins(spec) == {"age": [30.0, 50.0], "sex": None}
    df = read_dataset("adult", nrows=500)
    labels = group_labels(df[["age", "sex"]], bins=protected_bins(spec))
    assert set(labels["age"]) == {"< 30", "[30, 50)", ">= 50"}


def test_bands_sort_by_their_lower_edge():
    from mlsprint.fairness import group_sort_key

    labels = [">= 42", "(missing)", "[27, 34)", "< 27", "[7.5, 9)"]
    assert sorted(labels, key=group_sort_key) == [
        "< 27", "[7.5, 9)", "[27, 34)", ">= 42", "(missing)"]
    pairs = ["Male & >= 42", "Female & >= 42", "Female & < 27"]
    assert sorted(pairs, key=group_sort_key) == [
        "Female & < 27", "Female & >= 42", "Male & >= 42"]
