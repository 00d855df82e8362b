"""``write_package``: the folder, a hadolint-clean Dockerfile and a Kubernetes manifest."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlsprint.artifacts import load_bundle, write_package
from mlsprint.errors import BundleError

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"
HADOLINT = Path(sys.executable).with_name("hadolint")


@pytest.fixture(scope="module")
def package(bundle_path, tmp_path_factory):
    return write_package(bundle_path, tmp_path_factory.mktemp("pkg") / "out", lock_file=LOCK)


def test_folder_holds_a_verified_bundle_lock_and_wheel(package, bundle_path):
    assert load_bundle(package / "bundle").sha256 == load_bundle(bundle_path).sha256
    assert (package / "requirements.lock").read_text() == LOCK.read_text()
    assert len(list((package / "wheels").glob("mlsprint-*.whl"))) == 1


def test_dockerfile_passes_hadolint_and_follows_the_rules(package):
    result = subprocess.run([str(HADOLINT), "--failure-threshold", "info",
                             str(package / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (package / "Dockerfile").read_text()
    froms = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(froms) == 2 and all("-slim-" in f and ":latest" not in f for f in froms)
    assert "USER 10001" in text and "HEALTHCHECK" in text
    final = text[text.rindex(froms[1] + "\n"):]
    assert "pip install" not in final  # build tools stay in the first stage
    assert "/health/live" in final


def test_kubernetes_manifest_has_probes(package):
    deployment, service = yaml.safe_load_all((package / "k8s.yaml").read_text())
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["startupProbe"]["httpGet"]["path"] == "/health/ready"
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_refuses_tampered_bundle_and_non_empty_folder(bundle_path, package, tmp_path):
    bad = shutil.copytree(bundle_path, tmp_path / "bad")
    (bad / "contract.json").write_text("{}")
    with pytest.raises(BundleError, match="contract.json changed"):
        write_package(bad, tmp_path / "o", lock_file=LOCK)
    with pytest.raises(BundleError, match="not empty"):
        write_package(bundle_path, package, lock_file=LOCK)
