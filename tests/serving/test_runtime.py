"""Fallback, champion/challenger routing, shadow mode, admin routes and readiness."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from artifacts.bundle_fixtures import write_bundle
from mlsprint.artifacts import load_bundle
from mlsprint.serving import ServingSettings, create_app
from mlsprint.serving.routing import assign_variant, unit_position
from mlsprint.serving.runtime import Deployed

from .serving_helpers import TestClient, ready_client, records


class Broken:
    """A model that fails at predict time."""

    def predict_proba(self, X):
        raise RuntimeError("boom")

    predict = predict_proba


@pytest.fixture(scope="module")
def second_bundle(trained, tmp_path_factory):
    return write_bundle(trained, tmp_path_factory.mktemp("b2") / "gc2", threshold=0.6)


@pytest.fixture(scope="module")
def rows(trained):
    return records(trained.test.drop(columns="class").head(3))


def _loader(mapping):
    def load(ref):
        bundle = mapping[ref]() if callable(mapping[ref]) else mapping[ref]
        return Deployed(bundle, bundle.name, ref, f"test {ref}")
    return load


def _app(tmp_path, loader, **settings):
    base = dict(model="champion", prediction_log_url=f"sqlite:///{tmp_path / 'p.db'}",
                admin_token="s3cret")
    return create_app(ServingSettings(**{**base, **settings}), loader=loader)


def _metric(c, name, **labels):
    for line in c.get("/metrics").text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.parametrize(("break_baseline", "expected"), [(False, "baseline"),
                                                          (True, "constant")])
def test_fallback_answers_when_the_model_fails(bundle_path, trained, tmp_path, rows,
                                               break_baseline, expected):
    good = load_bundle(bundle_path)
    broken = dataclasses.replace(good, pipeline=Broken(),
                                 baseline=Broken() if break_baseline else good.baseline)
    app = _app(tmp_path, _loader({"champion": broken}), fast_path=False)
    with TestClient(app) as c:
        ready_client(c)
        before = _metric(c, "mlsprint_fallbacks_total", fallback=expected)
        r = c.post("/predict", json=rows)
        assert r.status_code == 200 and r.json()["fallback"] == expected
        got = np.array([[p["probabilities"]["bad"], p["probabilities"]["good"]]
                        for p in r.json()["predictions"]])
        if expected == "baseline":
            X = trained.test.drop(columns="class").head(3)
            np.testing.assert_allclose(got, good.baseline.predict_proba(X), atol=1e-12)
        else:  # the training class frequencies of the contract
            prior = good.contract["class"].categories
            np.testing.assert_allclose(got[0], [prior["bad"], prior["good"]])
        assert _metric(c, "mlsprint_fallbacks_total", fallback=expected) == before + 1
        app.state.runtime.log.flush()
        logged = app.state.runtime.log.read_predictions()
        assert logged["fallback"].tolist() == [expected] * 3


def test_no_fallback_is_a_503_not_a_500(bundle_path, tmp_path, rows):
    broken = dataclasses.replace(load_bundle(bundle_path), pipeline=Broken())
    with TestClient(_app(tmp_path, _loader({"champion": broken}), fallback="none",
                         fast_path=False)) as c:
        ready_client(c)
        r = c.post("/predict", json=rows)
        assert (r.status_code, r.json()["error"]) == (503, "model_error")


def test_sticky_split_by_unit_id(bundle_path, second_bundle, tmp_path, rows):
    loader = _loader({"champion": load_bundle(bundle_path),
                      "challenger": load_bundle(second_bundle)})
    app = _app(tmp_path, loader, challenger="challenger", challenger_share=0.3)
    with TestClient(app) as c:
        ready_client(c)
        seen = {}
        for k in range(60):
            r = c.post(f"/predict?unit_id=user-{k}", json=rows[:1]).json()
            seen[k] = r["variant"]
            want = assign_variant(f"user-{k}", challenger_share=0.3, salt="german_credit")
            assert r["variant"] == want
            assert r["model"]["version"] == want  # the loader names versions by ref
            assert r["threshold"] == (0.6 if want == "challenger" else 0.4)
        again = c.post("/predict", json=rows[:1], headers={"X-Unit-ID": "user-7"}).json()
        assert again["variant"] == seen[7]  # sticky
        assert 5 <= sum(v == "challenger" for v in seen.values()) <= 35
        # admin: 401 without or with a wrong token, then the split moves
        assert c.post("/admin/split", json={"challenger_share": 1}).status_code == 401
        assert c.post("/admin/split", json={"challenger_share": 1},
                      headers={"Authorization": "Bearer nope"}).status_code == 401
        r = c.post("/admin/split", json={"challenger_share": 1.0},
                   headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200 and r.json()["challenger_share"] == 1.0
        assert c.post("/admin/split", json={"challenger_share": 2},
                      headers={"Authorization": "Bearer s3cret"}).status_code == 422
        assert all(c.post(f"/predict?unit_id=u{k}", json=rows[:1]).json()["variant"] ==
                   "challenger" for k in range(5))
        app.state.runtime.log.flush()
        logged = app.state.runtime.log.read_predictions()
        assert set(logged["variant"]) == {"champion", "challenger"}


def test_shadow_mode_logs_the_challenger_without_returning_it(bundle_path, second_bundle,
                                                              tmp_path, rows):
    loader = _loader({"champion": load_bundle(bundle_path),
                      "challenger": load_bundle(second_bundle)})
    app = _app(tmp_path, loader, challenger="challenger", shadow=True)
    with TestClient(app) as c:
        ready_client(c)
        ids = [c.post("/predict", json=rows).json() for _ in range(4)]
        assert {r["variant"] for r in ids} == {"champion"}
        rt = app.state.runtime
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rt.log.flush()
            logged = rt.log.read_predictions()
            if len(logged) == 24:
                break
            time.sleep(0.1)
        shadow = logged[logged.variant == "challenger"]
        assert len(shadow) == 12 and not shadow["served"].any()
        assert logged[logged.variant == "champion"]["served"].all()
        assert set(shadow["request_id"]) == {r["request_id"] for r in ids}


def test_admin_is_disabled_without_a_token(client, tmp_path, bundle_path):
    app = create_app(ServingSettings(model=str(bundle_path), prediction_log_url="none"))
    with TestClient(app) as c:
        ready_client(c)
        r = c.post("/admin/reload", headers={"Authorization": "Bearer anything"})
        assert r.status_code == 401 and "MLSPRINT_ADMIN_TOKEN" in r.json()["message"]


def test_readiness_is_503_while_loading_and_reloading(bundle_path, second_bundle, tmp_path,
                                                      rows):
    gate = {"champion": threading.Event(), "second": threading.Event()}
    bundles = {"champion": bundle_path, "second": second_bundle}

    def slow(ref):
        gate[ref].wait(30)
        return load_bundle(bundles[ref])

    app = _app(tmp_path, _loader({k: (lambda k=k: slow(k)) for k in gate}))
    with TestClient(app) as c:
        assert c.get("/health/ready").status_code == 503
        assert c.get("/health/live").status_code == 200
        r = c.post("/predict", json=rows)
        assert (r.status_code, r.json()["error"]) == (503, "not_ready")
        assert c.get("/ping").status_code == 503
        gate["champion"].set()
        ready_client(c)
        old = c.post("/predict", json=rows[:1]).json()["model"]["version"]
        result = {}
        worker = threading.Thread(target=lambda: result.update(r=c.post(
            "/admin/reload", json={"model": "second"},
            headers={"Authorization": "Bearer s3cret"})))
        worker.start()
        deadline = time.monotonic() + 10
        while c.get("/health/ready").status_code != 503 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert c.get("/health/ready").status_code == 503
        during = c.post("/predict", json=rows[:1])  # the old model still answers, whole
        assert during.status_code == 200 and during.json()["model"]["version"] == old
        gate["second"].set()
        worker.join(30)
        assert result["r"].status_code == 200
        assert result["r"].json()["champion"]["version"] == "second"
        assert c.get("/health/ready").status_code == 200
        assert c.post("/predict", json=rows[:1]).json()["threshold"] == 0.6


def test_fast_path_equals_the_pipeline(client, trained):
    rt = client.app.state.runtime
    fast = rt.models.champion.fast
    assert fast is not None
    X = trained.test.drop(columns="class")
    recs = records(X)
    got = np.vstack([fast.values([r]) for r in recs])
    want = trained.pipeline.predict_proba(X)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    from mlsprint.serving.validation import to_frame

    frame = rt.models.champion.bundle.features(to_frame(X, rt.models.champion.rules))
    np.testing.assert_allclose(fast.values_frame(frame), want, rtol=0, atol=1e-9)  # vectorised
    odd = [{**recs[0], "purpose": "never seen", "age": None}]  # unseen + missing
    frame = X.head(1).astype({"age": "float64"}).assign(purpose="never seen", age=np.nan)
    np.testing.assert_allclose(fast.values(odd), trained.pipeline.predict_proba(frame),
                               atol=1e-9)


def test_unit_position_is_uniform():
    pos = np.array([unit_position(f"u{k}") for k in range(4000)])
    assert abs(pos.mean() - 0.5) < 0.02 and 0 <= pos.min() and pos.max() < 1
    from scipy.stats import kstest

    assert kstest(pos, "uniform").pvalue > 0.001


class Slow:
    """The real pipeline, slowed down."""

    def __init__(self, pipeline, seconds):
        self.pipeline, self.seconds = pipeline, seconds

    def predict_proba(self, X):
        time.sleep(self.seconds)
        return self.pipeline.predict_proba(X)


def test_timeout_and_concurrency_limits(bundle_path, tmp_path, rows):
    good = load_bundle(bundle_path)
    slow = dataclasses.replace(good, pipeline=Slow(good.pipeline, 1.5))
    app = _app(tmp_path, _loader({"champion": slow}), fast_path=False, request_timeout=0.5,
               max_concurrency=1)
    with TestClient(app) as c:
        ready_client(c)
        r = c.post("/predict", json=rows[:1])
        assert (r.status_code, r.json()["error"]) == (504, "timeout")
        assert r.headers["x-request-id"]
    app = _app(tmp_path, _loader({"champion": slow}), fast_path=False, max_concurrency=1)
    with TestClient(app) as c:
        ready_client(c)
        results = {}
        first = threading.Thread(target=lambda: results.update(a=c.post("/predict",
                                                                        json=rows[:1])))
        first.start()
        time.sleep(0.5)
        second = c.post("/predict", json=rows[:1])
        assert second.status_code == 503 and second.json()["error"] == "overloaded"
        assert second.headers["retry-after"] == "1"
        assert c.get("/health/live").status_code == 200  # probes are never throttled
        first.join(10)
        assert results["a"].status_code == 200


def test_tampered_bundle_is_refused_and_reported(bundle_path, tmp_path, rows):
    import shutil

    bad = shutil.copytree(bundle_path, tmp_path / "bad")
    (bad / "artifacts" / "pipeline.joblib").write_bytes(b"not the model")
    app = create_app(ServingSettings(model=str(bad), prediction_log_url="none"))
    with TestClient(app) as c:
        deadline = time.monotonic() + 30
        while c.get("/health/ready").json()["status"] == "loading" and (
                time.monotonic() < deadline):
            time.sleep(0.05)
        r = c.get("/health/ready")
        assert r.status_code == 503 and r.json()["status"] == "failed"
        assert "pipeline.joblib changed" in r.json()["error"]
        assert c.post("/predict", json=rows).status_code == 503


def test_a_mitigated_model_answers_with_its_group_thresholds(trained, tmp_path):
    """/predict (fast path), /predict/batch and /invocations label each row with its
    protected group's threshold, and say which threshold applied."""
    import io

    import pandas as pd

    from mlsprint.fairness import GroupThresholds

    rules = GroupThresholds(attributes=("personal_status",), bins={"personal_status": None},
                            thresholds={"female div/dep/mar": 0.2, "male single": 0.7},
                            default=0.4)
    path = write_bundle(trained, tmp_path / "mitigated", group_thresholds=rules)
    bundle = load_bundle(path)
    X = trained.test.drop(columns="class").head(60)
    proba = trained.pipeline.predict_proba(X)[:, list(bundle.classes).index("bad")]
    cut = X["personal_status"].map(rules.thresholds).fillna(0.4).to_numpy()
    expected = np.where(proba >= cut, "bad", "good")
    assert (expected != np.where(proba >= 0.4, "bad", "good")).any()
    app = create_app(ServingSettings(model=str(path), prediction_log_url=f"sqlite:///"
                                     f"{tmp_path / 'p.db'}"))
    with TestClient(app) as c:
        ready_client(c)
        one = [c.post("/predict", json=r).json()["predictions"][0] for r in records(X)]
        assert [p["label"] for p in one] == expected.tolist()
        assert [p["threshold"] for p in one] == cut.tolist()
        many = c.post("/predict", json=records(X)).json()["predictions"]
        assert [p["label"] for p in many] == expected.tolist()
        buf = io.BytesIO()
        X.to_parquet(buf)
        batch = c.post("/predict/batch", files={"file": ("x.parquet", buf.getvalue())},
                       headers={"accept": "application/x-parquet"})
        assert batch.status_code == 200, batch.text
        assert (pd.read_parquet(io.BytesIO(batch.content))["label"].to_numpy()
                == expected).all()
        mlflow = c.post("/invocations", json={"dataframe_records": records(X)}).json()
        assert [p["label"] for p in mlflow["predictions"]] == expected.tolist()
