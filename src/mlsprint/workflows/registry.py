"""``mlsprint promote`` / ``rollback``: move ``champion``, written to the promotion log."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from mlsprint.errors import BundleError
from mlsprint.workflows.context import Project

__all__ = ["run_promote", "run_rollback"]


def run_promote(folder: str | Path | Project = ".", *, version: str | None = None,
                why: str = "promoted by hand") -> Any:
    """Make ``version`` (default: the current ``challenger``) the champion."""
    from mlsprint.artifacts import get_alias_version, promote

    project = Project.open(folder)
    uri, name = project.tracking_uri, project.spec.name
    version = version or get_alias_version(uri, name, "challenger")
    if version is None:
        raise BundleError(f"{name} has no challenger to promote; run 'mlsprint validate' "
                          "or pass --version")
    with project.phase("promote", params={"version": version, "why": why}):
        return promote(uri, name, version, log_path=project.paths.promotions, why=why,
                       who=getpass.getuser())


def run_rollback(folder: str | Path | Project = ".", *, why: str = "rolled back by hand") -> Any:
    """Give ``champion`` back to the version it replaced."""
    from mlsprint.artifacts import rollback

    project = Project.open(folder)
    with project.phase("rollback", params={"why": why}):
        return rollback(project.tracking_uri, project.spec.name,
                        log_path=project.paths.promotions, why=why, who=getpass.getuser())
