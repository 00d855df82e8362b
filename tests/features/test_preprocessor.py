"""build_preprocessor on real data: branches, pandas output, unseen values, custom steps."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline

from conftest import read_dataset
from mlsprint.data.contract import DataContract, infer_contract
from mlsprint.errors import DataError, SpecError
from mlsprint.features import (
    RareCategoryEncoder,
    build_preprocessor,
    feature_groups,
    load_custom_transformer,
    native_categorical_features,
)
from mlsprint.spec import ProjectSpec, parse_spec

# pandas 3 deprecations (Pandas4Warning) are DeprecationWarnings: fail on them here
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


def _spec(task: dict, target: str, **extra) -> ProjectSpec:
    return parse_spec({"name": "t", "task": task,
                       "data": {"source": "d.csv", "target": target,
                                **extra.pop("data", {})}, **extra})


@cache
def german() -> tuple[pd.DataFrame, ProjectSpec, DataContract]:
    df = read_dataset("german_credit")
    spec = _spec({"type": "binary", "positive_class": "bad"}, "class")
    return df, spec, infer_contract(df, spec)


@cache
def diabetes() -> tuple[pd.DataFrame, ProjectSpec, DataContract]:
    df = read_dataset("diabetes_130us", nrows=4000)
    spec = _spec({"type": "multiclass"}, "readmitted",
                 data={"columns": {"id": ["encounter_id"], "group": "patient_nbr"}})
    return df, spec, infer_contract(df, spec)


def test_groups_follow_the_contract() -> None:
    df, spec, contract = diabetes()
    groups = feature_groups(contract, spec)
    assert {"diag_1", "diag_2", "diag_3"} <= set(groups["target_encoded"])
    assert "race" in groups["categorical"] and "num_lab_procedures" in groups["numeric"]
    every = [c for cols in groups.values() for c in cols]
    assert not {"encounter_id", "patient_nbr", "readmitted"} & set(every)
    assert contract["payer_code"].missing_rate == 1.0  # all missing in these 4,000 rows
    assert sorted(every) == sorted(c.name for c in contract.features
                                   if c.name != "payer_code")


def test_linear_pipeline_outputs_pandas_with_scaled_numbers_and_indicators() -> None:
    df, spec, contract = diabetes()
    pre = build_preprocessor(contract, spec, for_model="linear")
    assert isinstance(pre, Pipeline)
    out = pre.set_output(transform="pandas").fit_transform(df, df["readmitted"])
    assert isinstance(out, pd.DataFrame) and not out.isna().any().any()
    assert out["numeric__num_lab_procedures"].mean() == pytest.approx(0, abs=1e-9)
    assert out["numeric__num_lab_procedures"].std(ddof=0) == pytest.approx(1)
    assert {"target_encoded__diag_1_NO", "target_encoded__diag_1_<30"} <= set(out.columns)
    assert list(out.columns) == list(pre.get_feature_names_out())


def test_target_encoding_is_cross_fitted() -> None:
    df, spec, contract = diabetes()
    pre = build_preprocessor(contract, spec, for_model="linear")
    fitted = pre.set_output(transform="pandas").fit_transform(df, df["readmitted"])
    refit = pre.transform(df)
    col = "target_encoded__diag_1_<30"
    assert not np.allclose(fitted[col], refit[col])  # fit_transform used out-of-fold means


def test_unseen_categories_and_unseen_missing_values_at_predict_time() -> None:
    df, spec, contract = german()
    assert not df.isna().any().any()  # german_credit has no missing value at all
    pre = build_preprocessor(contract, spec, for_model="linear").set_output(
        transform="pandas").fit(df, df["class"])
    new = df.head(3).copy()
    new["purpose"] = ["spaceship", None, "radio/tv"]
    new["duration"] = [np.nan, 12, 24]
    out = pre.transform(new)
    assert not out.isna().any().any()
    assert out["categorical__purpose___rare__"].tolist() == [1.0, 1.0, 0.0]
    expected = pre.named_steps["columns"].named_transformers_["numeric"]
    median = expected.named_steps["impute"].statistics_[0]
    scaler = expected.named_steps["scale"]
    assert out["numeric__duration"].iloc[0] == pytest.approx(
        (median - scaler.mean_[0]) / scaler.scale_[0])


def test_tree_pipeline_keeps_nan_and_feeds_native_categoricals() -> None:
    df, spec, contract = diabetes()
    y = (df["readmitted"] == "<30").astype(int)
    pre = build_preprocessor(contract, spec, for_model="tree").set_output(transform="pandas")
    out = pre.fit_transform(df, df["readmitted"])
    assert out["numeric__num_lab_procedures"].tolist() == df["num_lab_procedures"].tolist()
    holes = df.head(4).copy()
    holes["num_lab_procedures"] = [np.nan, 3, np.nan, 5]
    kept = pre.transform(holes)["numeric__num_lab_procedures"]
    assert kept.isna().tolist() == [True, False, True, False]  # NaN left to the trees
    mask = native_categorical_features(pre)
    cat_names = out.columns[mask]
    assert "categorical__race" in cat_names and "numeric__num_lab_procedures" not in cat_names
    model = HistGradientBoostingClassifier(max_iter=20, categorical_features=mask)
    assert model.fit(out, y).score(out, y) > 0.8


def test_iso_date_text_becomes_datetime_features() -> None:
    df = read_dataset("bike_sharing_hourly", nrows=2000)[["dteday", "temp", "cnt"]]
    spec = _spec({"type": "regression"}, "cnt")
    contract = infer_contract(df, spec)
    assert contract["dteday"].kind == "categorical"  # text in the CSV
    assert feature_groups(contract, spec)["datetime"] == ["dteday"]
    out = build_preprocessor(contract, spec, for_model="tree").set_output(
        transform="pandas").fit_transform(df, df["cnt"])
    assert out["datetime__dteday_month"].tolist() == pd.to_datetime(
        df["dteday"]).dt.month.astype(float).tolist()


def test_custom_transformers_are_appended_in_order() -> None:
    df, _, contract = german()
    spec = _spec({"type": "binary", "positive_class": "bad"}, "class",
                 features={"custom": ["sklearn.preprocessing:MaxAbsScaler"]})
    pre = build_preprocessor(contract, spec, for_model="linear")
    assert [name for name, _ in pre.steps] == ["columns", "custom_0"]
    out = pre.set_output(transform="pandas").fit_transform(df, df["class"])
    assert out.abs().max().max() == pytest.approx(1.0)


@pytest.mark.parametrize(("path", "message"), [
    ("no_such_package_xyz.mod:Thing", "cannot import module 'no_such_package_xyz.mod'"),
    ("sklearn.preprocessing:NoSuchScaler", "has no attribute 'NoSuchScaler'"),
    ("collections:OrderedDict", "OrderedDict is not a transformer"),
    ("sklearn.preprocessing.StandardScaler", "must look like 'package.module:ClassName'"),
])
def test_custom_transformer_errors_are_spec_errors(path: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_custom_transformer(path, index=2)
    with pytest.raises(SpecError, match=r"features.custom\[2\]"):
        load_custom_transformer(path, index=2)


def test_no_feature_column_is_a_data_error() -> None:
    df = pd.DataFrame({"id": [1, 2, 3], "y": [0.0, 1.0, 2.0]})
    spec = _spec({"type": "regression"}, "y", data={"columns": {"id": ["id"]}})
    with pytest.raises(DataError, match="no feature column"):
        build_preprocessor(infer_contract(df, spec), spec, for_model="linear")
    with pytest.raises(SpecError, match="for_model must be 'linear' or 'tree'"):
        build_preprocessor(infer_contract(df, spec), spec, for_model="forest")


def test_rare_fraction_and_onehot_limit_come_from_the_spec() -> None:
    df, _, _ = german()
    spec = _spec({"type": "binary", "positive_class": "bad"}, "class",
                 features={"max_onehot_categories": 4, "rare_category_min_fraction": 0.05})
    contract = infer_contract(df, spec)
    groups = feature_groups(contract, spec)
    assert "purpose" in groups["target_encoded"]  # 10 levels, 6 reach 5 %
    assert "checking_status" in groups["categorical"]  # 4 levels
    pre = build_preprocessor(contract, spec, for_model="linear").fit(df, df["class"])
    enc = pre.named_steps["columns"].named_transformers_["categorical"]
    assert isinstance(enc, RareCategoryEncoder) and enc.min_fraction == 0.05


def test_public_api_is_pinned() -> None:
    import mlsprint.features as features

    assert features.__all__ == [  # isort order, as ruff's RUF022 keeps it
        "MISSING", "RARE", "DatetimeFeatures", "RareCategoryEncoder", "build_preprocessor",
        "feature_groups", "load_custom_transformer", "native_categorical_features"]
