"""Real clients against a real uvicorn over loopback: the numbers equal in-process ones."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pandas as pd
import pytest

from mlsprint.artifacts import load_bundle

from .serving_helpers import records

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PROBA = ["proba_bad", "proba_good"]


@pytest.fixture(scope="module")
def X(trained):
    return trained.test.drop(columns="class").head(120)


@pytest.fixture(scope="module")
def expected(bundle_path, X):
    return load_bundle(bundle_path).predict(X).reset_index(drop=True)


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    np.testing.assert_allclose(got[PROBA].to_numpy(dtype=float),
                               expected[PROBA].to_numpy(), rtol=0, atol=1e-12)
    assert got["label"].tolist() == expected["label"].tolist()


def test_predict_json_records(server, X, expected):
    r = httpx.post(server.url + "/predict", json=records(X), headers={"X-Request-ID": "abc-1"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "abc-1"
    body = r.json()
    assert body["request_id"] == "abc-1" and body["model"]["name"] == "german_credit"
    assert body["threshold"] == 0.4 and body["variant"] == "champion"
    assert body["model"]["version"] == "3"  # MLSPRINT_MODEL_VERSION names a path's version
    got = pd.DataFrame([{"label": p["label"], "proba_bad": p["probabilities"]["bad"],
                         "proba_good": p["probabilities"]["good"]} for p in body["predictions"]])
    _same(got, expected)
    one = httpx.post(server.url + "/predict", json=records(X.head(1))[0]).json()
    assert one["predictions"][0]["probabilities"]["bad"] == pytest.approx(
        expected["proba_bad"][0], abs=1e-12)
    assert len(httpx.get(server.url + "/health/live").headers["x-request-id"]) == 32


@pytest.mark.parametrize("fmt", ["dataframe_split", "dataframe_records", "instances", "inputs",
                                 "inputs_columnar", "csv", "parquet"])
def test_mlflow_invocations_formats(server, X, expected, fmt):
    if fmt in ("csv", "parquet"):
        buf = io.BytesIO()
        if fmt == "csv":
            X.to_csv(buf, index=False)
            ctype = "text/csv"
        else:
            X.to_parquet(buf, index=False)
            ctype = "application/vnd.apache.parquet"
        r = httpx.post(server.url + "/invocations", content=buf.getvalue(),
                       headers={"Content-Type": ctype})
    else:
        payload = {"dataframe_split": X.to_dict(orient="split", index=False),
                   "inputs_columnar": X.to_dict(orient="list")}.get(fmt, records(X))
        key = "inputs" if fmt == "inputs_columnar" else fmt
        r = httpx.post(server.url + "/invocations", json={key: payload})
    assert r.status_code == 200, r.text
    _same(pd.DataFrame(r.json()["predictions"]), expected)


def test_mlflow_scoring_client(server, X, expected):
    from mlflow.pyfunc.scoring_server.client import ScoringServerClient

    host, port = server.url.removeprefix("http://").split(":")
    client = ScoringServerClient(host, int(port))
    assert client.ping() is None or True
    got = client.invoke(X).get_predictions()
    _same(pd.DataFrame(got).reset_index(drop=True), expected)


@pytest.mark.parametrize("binary", [False, True])
def test_tritonclient_v2(server, X, expected, binary):
    import tritonclient.http as triton

    client = triton.InferenceServerClient(server.url.removeprefix("http://"))
    assert client.is_server_live() and client.is_server_ready()
    assert client.is_model_ready("german_credit")
    meta = client.get_model_metadata("german_credit")
    assert [o["name"] for o in meta["outputs"]] == ["label", *PROBA]
    inputs = []
    for item in meta["inputs"]:
        col = X[item["name"]]
        arr = (col.to_numpy(dtype=np.int64) if item["datatype"] == "INT64"
               else col.astype(str).to_numpy(dtype=object))
        tensor = triton.InferInput(item["name"], [len(X)], item["datatype"])
        tensor.set_data_from_numpy(arr, binary_data=binary)
        inputs.append(tensor)
    outputs = [triton.InferRequestedOutput(n, binary_data=binary)
               for n in ("label", *PROBA)]
    result = client.infer("german_credit", inputs, outputs=outputs,
                          parameters={"content_type": "pd"})
    got = pd.DataFrame({"label": [v.decode() if isinstance(v, bytes) else v
                                  for v in result.as_numpy("label")],
                        "proba_bad": result.as_numpy("proba_bad"),
                        "proba_good": result.as_numpy("proba_good")})
    _same(got, expected)
    client.close()


def test_tritonclient_default_outputs_are_binary(server, X, expected):
    import tritonclient.http as triton

    client = triton.InferenceServerClient(server.url.removeprefix("http://"))
    inputs = []
    for item in client.get_model_metadata("german_credit")["inputs"]:
        col = X[item["name"]]
        arr = (col.to_numpy(dtype=np.int64) if item["datatype"] == "INT64"
               else col.astype(str).to_numpy(dtype=object))
        tensor = triton.InferInput(item["name"], [len(X)], item["datatype"])
        tensor.set_data_from_numpy(arr)  # binary by default
        inputs.append(tensor)
    result = client.infer("german_credit", inputs)  # no outputs named: binary outputs
    np.testing.assert_allclose(result.as_numpy("proba_bad"), expected["proba_bad"], atol=1e-12)
    client.close()


@pytest.mark.parametrize(("fmt", "answer"), [("csv", "csv"), ("parquet", "parquet"),
                                             ("parquet", "csv")])
def test_batch_upload(server, X, expected, fmt, answer):
    buf = io.BytesIO()
    (X.to_csv if fmt == "csv" else X.to_parquet)(buf, index=False)
    ctype = "text/csv" if fmt == "csv" else "application/vnd.apache.parquet"
    r = httpx.post(server.url + f"/predict/batch?format={answer}", content=buf.getvalue(),
                   headers={"Content-Type": ctype})
    assert r.status_code == 200, r.text
    got = (pd.read_csv(io.BytesIO(r.content)) if answer == "csv"
           else pd.read_parquet(io.BytesIO(r.content)))
    _same(got, expected)
    assert r.headers["x-model-name"] == "german_credit"


def test_batch_multipart_upload(server, X, expected):
    buf = io.BytesIO()
    X.to_parquet(buf, index=False)
    r = httpx.post(server.url + "/predict/batch", files={"file": ("rows.parquet",
                                                                   buf.getvalue())})
    assert r.status_code == 200, r.text
    _same(pd.read_parquet(io.BytesIO(r.content)), expected)


def test_metrics_count_predictions(server, X):
    httpx.post(server.url + "/predict", json=records(X.head(3)))
    text = httpx.get(server.url + "/metrics").text
    assert 'mlsprint_predicted_rows_total{model="german_credit"' in text
    assert "mlsprint_request_latency_seconds_bucket" in text
    assert 'mlsprint_predicted_class_total{label="good"' in text or "label=\"good\"" in text
