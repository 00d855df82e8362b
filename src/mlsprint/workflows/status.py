"""``mlsprint status``: the seed's phase checklist, ticked only from tracker evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mlsprint.tracking import RunRecord
from mlsprint.workflows.context import Project

__all__ = ["ChecklistItem", "StatusReport", "run_status"]

Runs = dict[str, list[RunRecord]]


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    section: str
    label: str
    done: bool
    evidence: str
    command: str


@dataclass(frozen=True, slots=True)
class StatusReport:
    project: str
    tracking_uri: str
    items: tuple[ChecklistItem, ...]
    gate_verdict: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "tracking_uri": self.tracking_uri,
                "gate_verdict": self.gate_verdict, "items": [asdict(i) for i in self.items]}


def _latest(runs: Runs, phase: str) -> RunRecord | None:
    found = runs.get(phase) or []
    return found[0] if found else None


def _has(phase: str, *, tag: str | None = None, metric: str | None = None,
         minimum: float = 1) -> Callable[[Runs], tuple[bool, str]]:
    """A predicate: the latest ``phase`` run exists (and carries ``tag`` / ``metric``)."""

    def check(runs: Runs) -> tuple[bool, str]:
        run = _latest(runs, phase)
        if run is None:
            return False, f"no finished '{phase}' run"
        if tag and run.tags.get(tag) in (None, "", "false"):
            return False, f"'{phase}' run {run.run_id[:8]} has no {tag}"
        if metric and run.metrics.get(metric, float("-inf")) < minimum:
            return False, f"'{phase}' run {run.run_id[:8]}: {metric} < {minimum}"
        detail = f" ({tag}={run.tags[tag]})" if tag else ""
        if metric:
            detail = f" ({metric}={run.metrics[metric]:g})"
        return True, f"'{phase}' run {run.run_id[:8]}{detail}"

    return check


def _gate_criterion(name: str) -> Callable[[Runs], tuple[bool, str]]:
    def check(runs: Runs) -> tuple[bool, str]:
        run = _latest(runs, "gate")
        if run is None:
            return False, "no finished 'gate' run"
        status = run.tags.get(f"mlsprint.gate.{name}")
        return status == "pass", f"gate criterion '{name}': {status or 'not evaluated'}"

    return check


D12, D34, D5, D6, PROD = ("Days 1-2", "Days 3-4", "Day 5", "Day 6",
                          "Checklist Before Production")
ITEMS: tuple[tuple[str, str, Callable[[Runs], tuple[bool, str]], str], ...] = (
    (D12, "Problem defined and data checked against the spec", _has("check"), "mlsprint check"),
    (D12, "Business objective, KPI and intended use written",
     _has("check", tag="mlsprint.problem_complete"), "edit problem: in mlsprint.yaml"),
    (D12, "Exploratory analysis, quality and leakage checks", _has("profile"), "mlsprint profile"),
    (D12, "Holdout cut once, fingerprinted, stored apart", _has("split"), "mlsprint split"),
    (D12, "Baseline model cross-validated", _has("baseline"), "mlsprint baseline"),
    (D34, "Algorithms selected and compared", _has("train", metric="n_families", minimum=2),
     "mlsprint train"),
    (D34, "Hyperparameters optimised", _has("train", metric="n_trials", minimum=2),
     "mlsprint train"),
    (D34, "Ensemble methods tried", _has("train", tag="mlsprint.ensemble"), "mlsprint train"),
    (D34, "Errors analysed by slice", _has("train", tag="mlsprint.error_analysis"),
     "mlsprint train"),
    (D5, "Validated on the untouched holdout", _has("validate"), "mlsprint validate"),
    (D5, "Bias and fairness tested", _has("validate", tag="mlsprint.fairness"),
     "mlsprint validate"),
    (D5, "Business value verified", _has("validate", tag="mlsprint.business"),
     "set business.cost_matrix, then mlsprint validate"),
    (D5, "Model documented (model card)", _has("validate", tag="mlsprint.card"),
     "mlsprint validate"),
    (D5, "Go/no-go verdict computed", _has("gate", tag="mlsprint.verdict"), "mlsprint gate"),
    (D6, "Packaged for deployment", _has("package"), "mlsprint package"),
    (D6, "Monitoring set up", _has("monitor"), "mlsprint monitor --current FILE"),
    (D6, "A/B test analysed", _has("abtest"), "mlsprint abtest (not yet available)"),
    (D6, "Retraining pipeline run", _has("retrain"), "mlsprint retrain (not yet available)"),
    (PROD, "Model performance meets business requirements",
     _gate_criterion("business_requirements"), "set business.cost_matrix; mlsprint validate"),
    (PROD, "Bias and fairness evaluated", _gate_criterion("no_significant_bias"),
     "mlsprint validate"),
    (PROD, "Data privacy ensured", _gate_criterion("data_privacy"), "mlsprint validate"),
    (PROD, "API documented and tested", _has("package"), "mlsprint package"),
    (PROD, "Monitoring implemented", _gate_criterion("monitoring"), "mlsprint validate"),
    (PROD, "Retraining pipeline ready", _gate_criterion("retraining"),
     "mlsprint retrain (not yet available)"),
    (PROD, "Rollback plan defined", _gate_criterion("rollback"),
     "mlsprint validate (registers the bundle with its fallback)"),
    (PROD, "Stakeholders approved", _gate_criterion("stakeholder_signoff"),
     "a sign-off by a person (pending)"),
)


def run_status(folder: str | Path | Project = ".") -> StatusReport:
    """Tick each checklist item from the tracker's finished runs."""
    project = Project.open(folder)
    runs: Runs = {}
    for run in project.tracker.runs():
        runs.setdefault(run.phase, []).append(run)
    items = []
    for section, label, predicate, command in ITEMS:
        done, evidence = predicate(runs)
        items.append(ChecklistItem(section, label, done, evidence, command))
    gate = _latest(runs, "gate")
    verdict = gate.tags.get("mlsprint.verdict") if gate else None
    return StatusReport(project.spec.name, project.tracking_uri, tuple(items), verdict)
