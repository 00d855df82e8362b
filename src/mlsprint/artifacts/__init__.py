"""mlsprint.artifacts: the bundle (save, verify, load), the registry and packaging.

Only this package and ``mlsprint.tracking`` import mlflow, always inside functions.
"""

from mlsprint.artifacts.bundle import (
    FORMAT_VERSION,
    Bundle,
    BundleInfo,
    copy_bundle,
    load_bundle,
    save_bundle,
)
from mlsprint.artifacts.manifest import MANIFEST, verify_manifest, write_manifest
from mlsprint.artifacts.outputs import output_columns, prediction_frame, proba_column

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "Bundle",
    "BundleInfo",
    "copy_bundle",
    "load_bundle",
    "output_columns",
    "prediction_frame",
    "proba_column",
    "save_bundle",
    "verify_manifest",
    "write_manifest",
]
