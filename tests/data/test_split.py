"""Splits on real data: groups never straddle, the temporal holdout is the latest period,
stratification keeps class rates, and the automatic choice gives its reason."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)

from conftest import read_dataset
from mlsprint.data.split import (
    STRATIFIED_GROUP_LIMIT,
    SplitPlan,
    choose_split,
    cv_splitter,
    split_holdout,
)
from mlsprint.errors import DataError, SpecError
from mlsprint.spec import ProjectSpec, parse_spec

dataset = cache(read_dataset)


# pandas 3 deprecations (Pandas4Warning) are DeprecationWarnings: fail on them here
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


def _spec(task: dict, target: str, split: dict | None = None, **columns) -> ProjectSpec:
    return parse_spec({"name": "t", "task": task, "split": split or {},
                       "data": {"source": "d.csv", "target": target, "columns": columns}})


BINARY = {"type": "binary", "positive_class": "yes"}


def test_diabetes_group_split_shares_no_patient() -> None:
    df = dataset("diabetes_130us", 20000)
    spec = _spec({"type": "multiclass"}, "readmitted")
    plan = choose_split(spec, df["readmitted"], group_column="patient_nbr")
    assert (plan.strategy, plan.column) == ("group", "patient_nbr")
    assert "patient_nbr" in plan.reason
    train, holdout = split_holdout(df, plan, target="readmitted", random_state=0)
    patients = df["patient_nbr"].to_numpy()
    assert not set(patients[train]) & set(patients[holdout])
    assert len(train) + len(holdout) == len(df)
    assert len(holdout) / len(df) == pytest.approx(0.2, abs=0.02)
    splitter, uses_groups = cv_splitter(plan, n_rows=len(train), random_state=0,
                                        n_groups=len(set(patients[train])))
    assert uses_groups and isinstance(splitter, GroupKFold)
    for fit_rows, val_rows in splitter.split(train, groups=patients[train]):
        assert not set(patients[train][fit_rows]) & set(patients[train][val_rows])


def test_group_split_with_few_groups_is_stratified() -> None:
    df = dataset("diabetes_130us", 20000)
    few = df[df["patient_nbr"].isin(df["patient_nbr"].unique()[:800])].reset_index()
    plan = choose_split(_spec({"type": "multiclass"}, "readmitted", group="patient_nbr"),
                        few["readmitted"])
    assert plan.strategy == "group"
    splitter, _ = cv_splitter(plan, n_rows=len(few), random_state=0, n_groups=800)
    assert isinstance(splitter, StratifiedGroupKFold) and 800 <= STRATIFIED_GROUP_LIMIT
    train, holdout = split_holdout(few, plan, target="readmitted", random_state=0)
    assert not set(few["patient_nbr"].iloc[train]) & set(few["patient_nbr"].iloc[holdout])


def test_elec2_temporal_holdout_is_the_latest_rows_after_a_gap() -> None:
    df = dataset("elec2")
    spec = _spec({"type": "binary", "positive_class": "UP"}, "class", {"gap": 48})
    plan = choose_split(spec, df["class"], time_ordered=True)
    assert (plan.strategy, plan.column, plan.gap) == ("temporal", None, 48)
    train, holdout = split_holdout(df, plan, target="class", random_state=0)
    n_hold = int(np.ceil(0.2 * len(df)))
    assert holdout.tolist() == list(range(len(df) - n_hold, len(df)))
    assert train.tolist() == list(range(len(df) - n_hold - 48))
    splitter, uses_groups = cv_splitter(plan, n_rows=len(train), random_state=0)
    assert isinstance(splitter, TimeSeriesSplit) and splitter.gap == 48 and not uses_groups


def test_bike_temporal_split_by_date_column_keeps_every_holdout_day_later() -> None:
    df = dataset("bike_sharing_hourly").sample(frac=1.0, random_state=1)  # rows shuffled
    plan = choose_split(_spec({"type": "regression"}, "cnt", time=["dteday"]), df["cnt"])
    assert (plan.strategy, plan.column) == ("temporal", "dteday")
    train, holdout = split_holdout(df, plan, target="cnt", random_state=0)
    days = pd.to_datetime(df["dteday"]).to_numpy()
    assert days[train].max() < days[holdout].min()  # a day never straddles the cut
    assert (np.diff(days[train].astype("int64")) >= 0).all()  # train comes in time order
    assert len(train) + len(holdout) == len(df)


def test_stratified_holdout_keeps_the_class_rate() -> None:
    df = dataset("bank_marketing")
    plan = choose_split(_spec(BINARY, "y"), df["y"])
    assert plan.strategy == "stratified" and "11.7%" in plan.reason
    train, holdout = split_holdout(df, plan, target="y", random_state=3)
    rate = (df["y"] == "yes").mean()
    assert (df["y"].iloc[holdout] == "yes").mean() == pytest.approx(rate, abs=0.001)
    assert (df["y"].iloc[train] == "yes").mean() == pytest.approx(rate, abs=0.001)
    assert not set(train) & set(holdout)
    splitter, _ = cv_splitter(plan, n_rows=len(train), random_state=0)
    assert isinstance(splitter, StratifiedKFold) and splitter.n_splits == 5


def test_regression_without_time_or_groups_is_random() -> None:
    df = dataset("ames_housing")
    plan = choose_split(_spec({"type": "regression"}, "SalePrice"), df["SalePrice"])
    assert plan.strategy == "random" and not plan.stratify
    train, holdout = split_holdout(df, plan, target="SalePrice", random_state=0)
    again = split_holdout(df, plan, target="SalePrice", random_state=0)
    assert holdout.tolist() == again[1].tolist()  # seeded: the holdout is cut once
    assert len(holdout) == int(np.ceil(0.2 * len(df)))
    assert isinstance(cv_splitter(plan, n_rows=len(train), random_state=0)[0], KFold)


def test_spec_strategy_overrides_the_automatic_choice() -> None:
    spec = _spec(BINARY, "y", {"strategy": "random", "n_folds": 3}, time=["when"])
    plan = choose_split(spec, ["yes", "no"])
    assert plan.strategy == "random" and "split.strategy: random" in plan.reason
    assert plan.n_folds == 3
    assert json.loads(json.dumps(plan.to_dict()))["strategy"] == "random"


@pytest.mark.parametrize(("split", "columns", "error", "message"), [
    ({"strategy": "group"}, {}, SpecError, "no group column is known"),
])
def test_forced_strategy_errors(split, columns, error, message) -> None:
    with pytest.raises(error, match=message):
        choose_split(_spec(BINARY, "y", split, **columns), ["yes", "no"])


def test_stratified_regression_is_a_spec_error() -> None:
    spec = _spec({"type": "regression"}, "y", {"strategy": "stratified"})
    with pytest.raises(SpecError, match="needs a classification task"):
        choose_split(spec, [1.0, 2.0])


def test_data_errors_name_the_problem() -> None:
    df = pd.DataFrame({"x": range(6), "y": ["yes"] * 5 + ["no"]})
    plan = SplitPlan("stratified", None, "test", stratify=True)
    with pytest.raises(DataError, match="cannot cut a stratified holdout"):
        split_holdout(df, plan, target="y", random_state=0)
    with pytest.raises(DataError, match="a stratified split needs the target"):
        split_holdout(df, plan, target=None, random_state=0)
    with pytest.raises(DataError, match="too few rows for a temporal split"):
        split_holdout(df, SplitPlan("temporal", None, "test", gap=3), target="y",
                      random_state=0)
    with pytest.raises(DataError, match="group column 'pid' is not in the data"):
        split_holdout(df, SplitPlan("group", "pid", "test"), target="y", random_state=0)
    with pytest.raises(DataError, match="too few for 5-fold"):
        cv_splitter(SplitPlan("random", None, "test"), n_rows=6, random_state=0)


def test_missing_groups_are_singletons_and_missing_times_are_left_out() -> None:
    df = pd.DataFrame({"g": [1.0, 1.0, np.nan, np.nan] * 10, "y": range(40),
                       "t": pd.date_range("2020-01-01", periods=40).astype(object)})
    df.loc[5, "t"] = None
    train, holdout = split_holdout(df, SplitPlan("group", "g", "x"), target="y",
                                   random_state=0)
    assert len(train) + len(holdout) == 40 and len(holdout) >= 1
    train, holdout = split_holdout(df, SplitPlan("temporal", "t", "x"), target="y",
                                   random_state=0)
    assert 5 not in train and 5 not in holdout and len(train) + len(holdout) == 39


@pytest.mark.parametrize(("name", "target", "seed"), [("adult", "income", 0),
                                                      ("dry_bean", "Class", 7),
                                                      ("compas", "two_year_recid", 3)])
def test_stratified_holdout_draws_the_rows_scikit_learn_draws(name, target, seed) -> None:
    # Labels are stratified as sorted class codes (fast on a million rows); this must
    # select exactly the rows train_test_split selects on the labels themselves.
    df = dataset(name)
    plan = SplitPlan("stratified", None, "r", holdout_fraction=0.25, stratify=True)
    train, holdout = split_holdout(df, plan, target=target, random_state=seed)
    want_train, want_holdout = train_test_split(
        np.arange(len(df)), test_size=0.25, random_state=seed,
        stratify=df[target].astype(str).to_numpy())
    assert np.array_equal(train, np.sort(want_train))
    assert np.array_equal(holdout, np.sort(want_holdout))
