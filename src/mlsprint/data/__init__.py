"""Understanding the data (pure stages): the contract, fingerprints, roles, checks, splits.

Profiling lives in :mod:`mlsprint.data.profiling`. Members load on first use, so that
``mlsprint.data.contract`` (needed by serving and monitoring) stays light: the split
imports scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    "ColumnContract": "contract", "DataContract": "contract", "Violation": "contract",
    "column_roles": "contract", "infer_contract": "contract", "validate": "contract",
    "fingerprint": "fingerprint", "kind_of": "fingerprint",
    "InferredRoles": "roles", "infer_roles": "roles",
    "check_spec_against_data": "checks",
    "SplitPlan": "split", "choose_split": "split", "cv_splitter": "split",
    "split_holdout": "split",
}

__all__ = [
    "ColumnContract",
    "DataContract",
    "InferredRoles",
    "SplitPlan",
    "Violation",
    "check_spec_against_data",
    "choose_split",
    "column_roles",
    "cv_splitter",
    "fingerprint",
    "infer_contract",
    "infer_roles",
    "kind_of",
    "split_holdout",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'mlsprint.data' has no attribute {name!r}")
    return getattr(importlib.import_module(f"mlsprint.data.{_HOME[name]}"), name)
