"""The feature pipeline: scikit-learn transformers and ``build_preprocessor``."""

from mlsprint.features.categories import MISSING, RARE, RareCategoryEncoder
from mlsprint.features.datetime import DatetimeFeatures
from mlsprint.features.preprocessor import (
    build_preprocessor,
    feature_groups,
    load_custom_transformer,
    native_categorical_features,
)

__all__ = [
    "MISSING",
    "RARE",
    "DatetimeFeatures",
    "RareCategoryEncoder",
    "build_preprocessor",
    "feature_groups",
    "load_custom_transformer",
    "native_categorical_features",
]
