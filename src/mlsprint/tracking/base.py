"""The ``Tracker`` protocol: what workflows need from an experiment tracker.

Workflows talk to this protocol only; :mod:`mlsprint.tracking.mlflow_tracker` is the
adapter for MLflow (embedded SQLite by default, any MLflow URI otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["PHASES", "RunRecord", "Tracker"]

# Every command is one run tagged with its phase; `status`, `gate` and `card` read these.
PHASES = (
    "init", "check", "profile", "split", "baseline", "train", "candidate", "validate", "gate",
    "register", "package", "serve", "monitor", "promote", "rollback", "predict",
)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A finished or running tracker run, as workflows see it."""

    run_id: str
    phase: str
    status: str
    start_time: float
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "phase": self.phase, "status": self.status,
                "start_time": self.start_time, "metrics": dict(self.metrics),
                "params": dict(self.params), "tags": dict(self.tags)}


class Tracker(Protocol):
    """Record evidence of a phase and read it back."""

    uri: str

    def run(self, phase: str, *, tags: Mapping[str, str] | None = None,
            parent_run_id: str | None = None,
            name: str | None = None) -> AbstractContextManager[str]:
        """Open a run for ``phase``; yields its id; marks it FAILED if the block raises."""
        ...

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None: ...

    def log_metrics(self, run_id: str, metrics: Mapping[str, float]) -> None: ...

    def set_tags(self, run_id: str, tags: Mapping[str, str]) -> None: ...

    def log_dict(self, run_id: str, data: Any, artifact_file: str) -> None: ...

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None: ...

    def log_artifact(self, run_id: str, path: Path, artifact_path: str | None = None) -> None:
        ...

    def runs(self, phase: str | None = None, *, finished_only: bool = True) -> list[RunRecord]:
        """Runs of the project, newest first."""
        ...

    def latest(self, phase: str) -> RunRecord | None: ...

    def load_dict(self, run_id: str, artifact_file: str) -> Any: ...

    def artifact_path(self, run_id: str, artifact_file: str) -> Path: ...

    def children(self, parent_run_id: str) -> Iterator[RunRecord]: ...
