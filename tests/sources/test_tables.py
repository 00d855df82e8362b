"""load_table: CSV (plain and gzipped), Parquet, SQLite and the real PostgreSQL."""

from __future__ import annotations

import gzip
import itertools
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa

from conftest import SHARED_DATA, read_dataset
from mlsprint.data.fingerprint import fingerprint
from mlsprint.errors import DataError
from mlsprint.sources import LoadedTable, ReadOptions, load_table, read_options
from mlsprint.spec import parse_spec
from mlsprint.spec.model import SqlSource

AMES = ReadOptions(na_values=("",), keep_default_na=False)
DIABETES = ReadOptions(na_values=("?",), keep_default_na=False)


def test_gzipped_csv_from_shared_data_matches_pandas():
    table = load_table(SHARED_DATA / "german_credit.csv.gz")
    expected = read_dataset("german_credit")
    pd.testing.assert_frame_equal(table.frame, expected)
    assert table.fingerprint == fingerprint(expected)
    assert table.to_dict() == {"source": str(SHARED_DATA / "german_credit.csv.gz"),
                               "fingerprint": table.fingerprint, "rows": 1000, "columns": 21}


def test_csv_and_parquet_of_one_table_share_the_fingerprint(tmp_path):
    df = read_dataset("adult", nrows=3000)  # has missing categoricals
    df.to_csv(tmp_path / "adult.csv", index=False)
    df.to_parquet(tmp_path / "adult.parquet")
    csv = load_table("adult.csv", base_dir=tmp_path)  # relative to the project folder
    parquet = load_table(tmp_path / "adult.parquet")
    assert csv.fingerprint == parquet.fingerprint == fingerprint(df)
    assert csv.source == "adult.csv" and len(parquet.frame) == 3000


def test_ames_read_options_keep_the_NA_category(tmp_path):
    shutil.copy(SHARED_DATA / "ames_housing.csv.gz", tmp_path / "ames.csv.gz")
    right = load_table(tmp_path / "ames.csv.gz", options=AMES).frame
    default = load_table(tmp_path / "ames.csv.gz").frame
    assert (right["Alley"] == "NA").sum() == 2732  # "no alley access", a real category
    assert default["Alley"].isna().sum() == 2732  # pandas' defaults lose it
    assert int(right.isna().sum().sum()) == 719  # the README's real missing cells


def test_diabetes_read_options_make_question_marks_missing(tmp_path):
    head = tmp_path / "diabetes.csv.gz"
    with gzip.open(SHARED_DATA / "diabetes_130us.csv.gz", "rt") as src, \
            gzip.open(head, "wt") as dst:
        dst.writelines(itertools.islice(src, 3001))  # header + 3,000 rows
    frame = load_table(head, options=DIABETES).frame
    expected = read_dataset("diabetes_130us", nrows=3000)
    pd.testing.assert_frame_equal(frame, expected)
    assert frame["race"].isna().sum() > 0 and "?" not in set(frame["race"].dropna())
    assert (frame["max_glu_serum"] == "None").sum() > 0  # "test not done", not missing


def test_read_options_from_the_spec_and_dtypes(tmp_path):
    (tmp_path / "z.csv").write_text("zip,y,note\n01234,1,n/a\n99999,0,-\n", encoding="utf-8")
    spec = parse_spec({"name": "z", "task": {"type": "regression"},
                       "data": {"source": "z.csv", "target": "y", "na_values": ["-"],
                                "keep_default_na": False, "dtypes": {"zip": "str"}}})
    options = read_options(spec.data)
    assert options == ReadOptions(na_values=("-",), keep_default_na=False,
                                  dtypes=(("zip", "str"),))
    frame = load_table(spec.data.source, options=options, base_dir=tmp_path).frame
    assert frame["zip"].tolist() == ["01234", "99999"]  # leading zero kept
    assert frame["note"].tolist()[0] == "n/a" and pd.isna(frame["note"].tolist()[1])


def test_dtypes_apply_to_parquet_too(tmp_path):
    pd.DataFrame({"code": [1, 2]}).to_parquet(tmp_path / "c.parquet")
    frame = load_table(tmp_path / "c.parquet",
                       options=ReadOptions(dtypes=(("code", "str"),))).frame
    assert frame["code"].tolist() == ["1", "2"]


def _write_sql(url: str, df: pd.DataFrame) -> None:
    engine = sa.create_engine(url)
    df.to_sql("credit", engine, index=False)
    engine.dispose()


def _check_sql(url: str, df: pd.DataFrame) -> None:
    by_table = load_table(sql=SqlSource(url=url, table="credit"))
    by_query = load_table(sql=SqlSource(url=url, query="SELECT * FROM credit WHERE age >= 30"))
    assert by_table.fingerprint == fingerprint(df)
    assert by_table.source == "sql:credit" and by_query.source == "sql:query"
    assert len(by_query.frame) == int((df["age"] >= 30).sum())
    with pytest.raises(DataError, match=r"data\.sql: cannot read table 'missing' from .*: "
                                         r"(.*no such table: missing|relation \"missing\" "
                                         r"does not exist); check the table name, query and "
                                         r"credentials"):
        load_table(sql=SqlSource(url=url, table="missing"))
    with pytest.raises(DataError, match=r"data\.sql: cannot read the query from .*syntax"):
        load_table(sql=SqlSource(url=url, query="SELEC 1"))


def test_sqlite_table_and_query(tmp_path):
    df = read_dataset("german_credit")
    url = f"sqlite:///{tmp_path / 'credit.db'}"
    _write_sql(url, df)
    _check_sql(url, df)


@pytest.mark.postgres
def test_postgresql_table_and_query(postgres_url):
    df = read_dataset("german_credit")
    _write_sql(postgres_url, df)
    _check_sql(postgres_url, df)
    schema_table = load_table(sql=SqlSource(url=postgres_url, table="public.credit"))
    assert schema_table.fingerprint == fingerprint(df)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"data\.source: file 'nope\.csv' does not exist "
                                        r"\(looked in .*\); fix the path in mlsprint\.yaml"):
        load_table("nope.csv", base_dir=tmp_path)


def test_unsupported_file_type(tmp_path):
    (tmp_path / "d.xlsx").write_bytes(b"PK")
    with pytest.raises(DataError, match=r"d\.xlsx: unsupported file type; expected one of "
                                        r"\.csv, .*\.parquet"):
        load_table(tmp_path / "d.xlsx")


def test_corrupt_gzip(tmp_path):
    (tmp_path / "d.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match=r"d\.csv\.gz: cannot read the file: .*; check that "
                                        r"it is a valid CSV or Parquet file"):
        load_table(tmp_path / "d.csv.gz")


def test_header_only_csv_is_empty(tmp_path):
    (tmp_path / "d.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d\.csv: the table has no rows"):
        load_table(tmp_path / "d.csv", base_dir=tmp_path)


def test_no_source_at_all():
    with pytest.raises(DataError, match=r"no data source given; set data\.source or data\.sql"):
        load_table()


def test_bad_sql_url():
    with pytest.raises(DataError, match=r"data\.sql\.url: cannot use 'nonsense://x'"):
        load_table(sql=SqlSource(url="nonsense://x", table="t"))


def test_loaded_table_is_frozen():
    table = LoadedTable(frame=pd.DataFrame({"a": [1]}), source="s", known_fingerprint="f")
    with pytest.raises(AttributeError):
        table.source = "other"  # type: ignore[misc]
