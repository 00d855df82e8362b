"""Evaluation on the holdout: metrics with intervals, calibration, business value,
explanations, edge cases, latency, and the go/no-go gate (pure functions)."""

from mlsprint.evaluation.bootstrap import (
    Interval,
    bootstrap_indices,
    bootstrap_interval,
    percentile_interval,
)
from mlsprint.evaluation.business import BusinessReport, business_value, gain_curve
from mlsprint.evaluation.calibration import (
    CalibrationReport,
    RecalibratedClassifier,
    RecalibrationChoice,
    assess_calibration,
    brier_score,
    choose_recalibration,
    expected_calibration_error,
    reliability_curve,
)
from mlsprint.evaluation.edge_cases import EdgeCase, EdgeCaseReport, check_edge_cases
from mlsprint.evaluation.evidence import EVIDENCE_KEYS, Evidence
from mlsprint.evaluation.explain import (
    ExplanationUnavailableError,
    ImportanceReport,
    contribution_method,
    explain_global,
    explain_rows,
    map_to_inputs,
)
from mlsprint.evaluation.gate import EXIT_CODES, Criterion, GateReport, decide_gate
from mlsprint.evaluation.holdout import HoldoutReport, evaluate_holdout
from mlsprint.evaluation.latency import LatencyReport, measure_latency
from mlsprint.evaluation.metrics import error_of, greater_is_better, score, scores

__all__ = [
    "EVIDENCE_KEYS",
    "EXIT_CODES",
    "BusinessReport",
    "CalibrationReport",
    "Criterion",
    "EdgeCase",
    "EdgeCaseReport",
    "Evidence",
    "ExplanationUnavailableError",
    "GateReport",
    "HoldoutReport",
    "ImportanceReport",
    "Interval",
    "LatencyReport",
    "RecalibratedClassifier",
    "RecalibrationChoice",
    "assess_calibration",
    "bootstrap_indices",
    "bootstrap_interval",
    "brier_score",
    "business_value",
    "check_edge_cases",
    "choose_recalibration",
    "contribution_method",
    "decide_gate",
    "error_of",
    "evaluate_holdout",
    "expected_calibration_error",
    "explain_global",
    "explain_rows",
    "gain_curve",
    "greater_is_better",
    "map_to_inputs",
    "measure_latency",
    "percentile_interval",
    "reliability_curve",
    "score",
    "scores",
]
