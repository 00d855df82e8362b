"""The package's shape: a light import, a pinned public API, layers that point downward."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mlsprint

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("lightgbm", "xgboost", "mlflow", "fastapi", "optuna", "sklearn", "matplotlib")


def test_import_mlsprint_imports_nothing_heavy():
    code = ("import sys, mlsprint, mlsprint.spec, mlsprint.errors; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", f"heavy modules imported: {out.stdout}"


def test_public_api_is_pinned():
    assert mlsprint.__all__ == sorted(mlsprint.__all__)
    assert set(mlsprint.__all__) == {
        "BundleError", "DataError", "DataQualityError", "GateFailedError",
        "MissingDependencyError", "MlsprintError", "SchemaMismatchError", "SpecError",
        "TrackingError", "__version__",
    }


def test_errors_inherit_matching_builtins():
    assert issubclass(mlsprint.SpecError, ValueError)
    assert issubclass(mlsprint.SchemaMismatchError, mlsprint.DataError)
    assert issubclass(mlsprint.MissingDependencyError, ImportError)
    assert issubclass(mlsprint.BundleError, RuntimeError)


def test_layers_contract_holds():
    linter = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(linter), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout
