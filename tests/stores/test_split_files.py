"""The split's side files give back exactly the rows and dtypes they were cut from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import read_dataset
from mlsprint.data.fingerprint import fingerprint
from mlsprint.stores.split_files import arrow_table, read_side, write_rows


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """Real columns of every kind the split meets: strings with missing values, integers,
    floats, a parsed date, a nullable integer and a categorical."""
    df = read_dataset("diabetes_130us", nrows=3000)
    bikes = read_dataset("bike_sharing_hourly", nrows=3000)
    df["dteday"] = pd.to_datetime(bikes["dteday"])
    df["casual"] = bikes["casual"].astype("Int64").mask(bikes["casual"] == 0)
    df["season"] = bikes["season"].astype("category")
    return df


@pytest.mark.parametrize("order", ["increasing", "temporal", "one", "last"])
@pytest.mark.parametrize("chunk_rows", [262_144, 700])
def test_a_side_reads_back_as_the_rows_it_was_cut_from(frame, tmp_path, chunk_rows, order):
    # increasing positions are masked out of slices of the table; any other order
    # (a temporal cut sorts by time) is gathered by position: both give the rows, in order
    rows = np.sort(np.random.default_rng(0).choice(len(frame), 2100, replace=False))
    rows = {"increasing": rows, "temporal": np.random.default_rng(1).permutation(rows),
            "one": rows[:1], "last": np.array([len(frame) - 1])}[order]
    path = tmp_path / "train.arrow"
    write_rows(arrow_table(frame), rows, path, chunk_rows=chunk_rows)
    back = read_side(path)
    expected = frame.iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected)
    assert fingerprint(back) == fingerprint(expected)


def test_an_empty_side_keeps_the_columns(frame, tmp_path):
    path = tmp_path / "holdout.arrow"
    write_rows(arrow_table(frame), np.array([], dtype=np.int64), path)
    back = read_side(path)
    assert len(back) == 0
    assert list(back.columns) == list(frame.columns)


def test_a_split_cut_before_arrow_files_is_still_read(frame, tmp_path):
    legacy = tmp_path / "train.parquet"
    frame.to_parquet(legacy, index=False)
    back = read_side(tmp_path / "train.arrow")
    pd.testing.assert_frame_equal(back, pd.read_parquet(legacy))
