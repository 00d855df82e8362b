"""``build_preprocessor``: the feature pipeline, built from the data contract.

The contract's feature columns (role ``feature``) fall into four groups, each with its own
branch of one ``ColumnTransformer`` (branch names prefix the output names):

============== ================================== ======================================
group          linear models                      tree models
============== ================================== ======================================
``numeric``    median imputation + missing        passed through (trees split on NaN)
               indicators, standard scaling
``datetime``   calendar parts, cyclical sin/cos,  the same features, NaN kept
               days elapsed; imputed and scaled
``categorical`` missing/rare/unseen grouped,      missing/rare/unseen grouped, integer
(low card.)    one-hot                            codes for native categorical support
``target_enc`` missing/rare/unseen grouped,       the same, not scaled
(high card.)   cross-fitted target encoding,
               scaled
============== ================================== ======================================

A categorical column is *high-cardinality* when more than
``spec.features.max_onehot_categories`` of its categories reach
``spec.features.rare_category_min_fraction`` of the rows. A text column of ISO dates
(``"2013-08-14"``) is treated as a datetime. A column missing in every training row is
left out (it carries nothing, and an all-NaN column breaks histogram binning). User
transformers named in ``spec.features.custom`` run after the column transformer, in
the order given.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, Literal

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler, TargetEncoder

from mlsprint.data.contract import ColumnContract, DataContract
from mlsprint.errors import DataError, SpecError
from mlsprint.features.categories import RareCategoryEncoder
from mlsprint.features.datetime import DatetimeFeatures
from mlsprint.spec.model import ProjectSpec

__all__ = [
    "build_preprocessor",
    "feature_groups",
    "load_custom_transformer",
    "native_categorical_features",
]

_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_TARGET_TYPE = {"binary": "binary", "multiclass": "multiclass", "regression": "continuous"}


def _looks_like_dates(col: ColumnContract) -> bool:
    labels = list(col.categories)
    return bool(labels) and all(_ISO_DATE.match(label) for label in labels)


def _kept_categories(col: ColumnContract, min_fraction: float) -> int:
    if not col.categories:
        return col.n_unique
    return sum(freq >= min_fraction for freq in col.categories.values())


def feature_groups(contract: DataContract, spec: ProjectSpec) -> dict[str, list[str]]:
    """Feature column names by branch: numeric, datetime, categorical, target_encoded.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlsprint.data.contract import infer_contract
    >>> from mlsprint.spec import parse_spec
    >>> spec = parse_spec({"name": "p", "task": {"type": "regression"},
    ...                    "data": {"source": "d.csv", "target": "y"}})
    >>> df = pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"], "y": [0.0, 1.0]})
    >>> feature_groups(infer_contract(df, spec), spec)["categorical"]
    ['c']
    """
    groups: dict[str, list[str]] = {
        "numeric": [], "datetime": [], "categorical": [], "target_encoded": []
    }
    fs = spec.features
    for col in contract.features:
        if col.missing_rate >= 1.0:  # nothing to learn; an all-NaN column breaks binning
            continue
        if col.kind == "numeric":
            groups["numeric"].append(col.name)
        elif col.kind == "datetime" or (col.kind == "categorical" and _looks_like_dates(col)):
            groups["datetime"].append(col.name)
        elif _kept_categories(col, fs.rare_category_min_fraction) <= fs.max_onehot_categories:
            groups["categorical"].append(col.name)
        else:
            groups["target_encoded"].append(col.name)
    return groups


def _imputer() -> SimpleImputer:
    return SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)


def _branches(task: str, spec: ProjectSpec, linear: bool) -> dict[str, Any]:
    frac = spec.features.rare_category_min_fraction
    folds = (KFold if task == "regression" else StratifiedKFold)(
        n_splits=5, shuffle=True, random_state=spec.seed
    )
    encoder = TargetEncoder(target_type=_TARGET_TYPE[task], cv=folds)
    if linear:
        return {
            "numeric": Pipeline([("impute", _imputer()), ("scale", StandardScaler())]),
            "datetime": Pipeline([("parts", DatetimeFeatures()), ("impute", _imputer()),
                                  ("scale", StandardScaler())]),
            "categorical": RareCategoryEncoder(min_fraction=frac, encoding="onehot"),
            "target_encoded": Pipeline([
                ("group", RareCategoryEncoder(min_fraction=frac, encoding="ordinal")),
                ("encode", encoder), ("scale", StandardScaler()),
            ]),
        }
    return {
        "numeric": "passthrough",
        "datetime": DatetimeFeatures(),
        "categorical": RareCategoryEncoder(min_fraction=frac, encoding="ordinal"),
        "target_encoded": Pipeline([
            ("group", RareCategoryEncoder(min_fraction=frac, encoding="ordinal")),
            ("encode", encoder),
        ]),
    }


def load_custom_transformer(path: str, *, index: int = 0) -> Any:
    """Import ``"package.module:Class"`` and return a new instance (no arguments).

    Raises
    ------
    SpecError
        When the path is malformed, the import fails, or the object is no transformer.
    """
    where = f"features.custom[{index}] = {path!r}"
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise SpecError(f"{where} must look like 'package.module:ClassName'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SpecError(
            f"{where}: cannot import module {module_name!r} ({exc}); install the package "
            "that provides it or fix the path in mlsprint.yaml"
        ) from exc
    cls = getattr(module, attr, None)
    if cls is None:
        raise SpecError(f"{where}: module {module_name!r} has no attribute {attr!r}")
    instance = cls() if callable(cls) else cls
    if not (hasattr(instance, "fit") and hasattr(instance, "transform")):
        raise SpecError(
            f"{where}: {type(instance).__name__} is not a transformer; it needs fit and "
            "transform methods (subclass sklearn's TransformerMixin, BaseEstimator)"
        )
    return instance


def build_preprocessor(contract: DataContract, spec: ProjectSpec, *,
                       for_model: Literal["linear", "tree"]) -> Pipeline:
    """Build the (unfitted) feature pipeline for one model family.

    Parameters
    ----------
    contract : DataContract
        Its ``features`` (role ``feature``) are the columns the pipeline reads.
    spec : ProjectSpec
        ``spec.features`` sets the one-hot limit, the rare-category share and custom
        transformers; ``spec.task.type`` the target encoding; ``spec.seed`` its folds.
    for_model : {"linear", "tree"}
        Linear models get imputation, indicators, scaling and one-hot; tree models get
        NaN passed through and integer category codes.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Step ``"columns"`` is the ColumnTransformer, then one step per custom
        transformer. Fit it only on training rows (inside each fold).

    Raises
    ------
    DataError
        When the contract has no feature column.
    """
    if for_model not in ("linear", "tree"):
        raise SpecError(f"for_model must be 'linear' or 'tree'; got {for_model!r}")
    groups = feature_groups(contract, spec)
    if not any(groups.values()):
        raise DataError(
            "the data contract has no feature column (every column is id, time, target, "
            "weight, group, text or excluded); keep at least one column as a feature"
        )
    branches = _branches(spec.task.type, spec, for_model == "linear")
    columns = ColumnTransformer(
        [(name, branches[name], cols) for name, cols in groups.items() if cols],
        remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=True,
    )
    steps: list[tuple[str, Any]] = [("columns", columns)]
    for i, path in enumerate(spec.features.custom):
        steps.append((f"custom_{i}", load_custom_transformer(path, index=i)))
    return Pipeline(steps)


def native_categorical_features(preprocessor: Pipeline) -> np.ndarray:
    """Boolean mask over the output columns holding integer category codes.

    Meaningful for a fitted ``for_model="tree"`` preprocessor without custom steps:
    pass it as ``categorical_features`` to HistGradientBoosting or LightGBM.
    """
    columns = preprocessor.named_steps["columns"]
    names = columns.get_feature_names_out()
    prefix = "categorical__"
    tree = isinstance(columns.named_transformers_.get("categorical"), RareCategoryEncoder) and (
        columns.named_transformers_["categorical"].encoding == "ordinal"
    )
    return np.asarray([tree and str(n).startswith(prefix) for n in names], dtype=bool)
