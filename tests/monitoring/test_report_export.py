"""Monitoring reports, windows, HTML, Prometheus text, alert rules and dashboard."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from tests.conftest import unavailable
from tests.monitoring.conftest import make_reference, read_pair

from mlsprint.monitoring import (
    MonitoringReport,
    detect_drift,
    estimate_performance,
    export_config,
    prometheus_textfile,
    push_to_gateway,
    render_monitoring_html,
    serving_health,
    split_windows,
    worst_exit_code,
)


@pytest.fixture(scope="module")
def window_reports():
    ref, cur = read_pair("bank_marketing")
    reference, _ = make_reference(ref, importance={"month": 2.0, "age": 1.0})
    quiet = detect_drift(reference, ref.sample(800, random_state=0))
    drifted = detect_drift(reference, cur)
    health = serving_health(np.full(100, 20.0), np.zeros(100, bool))
    cbpe = estimate_performance(None, np.random.default_rng(0).random(300))
    reports = [MonitoringReport("2024-01-01", drift=quiet, serving=health),
               MonitoringReport("2024-01-02", drift=drifted, estimated_performance=cbpe)]
    return reference, reports


def test_worst_level_and_exit_codes(window_reports) -> None:
    _, reports = window_reports
    assert reports[0].worst == "ok" and reports[0].exit_code == 0
    assert reports[1].worst == "critical" and reports[1].exit_code == 6
    assert worst_exit_code(reports) == 6 and worst_exit_code([]) == 0
    slow = MonitoringReport("w", serving=serving_health(np.full(20, 600.0), np.zeros(20, bool)))
    assert slow.exit_code == 5
    data = json.loads(json.dumps(reports[1].to_dict(), allow_nan=False))
    assert data["level"] == "critical" and "drift" in data and "estimated_performance" in data


def test_split_windows_by_day_week_and_rows() -> None:
    times = pd.date_range("2024-01-01", periods=240, freq="h")
    df = pd.DataFrame({"t": times.astype(str), "x": range(240)})
    days = split_windows(df, "1d", "t")
    assert [label for label, _ in days] == [f"2024-01-{d:02d}" for d in range(1, 11)]
    assert sum(len(rows) for _, rows in days) == 240
    weeks = split_windows(df, "7d", "t")
    assert [len(rows) for _, rows in weeks] == [168, 72]
    assert [len(rows) for _, rows in split_windows(df, 100)] == [100, 100, 40]
    assert len(split_windows(df, "100")) == 3
    with pytest.raises(ValueError, match="needs a time column"):
        split_windows(df, "1d")
    with pytest.raises(ValueError, match="Got '2w' instead"):
        split_windows(df, "2w", "t")
    with pytest.raises(ValueError, match="positive number of rows. Got 0"):
        split_windows(df, 0)


def test_html_report_is_self_contained_with_plots(window_reports) -> None:
    reference, reports = window_reports
    page = render_monitoring_html(reports, reference=reference)  # counts kept in the reports
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<link" not in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing fetched
    assert page.count("<svg") >= 4  # timeline, PSI bars, and per drifted feature
    assert "month: reference vs current" in page
    assert "critical" in page


def test_prometheus_textfile_parses_and_carries_the_gauges(window_reports) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    _, reports = window_reports
    text = prometheus_textfile(reports[1], model="bank", version="3", timestamp=1.7e9)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families["mlsprint_monitoring_level"].samples[0].value == 2
    psi = {s.labels["feature"]: s.value for s in families["mlsprint_drift_psi"].samples}
    assert psi["month"] == pytest.approx(reports[1].drift.check("month").psi)
    assert all(s.labels["model"] == "bank" and s.labels["version"] == "3"
               for f in families.values() for s in f.samples)
    assert families["mlsprint_drift_share"].samples[0].value == pytest.approx(
        reports[1].drift.drift_share)
    assert {s.labels["metric"] for s in families["mlsprint_estimated_performance"].samples} == {
        "accuracy", "f1", "roc_auc"}


def test_push_to_gateway_sends_the_same_text(window_reports) -> None:
    _, reports = window_reports
    sent = {}

    def handler(url, method, timeout, headers, data):
        def send():
            sent.update(url=url, method=method, data=data.decode())
        return send

    push_to_gateway(reports[0], url="http://127.0.0.1:9091", model="bank", version="1",
                    handler=handler)
    assert sent["method"] == "PUT"
    assert "/metrics/job/mlsprint_monitor/model/bank" in sent["url"]
    assert "mlsprint_monitoring_level" in sent["data"]


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        unavailable("promtool not installed (apt-get install -y prometheus)")
    return path


def test_alert_rules_pass_promtool(tmp_path) -> None:
    rules, _ = export_config(model_name="bank")
    (tmp_path / "rules.yml").write_text(rules)
    result = subprocess.run([_promtool(), "check", "rules", str(tmp_path / "rules.yml")],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 10 rules found" in result.stdout
    for name in ("mlsprint_request_latency_seconds_bucket", "mlsprint_requests_total",
                 "mlsprint_fallbacks_total", "mlsprint_drift_level"):
        assert name in rules


def test_dashboard_has_grafana_import_fields() -> None:
    _, dashboard = export_config(model_name="bank")
    data = json.loads(dashboard)
    for field in ("title", "uid", "panels", "schemaVersion", "time", "templating", "version"):
        assert field in data, field
    assert isinstance(data["schemaVersion"], int) and len(data["uid"]) <= 40
    ids = [p["id"] for p in data["panels"]]
    assert len(ids) == len(set(ids)) >= 9
    for panel in data["panels"]:
        assert panel["type"] in ("timeseries", "stat")
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        assert panel["targets"] and all(t["expr"] and t["refId"] for t in panel["targets"])
    exprs = " ".join(t["expr"] for p in data["panels"] for t in p["targets"])
    assert 'model="bank"' in exprs and "mlsprint_drift_psi" in exprs


def test_rules_and_dashboard_read_metrics_that_serving_exports() -> None:
    from prometheus_client import CollectorRegistry

    from mlsprint.monitoring.export import SERVING_METRICS
    from mlsprint.serving.metrics import Metrics

    registry = CollectorRegistry()
    Metrics(registry)
    families = {f.name: f.type for f in registry.collect()}
    for name in SERVING_METRICS.values():
        base = name.removesuffix("_total")
        assert base in families, name
        assert families[base] == ("counter" if name.endswith("_total") else "histogram"), name
