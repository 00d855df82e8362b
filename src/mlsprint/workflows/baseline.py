"""``mlsprint baseline``: the dummy and linear baselines the gate compares against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib

from mlsprint.errors import DataError
from mlsprint.training.baseline import fit_baseline
from mlsprint.workflows.context import Project
from mlsprint.workflows.files import write_json_atomic, write_text_atomic
from mlsprint.workflows.inputs import training_inputs

__all__ = ["BaselineOutcome", "baseline_dir", "load_baseline", "run_baseline"]


@dataclass(frozen=True, slots=True)
class BaselineOutcome:
    summary: dict[str, Any]
    run_id: str


def baseline_dir(project: Project) -> Path:
    return project.paths.state / "baseline"


def load_baseline(project: Project, name: str) -> Any:
    """A fitted baseline (``linear`` or ``dummy``) saved by the baseline phase."""
    path = baseline_dir(project) / f"{name}.joblib"
    if not path.exists():
        raise DataError(f"{path}: no {name} baseline yet; run 'mlsprint baseline' first")
    return joblib.load(path)


def run_baseline(folder: str | Path | Project = ".") -> BaselineOutcome:
    """Cross-validate both baselines on the training rows and keep them for the gate."""
    project = Project.open(folder)
    inputs = training_inputs(project)
    result = fit_baseline(inputs.X, inputs.y, contract=inputs.contract, spec=project.spec,
                          plan=inputs.plan, groups=inputs.groups,
                          sample_weight=inputs.sample_weight, random_state=project.spec.seed)
    summary = result.to_dict()
    out = baseline_dir(project)
    out.mkdir(parents=True, exist_ok=True)
    for name, model in ((name, cv.estimator) for name, cv in result.models.items()):
        tmp = out / f".{name}.joblib.tmp"
        joblib.dump(model, tmp)
        tmp.replace(out / f"{name}.joblib")
    write_text_atomic(out / "contract.json", inputs.contract.to_json())
    write_json_atomic(out / "baseline.json", summary)
    with project.phase("baseline", fingerprint=inputs.fingerprints["data"],
                       params={"primary_metric": project.spec.task.primary,
                               "split": inputs.plan.strategy}) as run_id:
        project.tracker.log_metrics(run_id, _flat_metrics(summary))
        project.tracker.log_dict(run_id, summary, "baseline.json")
    return BaselineOutcome(summary, run_id)


def _flat_metrics(summary: dict[str, Any]) -> dict[str, float]:
    """``<model>_<metric>_cv_mean`` / ``_cv_std`` for every model and metric."""
    flat: dict[str, float] = {}
    for model, scores in summary["models"].items():
        for stat in ("mean", "std"):
            for metric, value in scores[f"cv_{stat}"].items():
                if value is not None:
                    flat[f"{model}_{metric}_cv_{stat}"] = float(value)
    return flat
