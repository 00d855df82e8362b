"""Public API of artifacts, stores and serving: pinned names, light imports."""

from __future__ import annotations

import subprocess
import sys

import mlsprint.artifacts
import mlsprint.serving
import mlsprint.stores


def test_all_is_sorted_and_pinned():
    assert mlsprint.artifacts.__all__ == sorted(mlsprint.artifacts.__all__)
    assert {"Bundle", "load_bundle", "save_bundle", "register_bundle", "resolve_model",
            "promote", "rollback", "write_package", "log_datasets"} <= set(
        mlsprint.artifacts.__all__)
    assert mlsprint.stores.__all__ == ["LogRecord", "PredictionLog"]
    assert mlsprint.serving.__all__ == ["ServingSettings", "create_app"]


def test_boundaries_import_nothing_heavy():
    code = ("import sys, mlsprint.artifacts, mlsprint.stores, mlsprint.serving; "
            "print(sorted(m for m in ('mlflow', 'lightgbm', 'fastapi', 'xgboost', 'optuna') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_settings_from_environment():
    from mlsprint.serving import ServingSettings

    s = ServingSettings.from_env({"MLSPRINT_MODEL": "models:/m@champion",
                                  "MLSPRINT_MODEL_VERSION": "7",
                                  "MLSPRINT_SHADOW": "true", "MLSPRINT_MAX_CONCURRENCY": "8",
                                  "MLSPRINT_CHALLENGER_SHARE": "0.25", "OTHER": "x"})
    assert (s.model, s.model_version, s.shadow, s.max_concurrency, s.challenger_share) == (
        "models:/m@champion", "7", True, 8, 0.25)
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError, match="challenger_share"):
        ServingSettings.from_env({"MLSPRINT_CHALLENGER_SHARE": "2"})
