"""``mlsprint serve`` / ``package``: the model a server would load, and a deployable folder."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

from mlsprint.workflows.context import Project

__all__ = ["ServingPlan", "environment_lock", "plan_serving", "run_package"]


@dataclass(frozen=True, slots=True)
class ServingPlan:
    """What ``serve`` passes to the app factory through its ``MLSPRINT_*`` variables."""

    model_path: Path
    how: str
    environ: dict[str, str]


def plan_serving(folder: str | Path | Project, *, model: str | None = None,
                 workers: int = 1) -> ServingPlan:
    """Resolve the model (champion, else the latest validated candidate) and verify its
    hashes before any server process unpickles it."""
    from mlsprint.artifacts import resolve_model, verify_manifest

    project = Project.open(folder)
    resolved = resolve_model(model, tracking_uri=project.tracking_uri,
                             project_paths=project.paths, name=project.spec.name)
    verify_manifest(resolved.path)
    environ = {"MLSPRINT_MODEL": str(resolved.path), "MLSPRINT_PROJECT": str(project.paths.root),
               "MLSPRINT_TRACKING_URI": project.tracking_uri}
    if resolved.version:  # logged with every prediction instead of the bundle's hash prefix
        environ["MLSPRINT_MODEL_VERSION"] = str(resolved.version)
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Prometheus metrics must add up across worker processes
        environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="mlsprint-metrics-")
    return ServingPlan(resolved.path, resolved.how, environ)


def environment_lock() -> str:
    """``name==version`` for every installed distribution: the environment that validated
    the model, as the package's locked requirements."""
    pins = sorted({f"{d.metadata['Name'].lower()}=={d.version}" for d in distributions()
                   if d.metadata["Name"] and d.metadata["Name"].lower() != "mlsprint"})
    return "\n".join(pins) + "\n"


def run_package(folder: str | Path | Project, *, out: Path, model: str | None = None) -> Any:
    """Write the bundle, locked requirements, a Dockerfile and a Kubernetes manifest."""
    from mlsprint.artifacts import resolve_model, write_package

    project = Project.open(folder)
    resolved = resolve_model(model, tracking_uri=project.tracking_uri,
                             project_paths=project.paths, name=project.spec.name)
    with tempfile.TemporaryDirectory() as tmp:
        lock = Path(tmp) / "requirements.lock"
        lock.write_text(environment_lock(), encoding="utf-8")
        with project.phase("package", params={"model": resolved.how, "out": str(out)}):
            written = write_package(resolved.path, out, lock_file=lock)
    return resolved, written
