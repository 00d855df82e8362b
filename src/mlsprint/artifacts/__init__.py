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
from mlsprint.artifacts.package import write_package
from mlsprint.artifacts.promotions import Promotion, promote, read_promotions, rollback
from mlsprint.artifacts.registry import (
    ResolvedModel,
    get_alias_version,
    log_datasets,
    register_bundle,
    resolve_model,
    set_alias,
)

__all__ = [
    "Bundle",
    "BundleInfo",
    "FORMAT_VERSION",
    "MANIFEST",
    "Promotion",
    "ResolvedModel",
    "copy_bundle",
    "get_alias_version",
    "load_bundle",
    "log_datasets",
    "output_columns",
    "prediction_frame",
    "proba_column",
    "promote",
    "read_promotions",
    "register_bundle",
    "resolve_model",
    "rollback",
    "save_bundle",
    "set_alias",
    "verify_manifest",
    "write_manifest",
    "write_package",
]
