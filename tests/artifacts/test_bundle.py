"""Bundle save / verify / load on a real LightGBM pipeline trained on german_credit."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from mlsprint.artifacts import MANIFEST, load_bundle, verify_manifest, write_manifest
from mlsprint.errors import BundleError

from .bundle_fixtures import write_bundle


@pytest.fixture
def fresh(bundle_path, tmp_path):
    """A private copy of the session bundle, free to tamper with."""
    return shutil.copytree(bundle_path, tmp_path / "copy")


def test_layout_and_manifest_cover_every_file(bundle_path):
    names = {p.relative_to(bundle_path).as_posix() for p in bundle_path.rglob("*")
             if p.is_file()}
    for required in ("MLmodel", "contract.json", "reference.json", "evidence.json", "card.md",
                     "card.html", "lineage.json", "spec.json", "mlsprint.json",
                     "artifacts/pipeline.joblib", "artifacts/baseline.joblib", MANIFEST):
        assert required in names
    listed = {line.split("  ", 1)[1] for line in
              (bundle_path / MANIFEST).read_text().splitlines()}
    assert listed == names - {MANIFEST}
    assert not any(n.endswith("python_model.pkl") for n in names)  # models from code
    assert json.loads((bundle_path / "reference.json").read_text()) == {}


def test_load_predicts_like_the_pipeline(bundle_path, trained):
    bundle = load_bundle(bundle_path)
    X = trained.test.drop(columns="class")
    out = bundle.predict(X)
    proba = trained.pipeline.predict_proba(X)
    assert list(out.columns) == ["label", "proba_bad", "proba_good"]
    np.testing.assert_allclose(out[["proba_bad", "proba_good"]].to_numpy(), proba, atol=0)
    # the bundle's threshold (0.4) on the positive class decides the label
    expected = np.where(proba[:, 0] >= 0.4, "bad", "good")
    assert out["label"].tolist() == expected.tolist()
    assert bundle.contract.target == "class" and bundle.spec.name == "german_credit"
    assert bundle.evidence == {"holdout": {"roc_auc": 0.77}}
    np.testing.assert_allclose(bundle.predict_baseline(X)[["proba_bad", "proba_good"]],
                               trained.baseline.predict_proba(X))


def test_mlflow_pyfunc_answers_the_same(bundle_path, trained):
    import mlflow.pyfunc

    X = trained.test.drop(columns="class").head(50)
    theirs = mlflow.pyfunc.load_model(str(bundle_path)).predict(X)
    ours = load_bundle(bundle_path).predict(X)
    pd.testing.assert_frame_equal(theirs.reset_index(drop=True), ours.reset_index(drop=True))


def test_explain_adds_up_to_the_log_odds(bundle_path, trained):
    bundle = load_bundle(bundle_path)
    X = trained.test.drop(columns="class").head(20)
    contrib = bundle.explain(X)
    assert "(bias)" in contrib.columns and contrib.shape == (20, contrib.shape[1])
    p_good = trained.pipeline.predict_proba(X)[:, 1]
    np.testing.assert_allclose(contrib.sum(axis=1), np.log(p_good / (1 - p_good)), atol=1e-6)


@pytest.mark.parametrize("tamper", ["change", "add", "remove"])
def test_tampered_bundle_is_refused_before_unpickling(fresh, tamper):
    target = fresh / "artifacts" / "pipeline.joblib"
    if tamper == "change":
        target.write_bytes(target.read_bytes() + b"\x00")
        match = "pipeline.joblib changed"
    elif tamper == "add":
        (fresh / "artifacts" / "evil.pkl").write_bytes(b"cos\nsystem\n")
        match = "unexpected file artifacts/evil.pkl"
    else:
        (fresh / "card.md").unlink()
        match = "missing file card.md"
    with pytest.raises(BundleError, match=match):
        load_bundle(fresh)


def test_missing_manifest_and_directory(fresh, tmp_path):
    (fresh / MANIFEST).unlink()
    with pytest.raises(BundleError, match="no MANIFEST.sha256"):
        load_bundle(fresh)
    with pytest.raises(BundleError, match="no bundle at"):
        load_bundle(tmp_path / "nowhere")


@pytest.mark.parametrize(("dist", "saved", "match"), [
    ("scikit-learn", "0.24.2", "saved with scikit-learn 0.24.2"),
    ("mlsprint", "99.0.0", "saved with mlsprint 99.0.0"),
])
def test_incompatible_versions_are_refused(fresh, dist, saved, match):
    meta = json.loads((fresh / "mlsprint.json").read_text())
    meta["versions"][dist] = saved
    (fresh / "mlsprint.json").write_text(json.dumps(meta))
    write_manifest(fresh)  # a consistent bundle from another installation
    with pytest.raises(BundleError, match=match):
        load_bundle(fresh)


def test_update_reference_rewrites_the_manifest(fresh):
    bundle = load_bundle(fresh)
    before = bundle.sha256
    digest = bundle.update_reference({"sample": [{"age": 30}], "bins": {"age": [0, 1]}})
    assert digest != before and verify_manifest(fresh) == digest
    assert load_bundle(fresh).reference["bins"] == {"age": [0, 1]}
    (fresh / "card.md").write_text("edited")
    with pytest.raises(BundleError, match="card.md changed"):
        bundle.update_reference({})  # a tampered bundle is never re-signed


def test_bundle_directory_is_written_once(bundle_path, trained):
    with pytest.raises(BundleError, match="already exists"):
        write_bundle(trained, bundle_path)


def test_regression_bundle(tmp_path):
    from lightgbm import LGBMRegressor
    from sklearn.dummy import DummyRegressor
    from sklearn.pipeline import make_pipeline

    from mlsprint.artifacts import save_bundle
    from mlsprint.data.contract import infer_contract
    from mlsprint.spec import parse_spec

    df = pd.read_csv("/work/shared/data/bike_sharing_hourly.csv.gz").head(600)
    cols = ["season", "hr", "temp", "hum", "windspeed", "cnt"]
    df = df[cols]
    spec = parse_spec({"name": "bike", "task": {"type": "regression"},
                       "data": {"source": "x.csv", "target": "cnt"}})
    X, y = df.drop(columns="cnt"), df["cnt"]
    model = make_pipeline(LGBMRegressor(n_estimators=20, verbose=-1)).fit(X, y)
    save_bundle(tmp_path / "b", pipeline=model, baseline=DummyRegressor().fit(X, y),
                contract=infer_contract(df, spec), spec=spec, evidence={}, card_md="",
                card_html="", reference=None, lineage={}, input_example=X.head(2),
                threshold=None)
    out = load_bundle(tmp_path / "b").predict(X.head(5))
    assert list(out.columns) == ["value"]
    np.testing.assert_allclose(out["value"], model.predict(X.head(5)))
