"""``mlsprint monitor``: drift, real and label-free performance, serving health, per window.

Current rows come from a file (``--current``) or from the serving prediction log
(``--log``, with outcomes from ``/feedback``). The model's bundle carries the reference
statistics, so monitoring never reads the training data. Outputs: an HTML report, JSON,
a Prometheus textfile (and a Pushgateway push when the spec names one); the exit code is
the worst check's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.errors import BundleError, DataError
from mlsprint.sources import load_table, read_options
from mlsprint.workflows.context import Project
from mlsprint.workflows.files import write_json_atomic, write_text_atomic
from mlsprint.workflows.models import open_model

__all__ = ["MonitorOutcome", "run_export_config", "run_monitor"]

TEXTFILE = "mlsprint_monitoring.prom"


@dataclass(frozen=True)
class MonitorOutcome:
    reports: list[Any]
    exit_code: int
    model: str
    outputs: dict[str, Path]
    run_id: str


def _current_from_file(project: Project, path: Path) -> pd.DataFrame:
    return load_table(path, options=read_options(project.spec.data)).frame


def _current_from_log(project: Project) -> pd.DataFrame:
    """Logged rows as a frame: inputs, outcome as the target, latency and errors."""
    from mlsprint.stores import PredictionLog

    url = project.spec.serving.prediction_log_url or project.paths.prediction_log
    if isinstance(url, Path) and not url.exists():
        raise DataError(f"{url}: no prediction log yet; serve the model ('mlsprint serve') "
                        "or monitor a file with --current FILE")
    log = PredictionLog(url)
    try:
        logged = log.read_predictions()
    finally:
        log.close()
    if logged.empty:
        raise DataError("the prediction log holds no predictions yet; monitor a file with "
                        "--current FILE")
    inputs = pd.DataFrame.from_records(logged["inputs"].tolist(), index=logged.index)
    target = project.spec.data.target
    inputs[target] = logged["outcome"]
    extra = logged[["time", "latency_ms", "error_kind"]].rename(columns={"time": "__time__"})
    return pd.concat([inputs, extra], axis=1)


def _window_report(bundle: Any, label: str, rows: pd.DataFrame, project: Project,
                   tests: str) -> Any:
    from mlsprint.artifacts.outputs import positive_position
    from mlsprint.monitoring import (
        MonitoringReport,
        detect_drift,
        estimate_performance,
        performance_from_labels,
        serving_health,
    )

    spec, reference = project.spec, bundle.reference
    task, target = spec.task.type, spec.data.target
    X = rows[[c for c in bundle.columns if c in rows.columns]]
    answer = bundle.predict(X)
    values = (answer["value"].to_numpy() if task == "regression"
              else answer[[c for c in answer.columns if c.startswith("proba_")]].to_numpy())
    labelled = target in rows.columns and rows[target].notna().any()
    y = rows.loc[rows[target].notna(), target] if labelled else None
    drift = detect_drift(reference, X, current_predictions=values,
                         current_target=y.to_numpy() if labelled else None,
                         spec_monitoring=spec.monitoring, tests=tests,
                         importance=reference.get("importance"), random_state=spec.seed)
    estimated = None
    if task == "binary" and reference.get("calibration"):
        estimated = estimate_performance(
            reference["calibration"], values, classes=bundle.classes,
            positive_class=spec.task.positive_class, threshold=bundle.threshold or 0.5,
            reference_performance=reference.get("performance"),
            spec_monitoring=spec.monitoring, random_state=spec.seed)
    performance = None
    if labelled and reference.get("performance"):
        mask = rows[target].notna().to_numpy()
        pred = answer["value" if task == "regression" else "label"].to_numpy()[mask]
        score = values[mask]
        if task == "binary":
            score = score[:, positive_position(bundle.classes, spec.task.positive_class)]
        performance = performance_from_labels(
            y.to_numpy(), pred, reference=reference["performance"], task=task, y_score=score,
            positive_class=spec.task.positive_class, spec_monitoring=spec.monitoring)
    serving = None
    if "latency_ms" in rows.columns:
        serving = serving_health(rows["latency_ms"].to_numpy(dtype="float64"),
                                 rows["error_kind"].notna().to_numpy(), spec.monitoring)
    start = end = None
    if "__time__" in rows.columns:
        start, end = str(rows["__time__"].min()), str(rows["__time__"].max())
    return MonitoringReport(label, start, end, drift=drift, performance=performance,
                            estimated_performance=estimated, serving=serving)


def _windows(frame: pd.DataFrame, window: str | None, time_column: str | None
             ) -> list[tuple[str, pd.DataFrame]]:
    from mlsprint.monitoring import split_windows

    if window is None:
        return [("all", frame)]
    size: str | int = int(window) if window.isdigit() else window
    if isinstance(size, str) and time_column is None:
        raise DataError(f"--window {window}: a time window needs timestamps; monitor the "
                        "prediction log (--log) or give a number of rows, e.g. --window 5000")
    return split_windows(frame, size, time_column)


def run_monitor(folder: str | Path | Project = ".", *, current: Path | None = None,
                log: bool = False, window: str | None = None, model: str | None = None,
                tests: str = "mlsprint") -> MonitorOutcome:
    """Monitor ``current`` (or the prediction log) against the model's reference."""
    from mlsprint.monitoring import worst_exit_code

    project = Project.open(folder)
    resolved, bundle = open_model(project, model)
    if not bundle.reference or not bundle.reference.get("columns"):
        raise BundleError(f"{resolved.path}: the bundle carries no reference statistics; "
                          "monitor a validated bundle (run 'mlsprint validate')")
    if (current is None) == (not log):
        raise DataError("give exactly one of --current FILE or --log")
    frame = _current_from_log(project) if log else _current_from_file(project, current)
    time_column = "__time__" if log else None
    reports = [_window_report(bundle, label, rows, project, tests)
               for label, rows in _windows(frame, window, time_column)]
    code = worst_exit_code(reports)
    outputs = _write_outputs(project, reports, bundle, resolved)
    with project.phase("monitor", params={"model": resolved.how, "window": window,
                                          "source": "log" if log else str(current),
                                          "tests": tests, "windows": len(reports)}) as run_id:
        project.tracker.log_metrics(run_id, _metrics(reports, code))
        project.tracker.set_tags(run_id, {"mlsprint.monitoring_level": reports[-1].worst})
        for path in outputs.values():
            project.tracker.log_artifact(run_id, path)
    return MonitorOutcome(reports, code, resolved.how, outputs, run_id)


