"""Input feature names of our transformers, checked as scikit-learn checks them."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["input_feature_names"]


def input_feature_names(estimator: Any, input_features: Any) -> np.ndarray:
    """The names ``get_feature_names_out`` builds on: ``input_features`` when given (it
    must match what ``fit`` saw), else the fitted names, else ``x0, x1, ...``."""
    if input_features is not None:
        names = np.asarray(input_features, dtype=object)
        if len(names) != estimator.n_features_in_:
            raise ValueError(
                f"input_features has {len(names)} names; expected {estimator.n_features_in_}"
            )
        if hasattr(estimator, "feature_names_in_") and not np.array_equal(
            names, estimator.feature_names_in_
        ):
            raise ValueError("input_features is not equal to feature_names_in_")
        return names
    if hasattr(estimator, "feature_names_in_"):
        return np.asarray(estimator.feature_names_in_, dtype=object)
    return np.asarray([f"x{i}" for i in range(estimator.n_features_in_)], dtype=object)
