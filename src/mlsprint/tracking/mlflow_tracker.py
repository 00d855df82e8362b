"""MLflow adapter of the ``Tracker`` protocol.

Embedded by default: SQLite in ``.mlsprint/mlflow.db`` and artifacts in
``.mlsprint/mlartifacts``: nothing to start. ``tracking.uri`` in the spec switches to
any MLflow store (a PostgreSQL URL, or an ``http://`` tracking server).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlsprint.errors import TrackingError
from mlsprint.tracking.base import RunRecord

__all__ = ["MlflowTracker", "default_tracking_uri"]

PHASE_TAG = "mlsprint.phase"
MAX_PARAM_LENGTH = 6000  # MLflow's limit on a param value


def default_tracking_uri(state_dir: Path) -> str:
    return f"sqlite:///{(state_dir / 'mlflow.db').resolve()}"


def _quiet_mlflow() -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
    import logging

    import mlflow  # noqa: F401  (configures its loggers on import; quieten them after)

    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


class MlflowTracker:
    """Log and read mlsprint evidence in an MLflow experiment named after the project."""

    def __init__(self, uri: str, experiment: str, *, artifact_location: Path | None = None):
        _quiet_mlflow()
        from mlflow.tracking import MlflowClient

        self.uri = uri
        self.experiment = experiment
        if uri.startswith("sqlite:///"):
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._client = MlflowClient(tracking_uri=uri, registry_uri=uri)
            found = self._client.get_experiment_by_name(experiment)
            if found is None:
                location = artifact_location.resolve().as_uri() if artifact_location else None
                self.experiment_id = self._client.create_experiment(
                    experiment, artifact_location=location)
            else:
                self.experiment_id = found.experiment_id
        except Exception as exc:  # MLflow raises many types for an unreachable store
            raise TrackingError(
                f"tracking store {uri!r} cannot be used: {str(exc).splitlines()[0]}; check "
                "tracking.uri in mlsprint.yaml (remove it to use the embedded SQLite store)"
            ) from None

    @property
    def client(self) -> Any:
        return self._client

    @contextmanager
    def run(self, phase: str, *, tags: Mapping[str, str] | None = None,
            parent_run_id: str | None = None, name: str | None = None) -> Iterator[str]:
        all_tags = {PHASE_TAG: phase, **(tags or {})}
        if parent_run_id:
            all_tags["mlflow.parentRunId"] = parent_run_id
        run = self._client.create_run(self.experiment_id, tags=all_tags, run_name=name or phase)
        run_id = run.info.run_id
        try:
            yield run_id
        except BaseException:
            self._client.set_terminated(run_id, status="FAILED")
            raise
        self._client.set_terminated(run_id, status="FINISHED")

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        from mlflow.entities import Param

        items = [Param(str(k), _param_text(v)) for k, v in params.items()]
        for start in range(0, len(items), 100):
            self._client.log_batch(run_id, params=items[start:start + 100])

    def log_metrics(self, run_id: str, metrics: Mapping[str, float]) -> None:
        import time

        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [Metric(str(k), float(v), now, 0) for k, v in metrics.items()
                 if v is not None and _finite(v)]
        for start in range(0, len(items), 500):
            self._client.log_batch(run_id, metrics=items[start:start + 500])

    def set_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():
            self._client.set_tag(run_id, key, str(value))

    def log_dict(self, run_id: str, data: Any, artifact_file: str) -> None:
        text = json.dumps(data, indent=2, sort_keys=True, default=str)
        self.log_text(run_id, text, artifact_file)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        self._client.log_text(run_id, text, artifact_file)

    def log_artifact(self, run_id: str, path: Path, artifact_path: str | None = None) -> None:
        if Path(path).is_dir():
            self._client.log_artifacts(run_id, str(path), artifact_path)
        else:
            self._client.log_artifact(run_id, str(path), artifact_path)

    def runs(self, phase: str | None = None, *, finished_only: bool = True) -> list[RunRecord]:
        clauses = []
        if phase:
            clauses.append(f"tags.`{PHASE_TAG}` = '{phase}'")
        if finished_only:
            clauses.append("attributes.status = 'FINISHED'")
        found = self._client.search_runs(
            [self.experiment_id], filter_string=" and ".join(clauses),
            order_by=["attributes.start_time DESC"], max_results=1000,
        )
        return [_record(r) for r in found]

    def latest(self, phase: str) -> RunRecord | None:
        found = self.runs(phase)
        return found[0] if found else None

    def load_dict(self, run_id: str, artifact_file: str) -> Any:
        return json.loads(self.artifact_path(run_id, artifact_file).read_text(encoding="utf-8"))

    def artifact_path(self, run_id: str, artifact_file: str) -> Path:
        from mlflow.artifacts import download_artifacts

        try:
            local = download_artifacts(run_id=run_id, artifact_path=artifact_file,
                                       tracking_uri=self.uri,
                                       dst_path=tempfile.mkdtemp(prefix="mlsprint-"))
        except Exception as exc:
            raise TrackingError(f"run {run_id} has no artifact {artifact_file!r}: "
                                f"{str(exc).splitlines()[0]}; rerun the phase that writes it"
                                ) from None
        return Path(local)

    def children(self, parent_run_id: str) -> Iterator[RunRecord]:
        found = self._client.search_runs(
            [self.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'",
            order_by=["attributes.start_time ASC"], max_results=5000)
        return iter([_record(r) for r in found])


def _finite(value: float) -> bool:
    import math

    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _param_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text[:MAX_PARAM_LENGTH]


def _record(run: Any) -> RunRecord:
    return RunRecord(
        run_id=run.info.run_id, phase=run.data.tags.get(PHASE_TAG, ""),
        status=run.info.status, start_time=run.info.start_time / 1000.0,
        metrics=dict(run.data.metrics), params=dict(run.data.params), tags=dict(run.data.tags),
    )
