"""DatetimeFeatures against pandas' own calendar accessors, on real date columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import read_dataset
from mlsprint.features import DatetimeFeatures
from mlsprint.features.datetime import to_datetime

# pandas 3 deprecations (Pandas4Warning) are DeprecationWarnings: fail on them here
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


@pytest.fixture(scope="module")
def compas() -> pd.DataFrame:
    return read_dataset("compas")[["compas_screening_date", "c_jail_in"]]


def test_calendar_parts_match_pandas(compas: pd.DataFrame) -> None:
    f = DatetimeFeatures().set_output(transform="pandas").fit(compas)
    out = f.transform(compas)
    screen = pd.to_datetime(compas["compas_screening_date"])
    assert out["compas_screening_date_year"].tolist() == screen.dt.year.astype(float).tolist()
    assert out["compas_screening_date_dayofweek"].tolist() == (
        screen.dt.day_of_week.astype(float).tolist())
    assert "compas_screening_date_hour" not in out  # dates only: no hour
    jail = pd.to_datetime(compas["c_jail_in"])
    assert "c_jail_in_hour" in out  # timestamps: hour used
    np.testing.assert_array_equal(out["c_jail_in_hour"], jail.dt.hour.astype(float))
    assert out["c_jail_in_year"].isna().sum() == jail.isna().sum() > 0


def test_elapsed_days_since_training_minimum(compas: pd.DataFrame) -> None:
    col = compas[["compas_screening_date"]]
    out = DatetimeFeatures().set_output(transform="pandas").fit(col).transform(col)
    stamps = pd.to_datetime(col["compas_screening_date"])
    expected = (stamps - stamps.min()).dt.days.astype(float)
    np.testing.assert_allclose(out["compas_screening_date_days_elapsed"], expected)


def test_cyclical_encoding_puts_december_next_to_january() -> None:
    X = pd.DataFrame({"d": pd.to_datetime(["2020-12-15", "2021-01-15", "2021-06-15"])})
    out = DatetimeFeatures().set_output(transform="pandas").fit(X).transform(X)
    xy = out[["d_month_sin", "d_month_cos"]].to_numpy()
    assert np.allclose((xy ** 2).sum(axis=1), 1)
    dec_jan = np.linalg.norm(xy[0] - xy[1])
    jan_jun = np.linalg.norm(xy[1] - xy[2])
    assert dec_jan == pytest.approx(2 * np.sin(np.pi / 12))
    assert jan_jun > 3 * dec_jan


def test_time_zone_aware_values_use_local_wall_time() -> None:
    stamps = pd.to_datetime(["2021-03-01 23:30", "2021-07-01 08:00"]).tz_localize(
        "Australia/Sydney")
    out = DatetimeFeatures().fit(pd.DataFrame({"t": stamps})).transform(
        pd.DataFrame({"t": stamps}))
    assert out[:, 2].tolist() == [1.0, 1.0]  # day of month, not the UTC date
    assert out[:, 4].tolist() == [23.0, 8.0]


def test_unparseable_and_missing_give_nan_not_errors() -> None:
    f = DatetimeFeatures().fit(pd.DataFrame({"d": ["2020-01-01", "2020-02-01"]}))
    out = f.transform(pd.DataFrame({"d": ["not a date", None]}))
    assert np.isnan(out).all()
    assert to_datetime([1.6e9]).dt.year.tolist() == [2020]  # numbers are Unix seconds