def _write_outputs(project: Project, reports: list[Any], bundle: Any, resolved: Any
                   ) -> dict[str, Path]:
    from mlsprint.monitoring import prometheus_textfile, push_to_gateway, render_monitoring_html

    spec, folder = project.spec, project.paths.reports
    version = str(resolved.version or bundle.sha256[:12])
    latest = reports[-1]
    outputs = {
        "html": write_text_atomic(folder / "monitoring.html", render_monitoring_html(
            reports, reference=bundle.reference, title=f"Monitoring: {spec.name}",
            psi_thresholds=(spec.monitoring.psi.warning, spec.monitoring.psi.critical))),
        "json": write_json_atomic(folder / "monitoring.json",
                                  {"model": resolved.to_dict(), "generated": time.time(),
                                   "windows": [r.to_dict() for r in reports]}),
        "textfile": write_text_atomic(folder / TEXTFILE, prometheus_textfile(
            latest, model=spec.name, version=version)),
    }
    if spec.monitoring.pushgateway_url:
        push_to_gateway(latest, url=spec.monitoring.pushgateway_url, model=spec.name,
                        version=version)
    return outputs


def _metrics(reports: list[Any], code: int) -> dict[str, float]:
    latest = reports[-1].to_dict()
    drift = latest.get("drift") or {}
    found = {"exit_code": code, "windows": len(reports)}
    for key in ("drift_share", "weighted_drift_share"):
        if isinstance(drift.get(key), (int, float)):
            found[key] = float(drift[key])
    return {k: v for k, v in found.items() if np.isfinite(v)}


def run_export_config(folder: str | Path | Project, out: Path) -> dict[str, Path]:
    """Prometheus alert rules and a Grafana dashboard for the serving and drift metrics."""
    from mlsprint.monitoring import export_config

    project = Project.open(folder)
    rules, dashboard = export_config(model_name=project.spec.name)
    return {"rules": write_text_atomic(out / "mlsprint-alerts.rules.yml", rules),
            "dashboard": write_text_atomic(out / "mlsprint-dashboard.json", dashboard)}
