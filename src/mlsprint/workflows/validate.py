"""``mlsprint validate``: holdout evidence, the gate, the model card, the registered bundle.

The candidate is evaluated once on the untouched holdout (see ``workflows.evidence``);
the gate and the card are computed from that evidence; the validated bundle freezes
both with the model and is registered as ``challenger``. On GO, when the project has no
champion yet, it also becomes ``champion`` (the first deployment).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsprint.stores.split_files import read_side
from mlsprint.workflows.context import Project
from mlsprint.workflows.evidence import collect_evidence, latest_candidate, shipped_thresholds
from mlsprint.workflows.files import write_json_atomic, write_text_atomic
from mlsprint.workflows.split import load_train, read_split

__all__ = ["ValidateOutcome", "log_gate", "run_validate"]


@dataclass(frozen=True)
class ValidateOutcome:
    gate: Any
    evidence: dict[str, Any]
    bundle: Path
    version: str | None
    champion: bool
    reports: dict[str, Path]
    run_id: str


def run_validate(folder: str | Path | Project = ".", *, model: str | None = None,
                 n_boot: int = 1000, mitigate: bool = False) -> ValidateOutcome:
    """Validate the latest candidate (or ``model``), decide the gate, register the bundle."""
    from mlsprint.artifacts import save_bundle
    from mlsprint.cards import build_card, render_validation_html
    from mlsprint.evaluation import decide_gate

    project = Project.open(folder)
    candidate = latest_candidate(project, model)
    versions = project.lineage()["packages"]
    data_fp = read_split(project)["fingerprints"]["data"]
    with project.phase("validate", params={"candidate": candidate.name, "n_boot": n_boot,
                                           "mitigate": mitigate},
                       fingerprint=data_fp) as run_id:
        found = collect_evidence(project, candidate, n_boot=n_boot, mitigate=mitigate)
        evidence = {**found.evidence, "lineage": {**found.evidence["lineage"],
                                                  "run_ids": {"validate": run_id}}}
        gate = decide_gate(evidence, project.spec)
        card = build_card(evidence, project.spec, gate=gate)
        source = found.candidate
        bundle = project.paths.bundles / run_id
        save_bundle(bundle, pipeline=found.pipeline, baseline=source.baseline,
                    contract=source.contract, spec=project.spec,
                    evidence={**evidence, "gate": gate.to_dict()}, card_md=card.to_markdown(),
                    card_html=card.to_html(), reference=found.reference,
                    lineage={**source.lineage, "validate_run_id": run_id,
                             "validated_by": versions.get("mlsprint")},
                    input_example=found.input_example,
                    threshold=source.threshold,
                    group_thresholds=shipped_thresholds(evidence))
        reports = _write_reports(project, evidence, gate, card,
                                 render_validation_html(evidence, project.spec, gate=gate))
        _log_validation(project, run_id, evidence, reports, found.recalibration)
    log_gate(project, gate, run_id)
    version, champion = _register(project, bundle, card.to_markdown(), gate, run_id)
    return ValidateOutcome(gate, evidence, bundle, version, champion, reports, run_id)


def _write_reports(project: Project, evidence: dict[str, Any], gate: Any, card: Any,
                   validation_html: str) -> dict[str, Path]:
    reports = project.paths.reports
    return {
        "validation": write_text_atomic(reports / "validation.html", validation_html),
        "card_md": write_text_atomic(reports / "card.md", card.to_markdown()),
        "card_html": write_text_atomic(reports / "card.html", card.to_html()),
        "card_json": write_json_atomic(reports / "card.json", card.to_dict()),
        "evidence": write_json_atomic(reports / "evidence.json", evidence),
        "gate": write_json_atomic(reports / "gate.json", gate.to_dict()),
    }


def _holdout_metrics(evidence: dict[str, Any]) -> dict[str, float]:
    flat: dict[str, float] = {}
    holdout = evidence["holdout"]
    for name, interval in holdout["metrics"].items():
        flat[f"holdout_{name}"] = interval["estimate"]
        flat[f"holdout_{name}_low"] = interval["low"]
        flat[f"holdout_{name}_high"] = interval["high"]
    for name, interval in holdout.get("improvement", {}).items():
        flat[f"improvement_{name}"] = interval["estimate"]
        flat[f"improvement_{name}_low"] = interval["low"]
    latency = evidence.get("latency") or {}
    for key in ("single_p50_ms", "single_p95_ms"):
        if isinstance(latency.get(key), (int, float)):
            flat[f"latency_{key}"] = latency[key]
    return flat


def _log_validation(project: Project, run_id: str, evidence: dict[str, Any],
                    reports: dict[str, Path], recalibration: str) -> None:
    tracker = project.tracker
    tracker.log_metrics(run_id, _holdout_metrics(evidence))
    tracker.set_tags(run_id, {
        "mlsprint.fairness": "audited" if evidence.get("fairness") else "",
        "mlsprint.business": "computed" if evidence.get("business") else "",
        "mlsprint.card": "generated", "mlsprint.recalibration": recalibration,
    })
    for path in reports.values():
        tracker.log_artifact(run_id, path)


def log_gate(project: Project, gate: Any, validate_run: str) -> None:
    tags = {"mlsprint.verdict": gate.verdict, "mlsprint.validate_run": validate_run}
    tags.update({f"mlsprint.gate.{c.key}": c.status for c in gate.criteria})
    with project.phase("gate", tags=tags) as run_id:
        project.tracker.log_dict(run_id, gate.to_dict(), "gate.json")
        project.tracker.log_metrics(run_id, {"exit_code": gate.exit_code})


def _register(project: Project, bundle: Path, card_md: str, gate: Any, validate_run: str
              ) -> tuple[str, bool]:
    """Register as challenger; on GO without a champion, also make it champion."""
    from mlsprint.artifacts import get_alias_version, log_datasets, promote, register_bundle

    uri, name = project.tracking_uri, project.spec.name
    with project.phase("register", tags={"mlsprint.fallback": "baseline",
                                         "mlsprint.validate_run": validate_run}) as run_id:
        version = register_bundle(uri, name, bundle, alias="challenger", description=card_md,
                                  run_id=run_id)
        log_datasets(run_id, load_train(project), read_side(project.paths.holdout_file),
                     uri, target=project.spec.data.target)
        champion = gate.verdict == "GO" and get_alias_version(uri, name, "champion") is None
        if champion:
            promote(uri, name, version, log_path=project.paths.promotions,
                    why="first deployment: gate GO and no champion yet", who=getpass.getuser())
        project.tracker.set_tags(run_id, {"mlsprint.version": version,
                                          "mlsprint.champion": str(champion).lower()})
    return version, champion
