"""check_spec_against_data: bad specs against real data, bad data against good specs."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import read_dataset
from mlsprint.data.checks import check_spec_against_data
from mlsprint.data.roles import infer_roles
from mlsprint.spec import parse_spec
from mlsprint.spec.render import render_spec

dataset = cache(read_dataset)
F = "mlsprint.yaml"
D = "data/german_credit.csv"


def german() -> pd.DataFrame:
    return dataset("german_credit").copy()


def spec_of(task=None, data=None, **sections):
    raw = {"name": "g", "task": task or {"type": "binary", "positive_class": "bad"},
           "data": {"source": D, "target": "class", **(data or {})}, **sections}
    return parse_spec(raw)


def with_column(name, values):
    df = german()
    df[name] = values
    return df


N = 1000
CASES = {
    "target_with_trailing_space": (
        spec_of(data={"target": "class "}), german(),
        f"{F}: data.target: column 'class ' is not in {D} (did you mean 'class'?)"),
    "id_column_missing": (
        spec_of(data={"columns": {"id": ["ID"]}}), german(),
        f"{F}: data.columns.id[0]: column 'ID' is not in {D}"),
    "protected_column_misspelt": (
        spec_of(data={"columns": {"protected": [{"name": "foreign_workers"}]}}), german(),
        f"{F}: data.columns.protected[0].name: column 'foreign_workers' is not in {D} "
        "(did you mean 'foreign_worker'?)"),
    "time_column_missing": (
        spec_of(data={"columns": {"time": ["date"]}}), german(),
        f"{F}: data.columns.time[0]: column 'date' is not in {D}"),
    "group_column_missing": (
        spec_of(data={"columns": {"group": "customer"}}), german(),
        f"{F}: data.columns.group: column 'customer' is not in {D}"),
    "exclude_column_wrong_case": (
        spec_of(data={"columns": {"exclude": ["Duration"]}}), german(),
        f"{F}: data.columns.exclude[0]: column 'Duration' is not in {D} "
        "(did you mean 'duration'?)"),
    "dtype_for_unknown_column": (
        spec_of(data={"dtypes": {"zip": "str"}}), german(),
        f"{F}: data.dtypes.zip: column 'zip' is not in {D}"),
    "weight_column_missing": (
        spec_of(data={"weight_column": "fnlwgt"}), german(),
        f"{F}: data.weight_column: column 'fnlwgt' is not in {D}"),
    "weight_not_numeric": (
        spec_of(data={"weight_column": "job"}), german(),
        f"{F}: data.weight_column: column 'job' holds str values such as ['skilled', "
        "'unskilled resident', 'high qualif/self emp/mgmt']; sample weights must be numbers "
        ">= 0: pick a numeric column or remove it"),
    "weight_negative": (
        spec_of(data={"weight_column": "w"}), with_column("w", [-2.0] + [1.0] * (N - 1)),
        f"{F}: data.weight_column: column 'w' has 1 negative values (min -2.0); weights "
        "must be >= 0"),
    "weight_with_missing_values": (
        spec_of(data={"weight_column": "w"}), with_column("w", [np.nan] * 3 + [1.0] * (N - 3)),
        f"{F}: data.weight_column: column 'w' has 3 missing values; fill them or drop those "
        "rows"),
    "weight_is_target": (
        spec_of(task={"type": "regression"}, data={"target": "credit_amount",
                                                    "weight_column": "credit_amount"}),
        german(),
        f"{F}: data.weight_column: 'credit_amount' is the target; a target cannot also have "
        "this role; remove it here"),
    "target_constant": (
        spec_of(), with_column("class", ["good"] * N),
        f"{F}: data.target: column 'class' has a single value ['good'] (0 missing); nothing "
        "to learn: pick another target"),
    "binary_with_four_classes": (
        spec_of(task={"type": "binary", "positive_class": "<0"},
                data={"target": "checking_status"}), german(),
        f"{F}: task.type: binary needs 2 classes in 'checking_status', found 4 (['0<=X<200',"
        " '<0', '>=200', 'no checking']); use type: multiclass"),
    "positive_class_not_a_value": (
        spec_of(task={"type": "binary", "positive_class": "Bad"}), german(),
        f"{F}: task.positive_class: 'Bad' is not a value of 'class' (values seen: ['bad', "
        "'good']) (did you mean 'bad'?); set it to one of them"),
    "positive_class_quoted_number": (
        spec_of(task={"type": "binary", "positive_class": "1"}, data={"target": "t"}),
        with_column("t", [0, 1] * (N // 2)),
        f"{F}: task.positive_class: '1' is not a value of 't' (values seen: [0, 1]); the "
        "data holds 1: write positive_class: 1"),
    "class_too_rare_for_folds": (
        spec_of(task={"type": "multiclass"}, data={"target": "purpose"},
                split={"n_folds": 10}), german(),
        f"{F}: data.target: class 'retraining' of 'purpose' has 9 rows, fewer than "
        "split.n_folds (10); merge rare classes or lower n_folds"),
    "positive_class_on_multiclass": (
        spec_of(task={"type": "multiclass", "positive_class": "radio/tv"},
                data={"target": "purpose"}), german(),
        f"{F}: task.positive_class: 'radio/tv' is set, but a multiclass task has no "
        "positive class; remove it"),
    "regression_on_strings": (
        spec_of(task={"type": "regression"}, data={"target": "purpose"}), german(),
        f"{F}: task.type: regression needs a numeric target; 'purpose' holds str values "
        "such as ['radio/tv', 'education', 'furniture/equipment']; use type: binary or "
        "multiclass, or fix data.target"),
    "multiclass_on_amounts": (
        spec_of(task={"type": "multiclass"}, data={"target": "credit_amount"}), german(),
        f"{F}: task.type: multiclass, but 'credit_amount' has 921 distinct values; did you "
        "mean regression?"),
    "time_column_not_dates": (
        spec_of(data={"columns": {"time": ["purpose"]}}), german(),
        f"{F}: data.columns.time[0]: column 'purpose' does not hold parseable dates (values "
        "such as ['radio/tv', 'education', 'furniture/equipment']); expected dates like "
        "2024-01-31; fix the column or remove it from time"),
    "stratified_regression": (
        spec_of(task={"type": "regression"}, data={"target": "credit_amount"},
                split={"strategy": "stratified"}), german(),
        f"{F}: split.strategy: stratified needs classes, but the task is regression; use "
        "auto, random, temporal or group"),
    "too_few_rows": (
        spec_of(), german().iloc[[0, 1, 2, 3, 4, 5, 6, 8]],
        f"{F}: data.source: {D} has 8 rows, too few for a 0.2 holdout and 5 folds; add "
        "data or lower split.n_folds"),
    "empty_table": (
        spec_of(), german().iloc[:0],
        f"{F}: data.source: {D} has no rows; point the spec at a table with data"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_problem_message(case):
    spec, df, message = CASES[case]
    assert message in check_spec_against_data(spec, df, spec_file=F, data_name=D)


def test_duplicate_column_names():
    df = german()
    df = pd.concat([df, df[["age"]]], axis=1)
    assert check_spec_against_data(spec_of(), df, data_name=D) == [
        f"{F}: data.source: {D} has duplicate column names ['age']; rename them so each "
        "is unique"]


def test_every_problem_is_reported_at_once():
    spec = spec_of(task={"type": "binary", "positive_class": "Bad"},
                   data={"columns": {"id": ["ID"], "time": ["date"]}})
    problems = check_spec_against_data(spec, german(), data_name=D)
    assert [p.split(": ")[1] for p in problems] == [
        "data.columns.id[0]", "data.columns.time[0]", "task.positive_class"]


def test_positive_class_matches_numbers_across_int_and_float():
    df = with_column("t", [0.0, 1.0, np.nan, 1.0] * (N // 4))
    spec = spec_of(task={"type": "binary", "positive_class": 1}, data={"target": "t"})
    assert check_spec_against_data(spec, df, data_name=D) == []


def test_numeric_and_parsed_time_columns_pass():
    df = with_column("when", pd.date_range("2020-01-01", periods=N).strftime("%Y-%m-%d"))
    df["year"] = 2020
    spec = spec_of(data={"columns": {"time": ["when", "year"]}})
    assert check_spec_against_data(spec, df, data_name=D) == []


READ = {"ames_housing": {"na_values": [""], "keep_default_na": False},
        "diabetes_130us": {"na_values": ["?"], "keep_default_na": False}}
TARGETS = {"adult": "income", "ames_housing": "SalePrice", "bank_marketing": "y",
           "bike_sharing_hourly": "cnt", "compas": "two_year_recid",
           "credit_default": "default_payment_next_month", "diabetes_130us": "readmitted",
           "dry_bean": "Class", "elec2": "class", "german_credit": "class"}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_init_output_passes_check_on_every_dataset(name):
    df = dataset(name)
    roles = infer_roles(df, TARGETS[name])
    text = render_spec(name=name, data_source=f"{name}.csv.gz", target=TARGETS[name],
                       roles=roles, **READ.get(name, {}))
    spec = parse_spec(yaml.safe_load(text))
    assert check_spec_against_data(spec, df, data_name=name) == []


def test_temporal_by_row_order_and_group_from_profiling_are_allowed():
    for strategy in ("temporal", "group"):
        assert check_spec_against_data(spec_of(split={"strategy": strategy}), german(),
                                       data_name=D) == []
