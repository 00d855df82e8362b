"""Monitoring results as Prometheus gauges, plus alert rules and a Grafana dashboard.

Metric names (all prefixed ``mlsprint_``; labels ``model``, ``version``):

* emitted here (gauges, textfile or Pushgateway): ``mlsprint_drift_psi{feature}``,
  ``mlsprint_drift_detected{feature}``, ``mlsprint_drift_level{feature}`` (0/1/2),
  ``mlsprint_drift_share``, ``mlsprint_drift_weighted_share``,
  ``mlsprint_prediction_drift_psi``, ``mlsprint_estimated_performance{metric}``,
  ``mlsprint_performance{metric}``, ``mlsprint_monitoring_latency_p95_seconds``,
  ``mlsprint_monitoring_error_rate``, ``mlsprint_monitoring_level``,
  ``mlsprint_monitoring_last_run_timestamp_seconds``;
* exported by serving (``mlsprint.serving.metrics``; the rules and dashboard read them):
  ``mlsprint_requests_total`` (counter; labels ``route``, ``method``, ``status``),
  ``mlsprint_request_latency_seconds`` (histogram; label ``route``),
  ``mlsprint_fallbacks_total`` (counter; labels ``model``, ``version``, ``fallback``),
  ``mlsprint_predicted_rows_total`` (counter; labels ``model``, ``version``, ``variant``).
  One service process serves one model, so request metrics carry no ``model`` label.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from mlsprint.monitoring.levels import LEVELS
from mlsprint.monitoring.reference import PREDICTION
from mlsprint.monitoring.report import MonitoringReport

__all__ = ["SERVING_METRICS", "export_config", "prometheus_textfile", "push_to_gateway"]

SERVING_METRICS = {
    "requests": "mlsprint_requests_total",
    "latency": "mlsprint_request_latency_seconds",
    "fallbacks": "mlsprint_fallbacks_total",
    "rows": "mlsprint_predicted_rows_total",
}


def _registry(report: MonitoringReport, *, model: str, version: str,
              timestamp: float | None = None):
    from prometheus_client import CollectorRegistry, Gauge

    registry = CollectorRegistry()
    base = {"model": model, "version": str(version)}

    def gauge(name: str, doc: str, extra: tuple[str, ...] = ()) -> Any:
        return Gauge(name, doc, [*base, *extra], registry=registry)

    level = gauge("mlsprint_monitoring_level", "Worst check level (0 ok, 1 warning, 2 critical)")
    level.labels(**base).set(LEVELS.index(report.worst))
    gauge("mlsprint_monitoring_last_run_timestamp_seconds", "When monitoring last ran").labels(
        **base).set(time.time() if timestamp is None else timestamp)
    if report.drift is not None:
        _drift_gauges(report.drift, gauge, base)
    if report.estimated_performance is not None:
        g = gauge("mlsprint_estimated_performance", "Label-free (CBPE) estimate", ("metric",))
        for name, value in report.estimated_performance.estimates.items():
            g.labels(**base, metric=name).set(value)
    if report.performance is not None:
        g = gauge("mlsprint_performance", "Measured performance on labelled rows", ("metric",))
        for name, value in report.performance.metrics.items():
            g.labels(**base, metric=name).set(value)
    if report.serving is not None:
        gauge("mlsprint_monitoring_latency_p95_seconds", "p95 latency in the prediction log"
              ).labels(**base).set(report.serving.latency_p95_ms / 1000.0)
        gauge("mlsprint_monitoring_error_rate", "Error rate in the prediction log").labels(
            **base).set(report.serving.error_rate)
    return registry


def _drift_gauges(drift, gauge: Callable, base: dict[str, str]) -> None:
    psi = gauge("mlsprint_drift_psi", "PSI of a feature against the reference", ("feature",))
    detected = gauge("mlsprint_drift_detected", "1 when a feature drifted", ("feature",))
    level = gauge("mlsprint_drift_level", "Worst drift level of a feature (0/1/2)", ("feature",))
    per_feature: dict[str, int] = {}
    for check in drift.checks:
        if check.role != "feature":
            continue
        if check.check == "distribution" and check.psi is not None and check.psi == check.psi:
            psi.labels(**base, feature=check.column).set(check.psi)
        rank = LEVELS.index(check.level)
        per_feature[check.column] = max(per_feature.get(check.column, 0), rank)
    for feature, rank in per_feature.items():
        detected.labels(**base, feature=feature).set(int(rank > 0))
        level.labels(**base, feature=feature).set(rank)
    gauge("mlsprint_drift_share", "Share of drifted features").labels(**base).set(
        drift.drift_share)
    gauge("mlsprint_drift_weighted_share", "Importance-weighted share of drifted features"
          ).labels(**base).set(drift.weighted_drift_share)
    pred = [c for c in drift.checks if c.column == PREDICTION and c.check == "distribution"]
    if pred and pred[0].psi is not None and pred[0].psi == pred[0].psi:
        gauge("mlsprint_prediction_drift_psi", "PSI of the model's predictions").labels(
            **base).set(pred[0].psi)


def prometheus_textfile(report: MonitoringReport, *, model: str, version: str,
                        timestamp: float | None = None) -> str:
    """The report as node_exporter textfile-collector text (Prometheus exposition format)."""
    from prometheus_client import generate_latest

    return generate_latest(_registry(report, model=model, version=version,
                                     timestamp=timestamp)).decode("utf-8")


def push_to_gateway(report: MonitoringReport, *, url: str, model: str, version: str,
                    job: str = "mlsprint_monitor", handler: Callable | None = None) -> None:
    """Push the report's gauges to a Pushgateway (``prometheus_client.push_to_gateway``).

    ``handler`` is prometheus_client's transport hook (tests inject one; default HTTP).
    """
    from prometheus_client import push_to_gateway as _push
    from prometheus_client.exposition import default_handler

    registry = _registry(report, model=model, version=version)
    _push(url, job=job, registry=registry, grouping_key={"model": model},
          handler=handler or default_handler)


def _rule(name: str, expr: str, duration: str, severity: str, summary: str) -> dict[str, Any]:
    return {"alert": name, "expr": expr, "for": duration, "labels": {"severity": severity},
            "annotations": {"summary": summary, "description": summary + " (value {{ $value }})"}}


def _rules(model: str) -> dict[str, Any]:
    sel = f'model="{model}"'
    req, lat, fb = SERVING_METRICS["requests"], SERVING_METRICS["latency"], SERVING_METRICS[
        "fallbacks"]
    p95 = f"histogram_quantile(0.95, sum by (le) (rate({lat}_bucket[5m])))"
    err = (f'sum(rate({req}{{status=~"5.."}}[5m])) / '
           f"clamp_min(sum(rate({req}[5m])), 1e-9)")
    serving = [
        _rule("MlsprintLatencyP95Warning", f"{p95} > 0.5", "5m", "warning",
              f"{model}: p95 latency above 500 ms"),
        _rule("MlsprintLatencyP95Critical", f"{p95} > 1", "5m", "critical",
              f"{model}: p95 latency above 1000 ms"),
        _rule("MlsprintErrorRateWarning", f"{err} > 0.01", "5m", "warning",
              f"{model}: error rate above 1 %"),
        _rule("MlsprintErrorRateCritical", f"{err} > 0.05", "5m", "critical",
              f"{model}: error rate above 5 %"),
        _rule("MlsprintNoTraffic", f"sum(rate({req}[15m])) == 0", "15m", "warning",
              f"{model}: no requests for 15 minutes"),
        _rule("MlsprintFallbackUsed", f"sum(increase({fb}{{{sel}}}[15m])) > 0", "0m",
              "warning", f"{model}: the fallback model answered requests"),
    ]
    drift = [
        _rule("MlsprintFeatureDriftWarning", f"max(mlsprint_drift_level{{{sel}}}) >= 1", "0m",
              "warning", f"{model}: a feature drifted"),
        _rule("MlsprintFeatureDriftCritical", f"max(mlsprint_drift_level{{{sel}}}) >= 2", "0m",
              "critical", f"{model}: a feature drifted past the critical PSI"),
        _rule("MlsprintMonitoringCritical", f"max(mlsprint_monitoring_level{{{sel}}}) >= 2",
              "0m", "critical", f"{model}: the last monitoring run was critical"),
        _rule("MlsprintMonitoringStale",
              f"time() - max(mlsprint_monitoring_last_run_timestamp_seconds{{{sel}}}) > 172800",
              "0m", "warning", f"{model}: monitoring has not run for two days"),
    ]
    return {"groups": [{"name": f"mlsprint-{model}-serving", "rules": serving},
                       {"name": f"mlsprint-{model}-drift", "rules": drift}]}


def _panel(pid: int, title: str, exprs: list[tuple[str, str]], x: int, y: int,
           kind: str = "timeseries", unit: str = "short") -> dict[str, Any]:
    return {
        "id": pid, "type": kind, "title": title,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "options": {},
        "targets": [{"refId": chr(65 + i), "expr": expr, "legendFormat": legend,
                     "datasource": {"type": "prometheus", "uid": "${datasource}"}}
                    for i, (expr, legend) in enumerate(exprs)],
    }


def _dashboard(model: str) -> dict[str, Any]:
    sel = f'model="{model}"'
    req, lat, fb = (SERVING_METRICS[k] for k in ("requests", "latency", "fallbacks"))
    panels = [
        _panel(1, "Request rate", [(f"sum by (status) (rate({req}[5m]))", "{{status}}")],
               0, 0, unit="reqps"),
        _panel(2, "Latency p95", [(f"histogram_quantile(0.95, sum by (le, route) "
                                   f"(rate({lat}_bucket[5m])))", "{{route}}")], 12, 0,
               unit="s"),
        _panel(3, "Error rate", [(f'sum(rate({req}{{status=~"5.."}}[5m])) / '
                                  f"clamp_min(sum(rate({req}[5m])), 1e-9)", "errors")],
               0, 8, unit="percentunit"),
        _panel(4, "Fallback answers", [(f"sum(increase({fb}{{{sel}}}[1h]))", "fallbacks")],
               12, 8),
        _panel(5, "PSI per feature", [(f"mlsprint_drift_psi{{{sel}}}", "{{feature}}")], 0, 16),
        _panel(6, "Drift share", [(f"mlsprint_drift_share{{{sel}}}", "share"),
                                  (f"mlsprint_drift_weighted_share{{{sel}}}", "weighted")],
               12, 16, unit="percentunit"),
        _panel(7, "Estimated performance (CBPE)",
               [(f"mlsprint_estimated_performance{{{sel}}}", "{{metric}}")], 0, 24),
        _panel(8, "Monitoring level", [(f"max(mlsprint_monitoring_level{{{sel}}})", "level")],
               12, 24, kind="stat"),
        _panel(9, "Predicted rows by variant",
               [(f"sum by (variant) (rate({SERVING_METRICS['rows']}{{{sel}}}[5m]))",
                 "{{variant}}")], 0, 32, unit="rowsps"),
    ]
    return {
        "uid": f"mlsprint-{model}"[:40], "title": f"mlsprint — {model}", "tags": ["mlsprint"],
        "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": True,
        "time": {"from": "now-24h", "to": "now"}, "refresh": "1m",
        "templating": {"list": [{"name": "datasource", "type": "datasource",
                                 "query": "prometheus", "label": "Data source"}]},
        "annotations": {"list": []}, "panels": panels,
    }


def export_config(*, model_name: str) -> tuple[str, str]:
    """Prometheus alert rules (YAML) and a Grafana dashboard (import JSON) for one model."""
    import yaml

    rules = yaml.safe_dump(_rules(model_name), sort_keys=False, allow_unicode=True)
    return rules, json.dumps(_dashboard(model_name), indent=2, ensure_ascii=False)
