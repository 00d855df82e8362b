"""Group labels: quantile bands match pandas' qcut, spec bins are honoured, pairs joined."""

from __future__ import annotations

import numpy as np
import pandas as pd

from conftest import read_dataset
from mlsprint.fairness import MISSING, group_labels, intersections


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
