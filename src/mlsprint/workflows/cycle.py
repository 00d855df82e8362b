"""``mlsprint run``: every phase so far in one command; its exit code is the gate's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlsprint.workflows.baseline import run_baseline
from mlsprint.workflows.check import run_check
from mlsprint.workflows.context import Project
from mlsprint.workflows.profile import run_profile
from mlsprint.workflows.split import run_split
from mlsprint.workflows.train import run_train
from mlsprint.workflows.validate import run_validate

__all__ = ["run_cycle"]


def run_cycle(folder: str | Path | Project = ".", *, budget_seconds: float | None = None,
              n_trials: int | None = None, on_phase: Callable[[str, Any], None] | None = None
              ) -> Any:
    """check, profile, split, baseline, train, validate (card, gate, register)."""
    report = on_phase or (lambda _phase, _outcome: None)
    project = Project.open(folder)  # one spec, one read of the data, for every phase
    report("check", run_check(project))
    report("profile", run_profile(project))
    report("split", run_split(project))
    report("baseline", run_baseline(project))
    report("train", run_train(project, budget_seconds=budget_seconds, n_trials=n_trials))
    outcome = run_validate(project)
    report("validate", outcome)
    return outcome
