"""Registry, aliases, model resolution and the promotion log on a real SQLite MLflow store."""

from __future__ import annotations

import shutil

import pytest

from mlsprint.artifacts import (
    get_alias_version,
    log_datasets,
    promote,
    read_promotions,
    register_bundle,
    resolve_model,
    rollback,
    set_alias,
)
from mlsprint.errors import BundleError
from mlsprint.spec.paths import ProjectPaths

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    paths = ProjectPaths.of(root)
    paths.state.mkdir(parents=True)
    return f"sqlite:///{paths.tracking_db}", paths


@pytest.fixture(scope="module")
def versions(store, bundle_path):
    """Three registered copies of the bundle (versions 1, 2, 3)."""
    uri, paths = store
    out = []
    for k in range(3):
        copy = shutil.copytree(bundle_path, paths.bundles / f"b{k}")
        out.append(register_bundle(uri, "german_credit", copy))
    return out


def test_register_sets_challenger_and_card_description(store, versions):
    from mlflow import MlflowClient

    uri, _ = store
    assert versions == ["1", "2", "3"]
    assert get_alias_version(uri, "german_credit", "challenger") == "3"
    mv = MlflowClient(tracking_uri=uri).get_model_version("german_credit", "3")
    assert mv.description.startswith("# Model card")
    assert len(mv.tags["mlsprint.bundle_sha256"]) == 64
    assert get_alias_version(uri, "german_credit", "nope") is None
    assert get_alias_version(uri, "unknown_model", "champion") is None


def test_tampered_bundle_is_not_registered(store, bundle_path, tmp_path):
    uri, _ = store
    copy = shutil.copytree(bundle_path, tmp_path / "t")
    (copy / "evidence.json").write_text("{}")
    with pytest.raises(BundleError, match="evidence.json changed"):
        register_bundle(uri, "german_credit", copy)


def test_resolution_rules_and_promotion_log(store, versions, tmp_path):
    uri, paths = store
    # no champion yet: the latest validated (registered) candidate
    got = resolve_model(None, tracking_uri=uri, project_paths=paths, name="german_credit")
    assert (got.version, got.path.name) == ("3", "b2")
    assert "latest validated candidate" in got.how
    first = promote(uri, "german_credit", "1", log_path=paths.promotions, why="first GO",
                    who="ci")
    assert (first.from_version, first.to_version) == (None, "1")
    promote(uri, "german_credit", "2", log_path=paths.promotions, why="better AUC", who="ana")
    got = resolve_model(None, tracking_uri=uri, project_paths=paths, name="german_credit")
    assert (got.version, got.path.name) == ("2", "b1") and got.how.startswith("champion")
    assert resolve_model("models:/german_credit@challenger", tracking_uri=uri,
                         project_paths=paths).version == "3"
    assert resolve_model("models:/german_credit/1", tracking_uri=uri,
                         project_paths=paths).path.name == "b0"
    back = rollback(uri, "german_credit", log_path=paths.promotions, why="drift", who="ana")
    assert (back.from_version, back.to_version, back.action) == ("2", "1", "rollback")
    assert get_alias_version(uri, "german_credit", "champion") == "1"
    log = read_promotions(paths.promotions)
    assert [(p.action, p.from_version, p.to_version, p.who, p.why) for p in log] == [
        ("promote", None, "1", "ci", "first GO"), ("promote", "1", "2", "ana", "better AUC"),
        ("rollback", "2", "1", "ana", "drift")]
    with pytest.raises(BundleError, match="no predecessor"):
        rollback(uri, "german_credit", log_path=paths.promotions, why="again")


def test_resolution_errors_and_paths(store, bundle_path, tmp_path):
    uri, paths = store
    assert resolve_model(str(bundle_path), tracking_uri=uri,
                         project_paths=paths).how.startswith("path")
    with pytest.raises(BundleError, match="neither a bundle directory"):
        resolve_model(str(tmp_path / "x"), tracking_uri=uri, project_paths=paths)
    with pytest.raises(BundleError, match="no model models:/german_credit@gold"):
        resolve_model("models:/german_credit@gold", tracking_uri=uri, project_paths=paths)
    with pytest.raises(BundleError, match="expected models:/NAME@ALIAS"):
        resolve_model("models:/german_credit", tracking_uri=uri, project_paths=paths)
    empty = ProjectPaths.of(tmp_path / "empty")
    with pytest.raises(BundleError, match="has no model yet"):
        resolve_model(None, tracking_uri=uri, project_paths=empty, name="not_registered")


def test_unregistered_bundle_is_the_fallback(store, bundle_path, tmp_path):
    paths = ProjectPaths.of(tmp_path)
    shutil.copytree(bundle_path, paths.candidates / "c1")
    got = resolve_model(None, tracking_uri=store[0], project_paths=paths,
                        name="not_registered")
    assert got.path.name == "c1" and "latest trained candidate" in got.how


def test_set_alias_and_dataset_inputs(store, versions, trained):
    from mlflow import MlflowClient

    uri, _ = store
    set_alias(uri, "german_credit", "shadow", "2")
    assert get_alias_version(uri, "german_credit", "shadow") == "2"
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("gc-datasets")
    run = client.create_run(exp)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        log_datasets(run.info.run_id, trained.train, trained.test, uri, target="class")
    assert not [w for w in caught if "integer column" in str(w.message)], \
        "MLflow's integer-schema hint reaches the user (the demo printed it twice)"
    got = client.get_run(run.info.run_id).inputs.dataset_inputs
    contexts = sorted(t.value for d in got for t in d.tags if t.key == "mlflow.data.context")
    assert contexts == ["holdout", "training"]
    assert {d.dataset.name for d in got} == {"training", "holdout"}
