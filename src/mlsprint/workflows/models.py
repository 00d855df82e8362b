"""Which model a command uses: ``--model`` or the resolution rule of ARCHITECTURE.md."""

from __future__ import annotations

from typing import Any

from mlsprint.workflows.context import Project

__all__ = ["open_model"]


def open_model(project: Project, ref: str | None) -> tuple[Any, Any]:
    """Resolve ``ref`` (a path, ``models:/NAME@ALIAS``, or None: champion, else the latest
    validated candidate, else the latest trained one) and load the verified bundle."""
    from mlsprint.artifacts import load_bundle, resolve_model

    resolved = resolve_model(ref, tracking_uri=project.tracking_uri,
                             project_paths=project.paths, name=project.spec.name)
    return resolved, load_bundle(resolved.path)
