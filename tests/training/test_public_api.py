"""The public API of mlsprint.training: pinned, sorted, and light to import."""

from __future__ import annotations

import subprocess
import sys

import mlsprint.training as training


def test_all_is_pinned_and_sorted() -> None:
    assert training.__all__ == sorted(training.__all__)
    assert set(training.__all__) == {
        "FAMILIES", "CandidateRecord", "EncodedClassifier", "EnsembleClassifier",
        "EnsembleInfo", "EnsembleRegressor", "ErrorAnalysisReport", "RefitRows", "SearchResult",
        "SliceRecord", "ThresholdChoice", "analyse_errors", "refit_full",
        "render_training_html", "search", "tune_threshold",
    }


def test_import_loads_no_heavy_library() -> None:
    code = ("import sys, mlsprint.training; "
            "print(sorted(m for m in ('lightgbm', 'xgboost', 'optuna', 'mlflow', "
            "'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
