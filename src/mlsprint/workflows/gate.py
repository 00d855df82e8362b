"""``mlsprint gate``: the go/no-go verdict recomputed from the tracker's evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlsprint.errors import TrackingError
from mlsprint.workflows.context import Project

__all__ = ["run_gate"]


def run_gate(folder: str | Path | Project = ".") -> Any:
    """Decide from the latest validation's evidence (plus later evidence); record it."""
    from mlsprint.evaluation import decide_gate
    from mlsprint.workflows.validate import log_gate

    project = Project.open(folder)
    validation = project.tracker.latest("validate")
    if validation is None:
        raise TrackingError(f"{project.tracking_uri}: no finished 'validate' run to judge; "
                            "run 'mlsprint validate' first")
    evidence = project.tracker.load_dict(validation.run_id, "evidence.json")
    gate = decide_gate(evidence, project.spec)
    log_gate(project, gate, validation.run_id)
    return gate
