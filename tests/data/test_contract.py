"""The data contract: inferred from real rows, saved as JSON, every violation reported."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest

from conftest import read_dataset
from mlsprint.data.contract import DataContract, Violation, infer_contract, validate
from mlsprint.spec import parse_spec
from mlsprint.spec.model import ContractPolicy

dataset = cache(read_dataset)


def german_spec(**columns):
    return parse_spec({
        "name": "g", "task": {"type": "binary", "positive_class": "bad"},
        "data": {"source": "g.csv", "target": "class", "columns": {
            "protected": [{"name": "age"}, {"name": "personal_status"}], **columns}},
    })


@cache
def german_contract() -> DataContract:
    return infer_contract(dataset("german_credit"), german_spec(exclude=["own_telephone"]))


def rows() -> pd.DataFrame:
    """Ten training rows without target: a prediction request that breaks nothing."""
    return dataset("german_credit").drop(columns="class").head(10).reset_index(drop=True)


def test_columns_describe_the_training_rows():
    df, c = dataset("german_credit"), german_contract()
    amount = c["credit_amount"]
    assert (amount.kind, amount.role, amount.nullable, amount.missing_rate) == (
        "numeric", "feature", False, 0.0)
    assert (amount.min, amount.max) == (df["credit_amount"].min(), df["credit_amount"].max())
    assert amount.quantiles["0.5"] == pytest.approx(df["credit_amount"].median())
    assert amount.quantiles["0.95"] == pytest.approx(df["credit_amount"].quantile(0.95))
    purpose = c["purpose"]
    freq = df["purpose"].value_counts(normalize=True)
    assert purpose.kind == "categorical" and purpose.n_unique == 10
    assert purpose.categories == pytest.approx(freq.to_dict())
    assert c["class"].role == "target" and c["own_telephone"].role == "excluded"
    assert c["age"].protected and not c["duration"].protected
    assert c.classes == ("bad", "good") and c.positive_class == "bad"
    assert c.n_rows == 1000 and c.task == "binary"
    assert [f.name for f in c.features] == [n for n in df.columns
                                            if n not in ("class", "own_telephone")]


def test_missing_rate_and_datetime_range_on_compas():
    df = dataset("compas")
    spec = parse_spec({"name": "c", "task": {"type": "binary", "positive_class": 1},
                       "data": {"source": "c.csv", "target": "two_year_recid",
                                "columns": {"id": ["id"], "time": ["c_jail_in"]}}})
    c = infer_contract(df, spec)
    jail = c["c_jail_in"]
    assert (jail.kind, jail.role) == ("datetime", "time")
    assert jail.missing_rate == pytest.approx(307 / 7214) and jail.nullable
    stamps = pd.to_datetime(df["c_jail_in"])
    assert (jail.datetime_min, jail.datetime_max) == (stamps.min().isoformat(),
                                                      stamps.max().isoformat())
    assert c["id"].role == "id"


@pytest.mark.parametrize(("name", "target", "task"), [
    ("german_credit", "class", {"type": "binary", "positive_class": "bad"}),
    ("compas", "two_year_recid", {"type": "binary", "positive_class": 1}),
    ("adult", "income", {"type": "binary", "positive_class": ">50K"}),
    ("bike_sharing_hourly", "cnt", {"type": "regression"}),
])
def test_json_round_trip_is_identical(name, target, task):
    df = dataset(name).head(3000)
    spec = parse_spec({"name": "p", "task": task, "data": {"source": "d", "target": target}})
    contract = infer_contract(df, spec)
    text = contract.to_json()
    back = DataContract.from_json(text)
    assert back == contract
    assert back.to_json() == text
    json.loads(text)  # plain JSON: no NaN, no numpy types


def _by_kind(violations):
    return {(v.column, v.kind, v.level, v.row) for v in violations}


def test_training_rows_validate_cleanly():
    assert validate(dataset("german_credit"), german_contract()) == []


def test_missing_feature_rejects_but_target_and_excluded_may_be_absent():
    request = rows().drop(columns=["duration", "own_telephone"])
    assert _by_kind(validate(request, german_contract())) == {
        ("duration", "missing_column", "reject", None)}


def test_every_row_violation_has_its_row_column_and_level():
    request = rows()
    request.loc[2, "credit_amount"] = 10**9  # out of range
    request.loc[4, "purpose"] = "spaceship"  # unseen category
    request.loc[7, "purpose"] = "time machine"  # another one, same column
    request["age"] = request["age"].astype("float64")
    request.loc[6, "age"] = np.nan  # a null where training had none
    request["extra"] = 1  # an extra column
    found = validate(request, german_contract())
    assert _by_kind(found) == {
        ("extra", "extra_column", "warn", None),
        ("credit_amount", "out_of_range", "warn", 2),
        ("purpose", "unseen_category", "warn", 4),
        ("purpose", "unseen_category", "warn", 7),
        ("age", "unseen_null", "warn", 6),
    }
    out = next(v for v in found if v.kind == "out_of_range")
    assert out.value == 1e9 and "[250.0, 18424.0]" in out.message
    assert next(v for v in found if v.row == 7).value == "time machine"


def test_wrong_type_rejects_each_bad_row_and_the_others_are_still_checked():
    request = rows()
    request["duration"] = request["duration"].astype("object")
    request.loc[3, "duration"] = "abc"
    request.loc[5, "duration"] = "9999"  # a number as text: readable, but out of range
    request.loc[8, "duration"] = True  # a boolean is not a number
    found = validate(request, german_contract())
    assert _by_kind(found) == {
        ("duration", "wrong_type", "reject", 3), ("duration", "wrong_type", "reject", 8),
        ("duration", "out_of_range", "warn", 5),
    }
    assert next(v for v in found if v.row == 3).message == "expected a numeric value, got 'abc'"


def test_numbers_sent_as_text_are_accepted():
    request = rows().astype({"duration": "str"})
    assert validate(request, german_contract()) == []


def test_policy_sets_each_level():
    policy = ContractPolicy(out_of_range="reject", unseen_category="ignore",
                            extra_column="ignore", missing_column="warn")
    request = rows().drop(columns="job")
    request.loc[1, "credit_amount"] = -5
    request.loc[1, "purpose"] = "spaceship"
    request["extra"] = 0
    assert _by_kind(validate(request, german_contract(), policy)) == {
        ("job", "missing_column", "warn", None),
        ("credit_amount", "out_of_range", "reject", 1),
    }


def test_ids_and_time_columns_are_not_checked_row_by_row():
    df = dataset("credit_default").head(500)
    spec = parse_spec({"name": "c", "task": {"type": "binary", "positive_class": 1},
                       "data": {"source": "c", "target": "default_payment_next_month",
                                "columns": {"id": ["ID"]}}})
    contract = infer_contract(df, spec)
    request = dataset("credit_default").iloc[1000:1005].drop(columns="ID")
    assert [v for v in validate(request, contract) if v.column == "ID"] == []
    request["ID"] = [10**7] * 5  # new ids beyond the training range: expected, not drift
    assert [v for v in validate(request, contract) if v.column == "ID"] == []


def test_datetime_feature_with_unreadable_value():
    df = pd.DataFrame({"when": pd.date_range("2020-01-01", periods=20),
                       "y": np.arange(20.0)})
    spec = parse_spec({"name": "d", "task": {"type": "regression"},
                       "data": {"source": "d", "target": "y"}})
    contract = infer_contract(df, spec)
    request = pd.DataFrame({"when": ["2020-01-05", "tomorrow"]})
    assert _by_kind(validate(request, contract)) == {("when", "wrong_type", "reject", 1)}


def test_violation_to_dict_is_json():
    v = Violation("x", "out_of_range", "warn", "m", np.int64(3), np.float64(np.inf))
    assert json.loads(json.dumps(v.to_dict())) == {
        "column": "x", "kind": "out_of_range", "level": "warn", "message": "m", "row": 3,
        "value": "inf"}
