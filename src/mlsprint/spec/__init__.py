"""The project spec (``mlsprint.yaml``): models, loading and writing."""

from mlsprint.spec.load import SPEC_FILE, did_you_mean, load_spec, parse_spec
from mlsprint.spec.model import (
    PRIMARY_METRIC,
    CostMatrix,
    ProjectSpec,
    ProtectedAttribute,
    TaskSpec,
    Thresholds,
)

__all__ = [
    "CostMatrix",
    "PRIMARY_METRIC",
    "ProjectSpec",
    "ProtectedAttribute",
    "SPEC_FILE",
    "TaskSpec",
    "Thresholds",
    "did_you_mean",
    "load_spec",
    "parse_spec",
]
