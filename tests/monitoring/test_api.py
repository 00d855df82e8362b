"""The public surface of mlsprint.monitoring is pinned, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import mlsprint.monitoring as monitoring

EXPECTED = [
    "CBPEReport", "CurrentStats", "DriftCheck", "DriftReport", "EXIT_CODES",
    "MonitoringReport", "PREDICTION", "PerformanceReport", "ServingHealth", "build_reference",
    "chi_square", "detect_drift", "drift_from_stats", "estimate_performance",
    "evidently_chi_square", "evidently_jensen_shannon", "evidently_ks", "evidently_psi",
    "evidently_stattest", "evidently_wasserstein", "evidently_z", "export_config",
    "fit_calibration", "holm", "jensen_shannon", "ks", "merge_column_stats",
    "performance_from_labels", "prometheus_textfile", "psi", "psi_from_counts",
    "push_to_gateway", "render_monitoring_html", "serving_health", "split_windows",
    "wasserstein_normed", "worst", "worst_exit_code", "z_test",
]


def test_all_is_pinned_and_sorted() -> None:
    assert monitoring.__all__ == EXPECTED == sorted(EXPECTED)
    assert all(hasattr(monitoring, name) for name in EXPECTED)


def test_import_is_light() -> None:
    code = ("import sys, mlsprint.monitoring; heavy = [m for m in ('scipy', 'sklearn', "
            "'matplotlib', 'prometheus_client', 'lightgbm', 'mlflow') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
