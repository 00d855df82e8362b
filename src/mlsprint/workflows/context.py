"""The project a workflow runs in: its folder, spec, data and tracker, and run lineage."""

from __future__ import annotations

import importlib
import platform
import subprocess
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from mlsprint.sources import LoadedTable, load_table, read_options
from mlsprint.spec import ProjectSpec, load_spec
from mlsprint.spec.paths import ProjectPaths
from mlsprint.tracking import MlflowTracker, Tracker, default_tracking_uri
from mlsprint.tracking.process import ProcessTracker

__all__ = ["Project", "git_commit", "package_versions"]

TRACKED_PACKAGES = (
    "mlsprint", "numpy", "pandas", "scikit-learn", "lightgbm", "xgboost-cpu", "catboost",
    "optuna",
    "mlflow", "fairlearn", "fastapi", "pydantic", "scipy", "pyarrow",
)


def package_versions() -> dict[str, str]:
    """Exact versions of the packages a model's behaviour depends on."""
    found = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def git_commit(folder: Path) -> str | None:
    """The commit of the project folder when it is a git checkout (``+dirty`` if modified)."""
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain"],
                               capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


@dataclass
class Project:
    """A project folder with a valid spec; opens the tracker on first use."""

    paths: ProjectPaths
    spec: ProjectSpec
    _tracker: Tracker | None = field(default=None, repr=False)
    _table: LoadedTable | None = field(default=None, repr=False)

    @classmethod
    def open(cls, folder: str | Path | Project = ".") -> Project:
        """Open the project in ``folder``; an open project is returned as it is, so a
        command that runs several workflows reads its spec and data once."""
        if isinstance(folder, Project):
            return folder
        paths = ProjectPaths.of(folder)
        return cls(paths=paths, spec=load_spec(paths.spec))

    @property
    def tracking_uri(self) -> str:
        return self.spec.tracking.uri or default_tracking_uri(self.paths.state)

    @property
    def optuna_storage(self) -> str:
        return self.spec.tracking.optuna_storage or f"sqlite:///{self.paths.optuna_db}"

    @property
    def tracker(self) -> Tracker:
        if self._tracker is None:
            self._tracker = self._open_tracker()
        return self._tracker

    def open_tracker_early(self) -> None:
        """Start opening the tracker in a helper process while the caller reads and
        computes.

        Importing MLflow and connecting to (or creating) its store takes 3-4 s of Python
        under the GIL; a command whose first evidence comes after reading and profiling a
        large table runs it on the other core (:class:`ProcessTracker`). Errors surface at
        the first use of :attr:`tracker`, as without this.
        """
        if self._tracker is None:
            self.paths.state.mkdir(parents=True, exist_ok=True)
            self._tracker = ProcessTracker.start(self.tracking_uri, self.spec.name,
                                                 artifact_location=self.paths.artifact_store)

    def import_early(self, *modules: str) -> None:
        """Import ``modules`` in a thread while the caller reads the data.

        Reading Parquet runs in Arrow's threads without the GIL; an import is Python
        under the GIL. Overlapping them saves most of the import's wall time.
        """
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlsprint-import")
        for module in modules:
            pool.submit(importlib.import_module, module)
        pool.shutdown(wait=False)

    def _open_tracker(self) -> Tracker:
        self.paths.state.mkdir(parents=True, exist_ok=True)
        return MlflowTracker(self.tracking_uri, self.spec.name,
                             artifact_location=self.paths.artifact_store)

    def data(self) -> LoadedTable:
        """The project's full table, read once per process with the spec's options."""
        if self._table is None:
            data = self.spec.data
            self._table = load_table(data.source, sql=data.sql, options=read_options(data),
                                     base_dir=self.paths.root)
        return self._table

    def lineage(self) -> dict[str, Any]:
        return {"seed": self.spec.seed, "git_commit": git_commit(self.paths.root),
                "packages": package_versions(), "spec_name": self.spec.name}

    @contextmanager
    def phase(self, phase: str, *, params: Mapping[str, Any] | None = None,
              fingerprint: str | None = None, tags: Mapping[str, str] | None = None,
              parent_run_id: str | None = None) -> Iterator[str]:
        """One tracker run for one command, recording spec, seed, versions and commit."""
        lineage = self.lineage()
        run_tags = {"mlsprint.seed": str(self.spec.seed), **(tags or {})}
        if lineage["git_commit"]:
            run_tags["mlsprint.git_commit"] = lineage["git_commit"]
        if fingerprint:
            run_tags["mlsprint.data_fingerprint"] = fingerprint
        with self.tracker.run(phase, tags=run_tags, parent_run_id=parent_run_id) as run_id:
            self.tracker.log_params(run_id, {"seed": self.spec.seed, **(params or {})})
            self.tracker.log_text(run_id, yaml.safe_dump(
                self.spec.model_dump(mode="json"), sort_keys=False), "spec.yaml")
            self.tracker.log_dict(run_id, lineage, "lineage.json")
            yield run_id
