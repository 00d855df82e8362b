"""infer_roles on every real dataset of ../shared/data, and its detectors on planted cases."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from conftest import read_dataset
from mlsprint.data.roles import (
    infer_roles,
    infer_task,
    is_free_text,
    is_id_like,
    looks_like_datetime,
    positive_class_of,
    protected_reason,
    tokens,
    weight_reason,
)
from mlsprint.errors import DataError

dataset = cache(read_dataset)  # full tables, read with the README's options


# What the README documents, written out per dataset. Decisions where the README leaves
# room: bank_marketing's `month`/`day` have no year, so there is no time column (the rows
# are in time order; a note says so and they stay features); elec2's normalised `date`
# grows with the row order, so it is the time column; `EDUCATION` in credit_default is
# not flagged (education is not a protected ground), nor is adult's `relationship`.
EXPECTED = {
    "bank_marketing": dict(target="y", task="binary", kind="string", positive="yes",
                           id=(), time=(), protected={"age", "marital"}),
    "adult": dict(target="income", task="binary", kind="string", positive=">50K", id=(),
                  time=(), protected={"sex", "race", "age", "marital-status",
                                      "native-country"}, weight="fnlwgt"),
    "compas": dict(target="two_year_recid", task="binary", kind="integer", positive=1,
                   id=("id",), time={"compas_screening_date", "c_jail_in", "c_jail_out",
                                     "c_offense_date", "c_arrest_date", "r_offense_date",
                                     "r_jail_in", "r_jail_out", "vr_offense_date",
                                     "screening_date", "v_screening_date", "in_custody",
                                     "out_custody"},
                   protected={"race", "sex", "age", "age_cat"},
                   constant={"violent_recid", "type_of_assessment", "v_type_of_assessment"}),
    "german_credit": dict(target="class", task="binary", kind="string", positive="bad",
                          id=(), time=(),
                          protected={"personal_status", "age", "foreign_worker"}),
    "credit_default": dict(target="default_payment_next_month", task="binary",
                           kind="integer", positive=1, id=("ID",), time=(),
                           protected={"SEX", "AGE", "MARRIAGE"}),
    "dry_bean": dict(target="Class", task="multiclass", kind="string", id=(), time=(),
                     protected=set(), n_classes=7),
    "bike_sharing_hourly": dict(target="cnt", task="regression", kind="integer",
                                id=("instant",), time=("dteday",), protected=set()),
    "ames_housing": dict(target="SalePrice", task="regression", kind="integer",
                         id=("Order", "PID"), time=("Yr Sold", "Mo Sold"), protected=set()),
    "elec2": dict(target="class", task="binary", kind="string", positive="UP", id=(),
                  time=("date",), protected=set()),
    "diabetes_130us": dict(target="readmitted", task="multiclass", kind="string",
                           id=("encounter_id", "patient_nbr"), time=(),
                           protected={"race", "gender", "age"},
                           constant={"examide", "citoglipton"}, n_classes=3,
                           group="patient_nbr"),
}


def test_every_shared_dataset_has_expectations(shared_data):
    names = {p.name.removesuffix(".csv.gz") for p in shared_data.glob("*.csv.gz")}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_infer_roles_matches_the_readme(name):
    exp = EXPECTED[name]
    roles = infer_roles(dataset(name), exp["target"])
    assert (roles.task, roles.target_kind) == (exp["task"], exp["kind"])
    assert roles.positive_class == exp.get("positive")
    assert roles.id == exp["id"]
    time = exp["time"]
    assert (set(roles.time) if isinstance(time, set) else roles.time) == time
    assert set(roles.protected) == exp["protected"]
    assert set(roles.constant) == exp.get("constant", set())
    assert roles.weight == exp.get("weight")
    assert roles.group == exp.get("group")
    assert roles.text == ()
    if "n_classes" in exp:
        assert len(roles.classes) == exp["n_classes"]
    flagged = set(roles.id) | set(roles.time) | set(roles.protected) | set(roles.constant)
    assert flagged <= set(roles.reasons), "every flagged column says why"
    assert exp["target"] not in flagged


def test_bank_marketing_note_says_rows_are_time_ordered():
    roles = infer_roles(dataset("bank_marketing"), "y")
    assert any("'month' is a month without a year" in n for n in roles.notes)


def test_compas_primary_time_column_is_complete():
    roles = infer_roles(dataset("compas"), "two_year_recid")
    assert dataset("compas")[roles.time[0]].notna().all()


def test_diabetes_coded_id_columns_are_not_ids():
    df = dataset("diabetes_130us")
    assert not is_id_like(df["admission_type_id"], "admission_type_id")  # 8 coded levels
    assert weight_reason("weight", df["weight"]) is None  # body weight bands, not weights


def test_task_override_and_errors():
    df = dataset("german_credit")
    assert infer_roles(df, "class", task="multiclass").positive_class is None
    assert infer_roles(df, "credit_amount").task == "regression"
    assert infer_roles(df, "installment_commitment").task == "multiclass"
    with pytest.raises(DataError, match=r"'Class' is not in the data \(did you mean 'class'\?\)"):
        infer_roles(df, "Class")
    with pytest.raises(DataError, match=r"a binary task needs 2 classes in 'purpose', found 10"):
        infer_roles(df, "purpose", task="binary")
    with pytest.raises(DataError, match=r"regression target must be numeric; 'class'"):
        infer_roles(df, "class", task="regression")
    with pytest.raises(DataError, match=r"target 'k' has a single value \(\[1\]\)"):
        infer_roles(pd.DataFrame({"k": [1, 1, 1], "x": [1, 2, 3]}), "k")


def test_to_dict_is_plain_json():
    import json

    roles = infer_roles(dataset("compas"), "two_year_recid")
    back = json.loads(json.dumps(roles.to_dict()))
    assert back["classes"] == [0, 1] and back["positive_class"] == 1


@pytest.mark.parametrize(("values", "expected"), [
    ([0, 1, 1, 1], 1), (["no", "yes", "no"], "yes"), ([True, False, False], True),
    (["good"] * 7 + ["bad"] * 3, "bad"), (["b", "a", "a"], "b"), (["a", "b"], "a"),
])
def test_positive_class(values, expected):
    assert positive_class_of(pd.Series(values)) == expected


@pytest.mark.parametrize(("values", "task"), [
    ([0.5, 1.5, 2.5, 3.5], "regression"), (list(range(30)), "regression"),
    ([1, 2, 3, 1], "multiclass"), (["a", "b", "c"], "multiclass"), ([1.0, 2.0], "binary"),
])
def test_infer_task(values, task):
    assert infer_task(pd.Series(values)) == task


def test_id_detectors_on_planted_columns():
    n = 50
    assert is_id_like(pd.Series(np.arange(1, n + 1)), "Order")  # consecutive
    assert is_id_like(pd.Series([f"C{i:05d}" for i in range(n)]), "customer")  # unique codes
    assert is_id_like(pd.Series(list(range(30)) * 2), "patient_nbr")  # named, 50 % distinct
    assert not is_id_like(pd.Series(np.linspace(0, 1, n)), "ratio")  # floats are measures
    assert not is_id_like(pd.Series(np.arange(n) * 7 + 3), "amount")  # unique, few rows
    assert not is_id_like(pd.Series([1, 2] * 25), "user_id")  # named but 2 values


@pytest.mark.parametrize(("values", "expected"), [
    (["2011-01-01", "2011-01-02"], True), (["2013-08-13 06:03:42", None], True),
    (["08/14/2013", "12/31/2013"], True), (["14.08.2013", "31.12.2013"], True),
    (["Jan 5, 2020", "Feb 11, 2021"], True), (["20200101", "20201231"], True),
    (["250.83", "276", "V27"], False), (["1-2", "3-4"], False), (["may", "jun"], False),
    ([20200101, 20201231], False), (["1.2.3", "2.0.1", "10.4.7"], False),
    (["192.168.1.1", "10.0.0.1"], False),
])
def test_looks_like_datetime(values, expected):
    assert looks_like_datetime(pd.Series(values)) is expected


def test_datetime_dtype_is_datetime():
    assert looks_like_datetime(pd.Series(pd.date_range("2020-01-01", periods=3)))


def test_free_text():
    notes = pd.Series([f"the customer asked about order {i} and a refund" for i in range(40)])
    assert is_free_text(notes)
    assert not is_free_text(pd.Series(["critical/other existing credit", "existing paid"] * 20))
    assert infer_roles(pd.DataFrame({"note": notes, "y": [0, 1] * 20}), "y").text == ("note",)


@pytest.mark.parametrize(("name", "values", "hit"), [
    ("sex", None, "sex"), ("Gender", None, "gender"), ("age_cat", None, "age"),
    ("MARRIAGE", None, "marital status"), ("native-country", None, "nationality"),
    ("personal_status", None, "sex and marital status"), ("religion", None, "religion"),
    ("has_disability", None, "disability"), ("col7", ["Male", "Female"], "sex"),
    ("group", ["White", "Black", "Asian"], "race"),
    ("Average", None, None), ("garage", None, None), ("wage", None, None),
    ("c_charge_degree", ["F", "M"], None),
])
def test_protected_reason(name, values, hit):
    series = pd.Series(values) if values else None
    reason = protected_reason(name, series)
    assert (reason is None) if hit is None else (hit in reason)


def test_tokens_split_camel_case_and_separators():
    assert tokens("CustomerID") == ["customer", "id"]
    assert tokens("Yr Sold") == ["yr", "sold"]


def test_year_built_is_a_feature_but_year_sold_is_time():
    df = dataset("ames_housing")
    roles = infer_roles(df, "SalePrice")
    assert "Year Built" not in roles.time and "Garage Yr Blt" not in roles.time
    assert "Yr Sold" in roles.reasons and "2006-2010" in roles.reasons["Yr Sold"]


def test_birth_dates_are_protected_not_time():
    df = pd.DataFrame({"date_of_birth": pd.date_range("1950-01-01", periods=40, freq="90D"),
                       "signup": pd.date_range("2020-01-01", periods=40).astype(str),
                       "y": [0, 1] * 20})
    roles = infer_roles(df, "y")
    assert roles.time == ("signup",) and roles.protected == ("date_of_birth",)


def test_non_string_and_duplicate_column_names():
    df = pd.DataFrame({0: range(40), 1: [0, 1] * 20})
    assert infer_roles(df, "1").id == ("0",)
    dup = pd.concat([df, df[[0]]], axis=1).rename(columns=str)
    with pytest.raises(DataError, match=r"duplicate column names \['0'\]; rename them"):
        infer_roles(dup, "1")


def test_weight_reason_needs_non_negative_complete_numbers():
    assert weight_reason("fnlwgt", pd.Series([1.5, 2.0])) is not None
    assert weight_reason("sample_weight", pd.Series([1.0, -1.0])) is None
    assert weight_reason("weight", pd.Series([1.0, None])) is None
    assert weight_reason("height", pd.Series([1.0, 2.0])) is None
