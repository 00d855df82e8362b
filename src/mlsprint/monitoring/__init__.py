"""Monitoring: reference statistics, drift, label-free and labelled performance, serving
health, reports and Prometheus/Grafana output. Pure functions: no file I/O."""

from mlsprint.monitoring.accumulate import CurrentStats
from mlsprint.monitoring.drift import DriftCheck, DriftReport, detect_drift, drift_from_stats
from mlsprint.monitoring.evidently_stats import (
    evidently_chi_square,
    evidently_jensen_shannon,
    evidently_ks,
    evidently_psi,
    evidently_stattest,
    evidently_wasserstein,
    evidently_z,
)
from mlsprint.monitoring.export import export_config, prometheus_textfile, push_to_gateway
from mlsprint.monitoring.levels import EXIT_CODES, worst
from mlsprint.monitoring.performance import (
    CBPEReport,
    PerformanceReport,
    ServingHealth,
    estimate_performance,
    performance_from_labels,
    serving_health,
)
from mlsprint.monitoring.reference import (
    PREDICTION,
    build_reference,
    fit_calibration,
    merge_column_stats,
)
from mlsprint.monitoring.render import render_monitoring_html
from mlsprint.monitoring.report import MonitoringReport, split_windows, worst_exit_code
from mlsprint.monitoring.stats import (
    chi_square,
    holm,
    jensen_shannon,
    ks,
    psi,
    psi_from_counts,
    wasserstein_normed,
    z_test,
)

__all__ = [
    "CBPEReport",
    "CurrentStats",
    "DriftCheck",
    "DriftReport",
    "EXIT_CODES",
    "MonitoringReport",
    "PREDICTION",
    "PerformanceReport",
    "ServingHealth",
    "build_reference",
    "chi_square",
    "detect_drift",
    "drift_from_stats",
    "estimate_performance",
    "evidently_chi_square",
    "evidently_jensen_shannon",
    "evidently_ks",
    "evidently_psi",
    "evidently_stattest",
    "evidently_wasserstein",
    "evidently_z",
    "export_config",
    "fit_calibration",
    "holm",
    "jensen_shannon",
    "ks",
    "merge_column_stats",
    "performance_from_labels",
    "prometheus_textfile",
    "psi",
    "psi_from_counts",
    "push_to_gateway",
    "render_monitoring_html",
    "serving_health",
    "split_windows",
    "wasserstein_normed",
    "worst",
    "worst_exit_code",
    "z_test",
]
