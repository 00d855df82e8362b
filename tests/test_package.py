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


SUBPACKAGES = ("spec", "data", "data.profiling", "features", "training", "evaluation",
               "fairness", "cards", "monitoring", "reporting", "sources", "tracking",
               "artifacts", "stores", "workflows", "serving", "cli")


def _isort_style(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then CamelCase, then the rest."""
    group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return group, name


def test_every_subpackage_lists_a_sorted_public_api():
    import importlib

    for name in SUBPACKAGES:
        module = importlib.import_module(f"mlsprint.{name}")
        exported = module.__all__
        assert exported in (sorted(exported), sorted(exported, key=_isort_style)), (
            f"mlsprint.{name}.__all__ is not sorted")
        missing = [n for n in exported if not hasattr(module, n)]
        assert not missing, f"mlsprint.{name}.__all__ names what it lacks: {missing}"


def test_workflows_api_is_pinned():
    from mlsprint import workflows

    assert workflows.__all__ == [
        "plan_serving", "run_baseline", "run_check", "run_cycle", "run_export_config",
        "run_gate", "run_init", "run_monitor", "run_package", "run_predict", "run_profile",
        "run_promote", "run_rollback", "run_split", "run_status", "run_train", "run_validate",
    ]
