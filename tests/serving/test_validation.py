"""Bad input always gets a 4xx JSON answer listing every problem by row and column."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from mlsprint.artifacts import load_bundle
from mlsprint.serving.errors import InputError
from mlsprint.serving.validation import Rules, check_frame, check_records
from mlsprint.spec.model import ContractPolicy

from .serving_helpers import records


@pytest.fixture(scope="module")
def rows(trained):
    return records(trained.test.drop(columns="class").head(5))


def _problems(r):
    return {(p["row"], p["column"], p["kind"], p["level"]) for p in r.json()["problems"]}


def test_every_problem_is_listed_by_row_and_column(client, rows):
    bad = [dict(r) for r in rows[:3]]
    bad[0]["age"] = "forty"                # wrong type
    bad[1]["credit_amount"] = True         # a boolean is not a number
    bad[2]["duration"] = {"x": 1}          # not a scalar
    del bad[0]["purpose"], bad[1]["purpose"], bad[2]["purpose"]
    bad[0]["colour"] = "red"               # unknown column
    r = client.post("/predict", json=bad)
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_input" and r.json()["request_id"]
    assert _problems(r) == {
        (None, "purpose", "missing_column", "reject"), (None, "colour", "extra_column", "reject"),
        (0, "age", "wrong_type", "reject"), (1, "credit_amount", "wrong_type", "reject"),
        (2, "duration", "wrong_type", "reject")}


def test_infinity_is_rejected_and_out_of_range_warned(client, rows):
    text = json.dumps([rows[0], {**rows[1], "age": 500}]).replace(
        f'"duration": {rows[0]["duration"]}', '"duration": Infinity', 1)
    r = client.post("/predict", content=text, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert _problems(r) == {(0, "duration", "not_finite", "reject"),
                            (1, "age", "out_of_range", "warn")}


def test_warnings_travel_with_the_answer(client, rows):
    r = client.post("/predict", json=[{**rows[0], "purpose": "spaceship"},
                                      {**rows[1], "age": None}])
    assert r.status_code == 200
    assert {(w["row"], w["column"], w["kind"]) for w in r.json()["warnings"]} == {
        (0, "purpose", "unseen_category"), (1, "age", "unseen_null")}
    metrics = client.get("/metrics").text
    assert 'mlsprint_unseen_categories_total{column="purpose"}' in metrics


@pytest.mark.parametrize(("body", "status", "error"), [
    (b"[]", 422, "empty_batch"),
    (b"{not json", 400, "malformed_json"),
    (b"", 400, "malformed_json"),
    (b'"a string"', 422, "invalid_input"),
    (b"[1, 2]", 422, "invalid_input"),
    (b"\xff\xfe", 400, "malformed_json"),
])
def test_malformed_bodies(client, body, status, error):
    r = client.post("/predict", content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]) == (status, error)
    assert r.json()["problems"] and r.headers["x-request-id"]


def test_body_over_the_limit(bundle_path, tmp_path, rows):
    from mlsprint.serving import ServingSettings, create_app

    from .serving_helpers import TestClient, ready_client

    app = create_app(ServingSettings(model=str(bundle_path), max_body_bytes=2000,
                                     prediction_log_url="none"))
    with TestClient(app) as c:
        ready_client(c)
        r = c.post("/predict", json=rows * 10)
        assert (r.status_code, r.json()["error"]) == (413, "body_too_large")

        def chunks():  # no Content-Length: counted while streaming
            for _ in range(10):
                yield json.dumps(rows).encode()
        r = c.post("/predict", content=chunks(), headers={"Content-Type": "application/json"})
        assert (r.status_code, r.json()["error"]) == (413, "body_too_large")
        assert c.post("/predict", json=rows[:1]).status_code == 200


def test_batch_errors(client, trained):
    X = trained.test.drop(columns="class").head(4).astype({"age": "float64"})
    X.loc[2, "age"] = np.inf
    buf = io.BytesIO()
    X.to_parquet(buf, index=False)
    r = client.post("/predict/batch", content=buf.getvalue(),
                    headers={"Content-Type": "application/vnd.apache.parquet"})
    assert r.status_code == 422 and _problems(r) == {(2, "age", "not_finite", "reject")}
    r = client.post("/predict/batch", content=b"garbage\x00\x01",
                    headers={"Content-Type": "application/vnd.apache.parquet"})
    assert (r.status_code, r.json()["error"]) == (400, "malformed_body")
    r = client.post("/predict/batch", content=b"a,b\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 422
    r = client.post("/predict/batch", content=b"x", headers={"Content-Type": "image/png"})
    assert r.status_code == 415


def test_v2_and_mlflow_errors(client, rows):
    r = client.post("/v2/models/german_credit/infer", json={"inputs": [
        {"name": "age", "shape": [2], "datatype": "INT64", "data": [1, 2]},
        {"name": "duration", "shape": [1], "datatype": "INT64", "data": [1]}]})
    assert r.status_code == 400 and r.json()["problems"][0]["kind"] == "invalid_tensor"
    assert client.post("/v2/models/other/infer", json={"inputs": []}).status_code == 404
    r = client.post("/v2/models/german_credit/infer", content=b"{}",
                    headers={"Inference-Header-Content-Length": "99"})
    assert r.status_code == 400
    r = client.post("/invocations", json={"dataframe_records": rows, "instances": rows})
    assert r.status_code == 400
    r = client.post("/invocations", json={"dataframe_split": {"columns": ["a"],
                                                              "data": [[1, 2]]}})
    assert r.status_code == 422
    r = client.post("/invocations", content=b"a", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_unknown_route_and_bad_query(client, rows):
    assert client.get("/nothing").status_code == 404
    r = client.post("/predict?explain=maybe", json=rows[:1])
    assert r.status_code == 422 and r.json()["error"] == "invalid_parameters"


@pytest.mark.parametrize("category_level", ["accept", "reject"])
def test_records_and_frames_find_the_same_problems(bundle_path, trained, category_level):
    """The fast record check and the vectorised frame check agree on the same rows."""
    bundle = load_bundle(bundle_path)
    rules = Rules.build(bundle.contract, bundle.columns, policy=ContractPolicy(
        unseen_null="reject"), unseen_category=category_level, extra_columns="reject",
        max_rows=10_000)
    X = trained.test.drop(columns="class").head(40).copy()
    X = X.astype({"age": "float64", "duration": "float64"})
    X.loc[[1, 7], "age"] = np.nan
    X.loc[3, "age"] = 1000.0
    X.loc[5, "duration"] = -np.inf
    X.loc[[2, 9], "purpose"] = "time machine"
    X.loc[4, "job"] = None

    def collect(fn, data):
        try:
            return {(p["row"], p["column"], p["kind"], p["level"]) for p in fn(data, rules)}
        except InputError as exc:
            return {(p["row"], p["column"], p["kind"], p["level"]) for p in exc.problems}

    recs = X.astype(object).where(X.notna(), None).to_dict("records")
    from_records, from_frame = collect(check_records, recs), collect(check_frame, X)
    assert from_records == from_frame
    assert (5, "duration", "not_finite", "reject") in from_frame
    assert (4, "job", "unseen_null", "reject") in from_frame
    assert (2, "purpose", "unseen_category",
            "reject" if category_level == "reject" else "warn") in from_frame


def test_openapi_schema_comes_from_the_contract(client, bundle_path):
    doc = client.get("/openapi.json").json()
    record = doc["components"]["schemas"]["Record"]
    contract = load_bundle(bundle_path).contract
    assert set(record["properties"]) == set(contract.input_columns)
    assert record["properties"]["age"]["type"] == "number"
    assert "training range [" in record["properties"]["age"]["description"]
    assert "radio/tv" in record["properties"]["purpose"]["description"]
    assert record["additionalProperties"] is False
    assert set(record["required"]) == {c.name for c in contract.features}
    body = doc["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["anyOf"][0] == {"$ref": "#/components/schemas/Record"}


def test_frame_round_trip_of_pandas_dtypes(client, trained):
    X = trained.test.drop(columns="class").head(3)
    buf = io.StringIO()
    X.to_csv(buf, index=False)
    r = client.post("/predict/batch", content=buf.getvalue().encode(),
                    headers={"Content-Type": "text/csv"})
    assert r.status_code == 200
    assert list(pd.read_csv(io.BytesIO(r.content)).columns) == ["label", "proba_bad",
                                                                "proba_good"]
