"""Label-free (CBPE) and labelled performance, serving health."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.monitoring.conftest import FIXTURES

from mlsprint.monitoring import (
    estimate_performance,
    fit_calibration,
    performance_from_labels,
    serving_health,
)
from mlsprint.spec.model import MonitoringSpec

GOLDEN_CBPE = json.loads((FIXTURES / "golden_cbpe.json").read_text())


def test_cbpe_agrees_with_nannyml_within_a_hundredth() -> None:
    reference = pd.read_csv(FIXTURES / "cbpe_reference.csv")
    analysis = pd.read_csv(FIXTURES / "cbpe_analysis.csv")
    assert GOLDEN_CBPE["needs_calibration"]  # NannyML calibrated: so must we
    calibration = fit_calibration(reference["y_true"], reference["y_pred_proba"],
                                  positive_class=1)
    report = estimate_performance(calibration, analysis["y_pred_proba"], classes=(0, 1),
                                  positive_class=1, threshold=GOLDEN_CBPE["threshold"])
    for metric, expected in GOLDEN_CBPE["estimates"].items():
        assert report.estimates[metric] == pytest.approx(expected, abs=0.01), metric
        assert report.estimates[metric] == pytest.approx(expected, abs=1e-6), metric  # in fact
        low, high = report.intervals[metric]
        assert low <= report.estimates[metric] <= high
    raw = estimate_performance(None, analysis["y_pred_proba"])
    assert abs(raw.estimates["accuracy"] - GOLDEN_CBPE["estimates"]["accuracy"]) > 0.01


def test_cbpe_is_exact_when_probabilities_are_true() -> None:
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    rng = np.random.default_rng(0)
    p = rng.beta(2, 3, size=20000)
    y = (rng.random(p.size) < p).astype(int)
    report = estimate_performance(None, np.column_stack([1 - p, p]), classes=(0, 1),
                                  positive_class=1, reference_performance={"accuracy": 0.9},
                                  spec_monitoring=MonitoringSpec())
    assert report.estimates["accuracy"] == pytest.approx(accuracy_score(y, p >= 0.5), abs=0.01)
    assert report.estimates["f1"] == pytest.approx(f1_score(y, p >= 0.5), abs=0.015)
    assert report.estimates["roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=0.01)
    assert report.levels["accuracy"] == "critical"  # ~0.68 estimated vs 0.9 reference
    assert report.to_dict()["level"] == "critical"


def test_cbpe_rejects_multiclass() -> None:
    with pytest.raises(ValueError, match=r"binary classifiers .* got classes=\['a', 'b', 'c'\]"):
        estimate_performance(None, np.full((3, 3), 1 / 3), classes=("a", "b", "c"),
                             positive_class="a")


def test_performance_from_labels_matches_sklearn_and_judges_drops() -> None:
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    rng = np.random.default_rng(1)
    y = np.where(rng.random(500) < 0.3, "yes", "no")
    score = np.clip((y == "yes") * 0.3 + rng.random(500) * 0.7, 0, 1)
    pred = np.where(score >= 0.5, "yes", "no")
    acc = accuracy_score(y, pred)
    report = performance_from_labels(y, pred, y_score=score, task="binary",
                                     positive_class="yes",
                                     reference={"accuracy": acc / 0.93, "f1": 0.0001,
                                                "roc_auc": roc_auc_score(y == "yes", score)})
    assert report.metrics["accuracy"] == pytest.approx(acc)
    assert report.metrics["f1"] == pytest.approx(f1_score(y, pred, pos_label="yes"))
    assert report.drops["accuracy"] == pytest.approx(0.07)
    assert report.levels == {"accuracy": "warning", "f1": "ok", "roc_auc": "ok"}
    reg = performance_from_labels([1.0, 2.0, 3.0], [1.5, 2.5, 3.5], task="regression",
                                  reference={"rmse": 0.4})
    assert reg.metrics["rmse"] == pytest.approx(0.5)
    assert reg.levels["rmse"] == "critical"  # 25 % worse


@pytest.mark.parametrize(("latency", "error_share", "expected"), [
    (100.0, 0.0, {"latency_p95": "ok", "error_rate": "ok"}),
    (700.0, 0.02, {"latency_p95": "warning", "error_rate": "warning"}),
    (1500.0, 0.10, {"latency_p95": "critical", "error_rate": "critical"}),
])
def test_serving_health_thresholds(latency, error_share, expected) -> None:
    lat = np.full(1000, 50.0)
    lat[-100:] = latency  # the slowest 10 % sets the p95
    errors = np.arange(1000) < error_share * 1000
    health = serving_health(lat, errors, MonitoringSpec())
    assert health.latency_p95_ms == pytest.approx(np.percentile(lat, 95))
    assert health.error_rate == pytest.approx(error_share)
    assert health.levels == expected


def test_serving_health_rejects_misaligned_input() -> None:
    with pytest.raises(ValueError, match="one entry per request: got 2 and 1"):
        serving_health([1.0, 2.0], [False])
