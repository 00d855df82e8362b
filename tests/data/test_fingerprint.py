"""fingerprint: the same table from any source hashes the same; any change changes it."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import read_dataset
from mlsprint.data.fingerprint import fingerprint, fingerprints, kind_of, matches


def small() -> pd.DataFrame:
    return pd.DataFrame({
        "age": [39, 50, None], "sex": ["Male", None, "Female"], "income": [0.5, 1.25, -3.0],
        "ok": [True, False, True], "when": pd.to_datetime(["2020-01-01", "2020-06-30", None]),
    })


def test_pinned_values_for_a_fixed_frame():
    # Pinned once per scheme; a change means every recorded data version silently
    # changed meaning. A new scheme gets a new prefix, and the old one keeps its values.
    assert fingerprint(small()) == (
        "tab2:aafd6b99663b9a181b651ed5625515ccc59062f58af6394c88627ed21fe1fd41")
    assert fingerprint(small(), scheme="sha256") == (
        "sha256:f69da084d118fd1119f7f1008e0c55750bce2e1a81a2f73298facd3dff199816")


@pytest.mark.parametrize("scheme", ["tab2", "sha256"])
def test_pinned_value_of_an_empty_frame_is_the_plain_sha256(scheme):
    expected = hashlib.sha256(b"rows=0;cols=0").hexdigest()
    assert fingerprint(pd.DataFrame(), scheme=scheme) == f"{scheme}:{expected}"


def test_a_fingerprint_is_matched_under_the_scheme_it_was_recorded_with():
    df, other = small(), small().iloc[:2]
    for scheme in ("tab2", "sha256"):
        recorded = fingerprint(df, scheme=scheme)
        assert matches(df, recorded) and not matches(other, recorded)
    assert matches(df, fingerprint(df), current=fingerprint(df))
    with pytest.raises(ValueError, match="unknown fingerprint scheme 'md5'"):
        matches(df, "md5:abc")


def test_the_weighted_sums_wrap_as_exact_integer_arithmetic_modulo_2_64():
    from mlsprint.data.fingerprint import _splitmix_weights

    hashes = np.random.default_rng(0).integers(0, 2**64 - 1, 500, dtype=np.uint64)
    weights = _splitmix_weights(500)
    assert (weights & np.uint64(1)).all(), "odd weights: a changed value changes the sum"
    exact = [sum(int(h) * int(w) for h, w in zip(hashes, lane, strict=True)) % 2**64
             for lane in weights]
    assert (weights @ hashes).tolist() == exact


@pytest.mark.parametrize("scheme", ["tab2", "sha256"])
def test_swapping_any_two_rows_of_a_real_column_changes_the_fingerprint(scheme):
    # Row order is data (time order); no swap of a pair of distinct rows may go unseen.
    df = read_dataset("german_credit")[["credit_amount"]]
    base = fingerprint(df, scheme=scheme)
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, len(df), size=(200, 2)):
        if df.iat[i, 0] == df.iat[j, 0]:
            continue
        order = np.arange(len(df))
        order[[i, j]] = order[[j, i]]
        assert fingerprint(df.iloc[order].reset_index(drop=True), scheme=scheme) != base


@pytest.mark.parametrize(("name", "nrows"), [("adult", 2000), ("compas", 500),
                                             ("german_credit", None)])
def test_csv_parquet_and_sqlite_give_the_same_fingerprint(tmp_path, name, nrows):
    import sqlalchemy as sa

    df = read_dataset(name, nrows=nrows)
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_parquet(tmp_path / "t.parquet")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    df.to_sql("t", engine, index=False)
    from_sql = pd.read_sql_table("t", engine)
    engine.dispose()
    prints = {fingerprint(pd.read_csv(tmp_path / "t.csv")),
              fingerprint(pd.read_parquet(tmp_path / "t.parquet")), fingerprint(from_sql)}
    assert prints == {fingerprint(df)}


def test_integers_and_floats_of_equal_value_hash_the_same():
    a = pd.DataFrame({"x": [1, 2, 3]})
    assert fingerprint(a) == fingerprint(a.astype("float64"))
    assert fingerprint(a) == fingerprint(a.astype("Int64"))


@pytest.mark.parametrize("change", [
    lambda d: d.assign(income=[0.5, 1.25, -3.0000001]),  # one value
    lambda d: d.assign(sex=["Male", "Female", "Female"]),  # a missing value filled
    lambda d: d.rename(columns={"sex": "gender"}),  # a column name
    lambda d: d.assign(age=["39", "50", None]),  # a type: numbers became text
    lambda d: d.iloc[[1, 0, 2]].reset_index(drop=True),  # row order (time order matters)
    lambda d: d.iloc[:2],  # a row fewer
    lambda d: d.drop(columns="ok"),  # a column fewer
    lambda d: d[["sex", "age", "income", "ok", "when"]],  # column order
])
def test_any_change_changes_the_fingerprint(change):
    assert fingerprint(change(small())) != fingerprint(small())


def test_the_index_and_copies_do_not_matter():
    df = small()
    assert fingerprint(df.set_axis([10, 20, 30])) == fingerprint(df.copy())


def test_an_all_missing_column_hashes_the_same_whatever_its_dtype():
    n = 4
    floats = pd.DataFrame({"x": [np.nan] * n})
    objects = pd.DataFrame({"x": pd.Series([None] * n, dtype="object")})
    assert fingerprint(floats) == fingerprint(objects)


def test_literal_none_string_differs_from_a_missing_value():
    # diabetes_130us uses the string 'None' as a real category
    assert fingerprint(pd.DataFrame({"x": ["None"]})) != fingerprint(pd.DataFrame({"x": [None]}))


@pytest.mark.parametrize(("values", "kind"), [
    ([1, 2], "integer"), ([1.5], "float"), ([True], "boolean"), (["a"], "string"),
    (pd.to_datetime(["2020-01-01"]), "datetime"),
])
def test_kind_of(values, kind):
    assert kind_of(pd.Series(values)) == kind


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-10**6, 10**6), st.text(max_size=5) | st.none(),
                          st.floats(allow_nan=True, allow_infinity=False, width=32)),
                min_size=1, max_size=20))
def test_parquet_round_trip_keeps_the_fingerprint(tmp_path_factory, rows):
    df = pd.DataFrame(rows, columns=["i", "s", "f"])
    path = tmp_path_factory.mktemp("fp") / "t.parquet"
    df.to_parquet(path)
    assert fingerprint(pd.read_parquet(path)) == fingerprint(df)


@pytest.mark.parametrize("scheme", ["tab2", "sha256"])
def test_parts_hash_as_their_own_frames(scheme):
    # One pass over the columns must give what fingerprinting each side apart gives,
    # including a column with no value on one side ("empty" there) and none at all.
    df = read_dataset("adult").head(3000).copy()
    df["sparse"] = np.where(np.arange(len(df)) < 10, "x", None)
    df["nothing"] = None
    rng = np.random.default_rng(0)
    holdout = np.sort(rng.choice(np.arange(10, len(df)), 600, replace=False))
    train = np.setdiff1d(np.arange(len(df)), holdout)
    parts = {"train": train, "holdout": holdout, "reordered": train[::-1]}
    got = fingerprints(df, parts, scheme=scheme)
    assert got["data"] == fingerprint(df, scheme=scheme)
    for name, rows in parts.items():
        part = df.iloc[rows].reset_index(drop=True)
        assert got[name] == fingerprint(part, scheme=scheme), name
    assert got["holdout"] != got["train"] != got["data"]


def _every_kind() -> pd.DataFrame:
    """Real columns of every kind a table holds: strings with missing values, integers,
    floats with NaN, a parsed date with NaT, a nullable integer, booleans, a categorical,
    mixed Python objects, signed zeros, a column with values on one side only and one
    with none."""
    df = read_dataset("diabetes_130us", nrows=2000)
    bikes = read_dataset("bike_sharing_hourly", nrows=2000)
    df["dteday"] = pd.to_datetime(bikes["dteday"]).where(bikes["hr"] != 3)
    df["casual"] = bikes["casual"].astype("Int64").mask(bikes["casual"] == 0)
    df["temp"] = bikes["temp"].where(bikes["hr"] != 5)
    df["workingday"] = bikes["workingday"].astype(bool)
    df["season"] = bikes["season"].astype("category")
    # values that factorising merges but that hash apart: they must not take the shortcut
    df["mixed"] = pd.Series([1, "a", 1.0, True, None] * 400, dtype="object")
    df["signed_zero"] = np.where(np.arange(len(df)) % 2, 0.0, -0.0)
    df["sparse"] = np.where(np.arange(len(df)) < 10, "x", None)
    df["nothing"] = None
    return df


@pytest.mark.parametrize("scheme", ["tab2", "sha256"])
@pytest.mark.parametrize("narrowed", [False, True])
def test_a_factorised_table_fingerprints_as_when_hashed_value_by_value(scheme, narrowed):
    # Oracle: the value-by-value hashing. Hashing each column's distinct values and
    # taking them by code (what the profile's factorisation allows) must agree on every
    # kind of column, on the table and on parts (one where "sparse" has no value).
    from mlsprint.data.fingerprint import narrow_codes

    df = _every_kind()
    factorized = {}
    for name in df.columns:
        codes, uniques = pd.factorize(df[name], use_na_sentinel=True)
        factorized[name] = (narrow_codes(codes, len(uniques)) if narrowed else codes, uniques)
    assert factorized["admission_type_id"][0].dtype == (np.int8 if narrowed else np.intp)
    rng = np.random.default_rng(0)
    holdout = np.sort(rng.choice(np.arange(10, len(df)), 400, replace=False))
    parts = {"train": np.setdiff1d(np.arange(len(df)), holdout), "holdout": holdout}
    assert fingerprints(df, parts, scheme=scheme, factorized=factorized) == \
        fingerprints(df, parts, scheme=scheme)


def test_the_profile_hands_over_every_string_columns_factorisation():
    from mlsprint.data.profiling import profile
    from mlsprint.spec import parse_spec

    df = _every_kind().drop(columns=["nothing"])
    spec = parse_spec({"name": "t", "task": {"type": "multiclass"},
                       "data": {"source": "t.csv", "target": "readmitted"}})
    factorized = {}
    profile(df, spec, factorized=factorized)
    assert list(factorized) == [c for c in df.columns
                                if isinstance(df[c].dtype, pd.StringDtype)]
    codes, uniques = factorized["race"]
    expected_codes, expected_uniques = pd.factorize(df["race"], use_na_sentinel=True)
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == np.int8 and list(uniques) == list(expected_uniques)
    assert fingerprints(df, factorized=factorized) == fingerprints(df)


def test_ordered_map_keeps_order_and_holds_few_results():
    import threading

    from mlsprint.data.columnwise import ordered_map

    started, taken = [], 0
    lock = threading.Lock()

    def work(i: int) -> int:
        with lock:
            started.append(i)
            assert len(started) - taken <= 4, "more than `ahead` results computed early"
        return i * i

    for i, value in enumerate(ordered_map(work, range(40), ahead=4)):
        assert value == i * i
        with lock:
            taken += 1
