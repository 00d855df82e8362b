"""RareCategoryEncoder: missing, rare and unseen categories on real columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import read_dataset
from mlsprint.features import MISSING, RARE, RareCategoryEncoder

# pandas 3 deprecations (Pandas4Warning) are DeprecationWarnings: fail on them here
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


@pytest.fixture(scope="module")
def diabetes() -> pd.DataFrame:
    return read_dataset("diabetes_130us", nrows=5000)


def test_kept_categories_are_those_at_least_min_fraction(diabetes: pd.DataFrame) -> None:
    col = diabetes[["medical_specialty"]]
    enc = RareCategoryEncoder(min_fraction=0.02, encoding="ordinal").fit(col)
    share = col["medical_specialty"].fillna(MISSING).value_counts(normalize=True)
    expected = sorted(share[share >= 0.02].index)
    assert enc.categories_[0].tolist() == [*expected, RARE]
    assert MISSING in expected  # medical_specialty is ~49 % missing: its own category
    codes = enc.transform(col).ravel()
    rare_rows = ~col["medical_specialty"].fillna(MISSING).isin(expected).to_numpy()
    assert rare_rows.any()
    assert (codes[rare_rows] == len(expected)).all()


def test_onehot_rows_sum_to_one_and_names_read(diabetes: pd.DataFrame) -> None:
    X = diabetes[["race", "gender", "A1Cresult"]]
    enc = RareCategoryEncoder(min_fraction=0.01).set_output(transform="pandas").fit(X)
    out = enc.transform(X)
    assert (out.sum(axis=1) == 3).all()
    assert "A1Cresult_None" in out.columns  # "None" is a real category, not missing
    assert f"race_{RARE}" in out.columns
    assert out.shape[1] == sum(len(c) for c in enc.categories_)


def test_unseen_values_and_unseen_missing_map_to_rare() -> None:
    train = pd.DataFrame({"c": pd.array(["a", "b", "a", "b"], dtype="str")})
    enc = RareCategoryEncoder(encoding="ordinal").fit(train)
    new = pd.DataFrame({"c": pd.array(["a", "never-seen", None, "b"], dtype="str")})
    assert enc.transform(new).ravel().tolist() == [0.0, 2.0, 2.0, 1.0]
    onehot = RareCategoryEncoder().fit(train).transform(new)
    assert onehot.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0]]


def test_text_numbers_and_float_codes_are_one_category() -> None:
    enc = RareCategoryEncoder(encoding="ordinal").fit(pd.DataFrame({"c": [1, 2, 3]}))
    from_parquet = pd.DataFrame({"c": [1.0, 2.0, np.nan]})
    assert enc.transform(from_parquet).ravel().tolist() == [0.0, 1.0, 3.0]


def test_pandas_category_and_bool_dtypes() -> None:
    X = pd.DataFrame({"k": pd.Categorical(["x", "y", None]), "b": [True, False, True]})
    enc = RareCategoryEncoder(min_fraction=0.0, encoding="ordinal").fit(X)
    assert enc.categories_[0].tolist() == ["__missing__", "x", "y", RARE]
    assert enc.categories_[1].tolist() == ["False", "True", RARE]


def test_feature_names_check_input_features() -> None:
    enc = RareCategoryEncoder().fit(pd.DataFrame({"c": ["a", "b"]}))
    with pytest.raises(ValueError, match="input_features is not equal"):
        enc.get_feature_names_out(["d"])
    with pytest.raises(ValueError, match="The 'encoding' parameter"):
        RareCategoryEncoder(encoding="binary").fit(pd.DataFrame({"c": ["a"]}))
