"""mlsprint: one library and CLI for the whole tabular ML development cycle.

``import mlsprint`` stays light: heavy libraries (mlflow, lightgbm, xgboost, optuna,
fastapi) are imported where they are used.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from mlsprint.errors import (
    BundleError,
    DataError,
    DataQualityError,
    GateFailedError,
    MissingDependencyError,
    MlsprintError,
    SchemaMismatchError,
    SpecError,
    TrackingError,
)

try:
    __version__ = version("mlsprint")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = [
    "BundleError",
    "DataError",
    "DataQualityError",
    "GateFailedError",
    "MissingDependencyError",
    "MlsprintError",
    "SchemaMismatchError",
    "SpecError",
    "TrackingError",
    "__version__",
]
