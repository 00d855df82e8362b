"""The prediction log on SQLite (WAL) and a throwaway PostgreSQL database."""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from mlsprint.stores import LogRecord, PredictionLog

DATA = "/work/shared/data/german_credit.csv.gz"


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.read_csv(DATA).drop(columns="class").head(50)


def _pg_url():
    try:
        import psycopg

        conn = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                               autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")
    return conn


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'predictions.db'}"
        return
    admin = _pg_url()
    name = f"mlsprint_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_rows_round_trip_with_feedback(url, rows):
    log = PredictionLog(url, flush_interval=0.05)
    outputs = pd.DataFrame({"label": ["good"] * 3, "proba_bad": [0.1, 0.2, 0.9]})
    log.log_frame(LogRecord("req-a", "gc", "3", variant="champion", latency_ms=4.5),
                  rows.head(3), outputs)
    log.log_frame(LogRecord("req-b", "gc", "4", variant="challenger", served=False,
                            error_kind="model_error", fallback="baseline"),
                  rows.iloc[[10]], outputs.head(1))
    log.flush()
    log.add_feedback("req-a", "bad", row=2)
    log.add_feedback("req-a", "good", row=2)  # the latest outcome wins
    frame = log.read_predictions()
    log.close()
    assert len(frame) == 4
    first = frame[frame.request_id == "req-a"].sort_values("row")
    assert first["inputs"].iloc[1] == {k: (v.item() if hasattr(v, "item") else v)
                                       for k, v in rows.iloc[1].to_dict().items()}
    assert first["outputs"].iloc[2]["proba_bad"] == pytest.approx(0.9)
    assert first["outcome"].tolist() == [None, None, "good"]
    shadow = frame[frame.request_id == "req-b"].iloc[0]
    assert (shadow.variant, shadow.served, shadow.fallback) == ("challenger", False, "baseline")
    assert str(frame["time"].dt.tz) == "UTC"


def test_filters_by_time_version_and_variant(url, rows):
    now = time.time()
    with PredictionLog(url) as log:
        log.log_frame(LogRecord("old", "gc", "1", time=now - 3600), rows.head(1), None)
        log.log_frame(LogRecord("new", "gc", "2", variant="challenger", time=now),
                      rows.head(1), None)
    log2 = PredictionLog(url)
    try:
        assert log2.read_predictions(window=timedelta(minutes=5))["request_id"].tolist() == ["new"]
        since = datetime.fromtimestamp(now - 7200, tz=UTC)
        assert len(log2.read_predictions(since)) == 2
        assert log2.read_predictions(model_version="1")["request_id"].tolist() == ["old"]
        assert log2.read_predictions(variant="challenger")["request_id"].tolist() == ["new"]
        assert list(log2.read_inputs(model_version="2").columns) == list(rows.columns)
    finally:
        log2.close()


def test_close_loses_no_acknowledged_record(url, rows):
    """Many threads log while close() runs at the end: every acknowledged row is stored."""
    log = PredictionLog(url, batch_size=64, flush_interval=0.5)
    acknowledged = []

    def worker(k: int) -> None:
        for i in range(40):
            log.log_frame(LogRecord(f"{k}-{i}", "gc", "1"), rows.iloc[[i]], None)
            acknowledged.append(1)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    assert log.count() == len(acknowledged) == 160
    with pytest.raises(RuntimeError, match="closed"):
        log.log_frame(LogRecord("late", "gc", "1"), rows.head(1), None)


def test_sqlite_uses_wal(tmp_path):
    log = PredictionLog(tmp_path / "sub" / "p.db")
    with log.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    log.close()
    assert mode == "wal"


def test_naive_datetime_is_refused(tmp_path):
    with PredictionLog(tmp_path / "p.db") as log, pytest.raises(ValueError, match="naive"):
        log.read_predictions(datetime(2026, 1, 1))


def test_row_json_equals_pandas_lines(rows):
    """The fast splitter gives exactly pandas' JSON lines, tricky strings included."""
    from mlsprint.stores.predictions import _split_records

    tricky = rows.head(6).copy()
    tricky.loc[0, "purpose"] = 'a},{"b'
    tricky.loc[1, "purpose"] = "line\nbreak \u00e9 }{"
    tricky.loc[2, "purpose"] = None
    tricky["when"] = pd.Timestamp("2026-01-01", tz="UTC")
    want = tricky.to_json(orient="records", lines=True, date_format="iso",
                          force_ascii=True).rstrip("\n").split("\n")
    assert _split_records(tricky) == want
    odd = pd.DataFrame({"x{": [1, 2], "y": ["}", "{"]})
    assert _split_records(odd) == odd.to_json(orient="records", lines=True).rstrip().split("\n")


def test_large_requests_are_stored_as_parquet_and_read_back_as_rows(url, rows, tmp_path):
    """A request of many rows is one Parquet row in its own table; readers give the same
    rows, values and feedback as when every row is a JSON row."""
    import sqlalchemy as sa

    big = pd.concat([rows] * 4, ignore_index=True)  # 200 rows
    big.loc[3, "age"] = None  # a missing value reads back as None, as from JSON
    outputs = pd.DataFrame({"label": ["good", "bad"] * 100,
                            "proba_bad": [i / 200 for i in range(200)]})
    frames = {}
    for name, min_rows in (("parquet", 100), ("json", 10_000)):
        db = url if name == "parquet" else f"sqlite:///{tmp_path / 'json.db'}"
        log = PredictionLog(db, columnar_min_rows=min_rows, flush_interval=0.05)
        log.log_frame(LogRecord("big", "gc", "1", latency_ms=7.0), big, outputs)
        log.log_frame(LogRecord("small", "gc", "1"), rows.head(2), outputs.head(2))
        log.flush()
        log.add_feedback("big", "bad", row=150)
        frames[name] = log.read_predictions()
        assert log.count() == 202
        if name == "parquet":
            with log.engine.connect() as conn:
                stored = conn.execute(sa.text(
                    "SELECT COUNT(*) FROM mlsprint_prediction_batches")).scalar_one()
            assert stored == 1, "one table row for the large request"
        log.close()
    got, want = frames["parquet"], frames["json"]
    assert len(got) == len(want) == 202
    assert got["request_id"].tolist() == want["request_id"].tolist()
    assert got["row"].tolist() == want["row"].tolist()
    assert got["inputs"].tolist() == want["inputs"].tolist()
    assert got["outputs"].tolist() == want["outputs"].tolist()
    assert got["outcome"].tolist() == want["outcome"].tolist()
    assert got.loc[got["row"] == 150, "outcome"].tolist()[0] == "bad"
    assert got["inputs"].iloc[3]["age"] is None


@pytest.mark.parametrize("n", [3, 200])
def test_a_parquet_upload_is_logged_as_it_came(tmp_path, rows, n):
    """Parquet bytes as inputs: stored as they are (large) or as JSON rows (small)."""
    import io

    frame = pd.concat([rows] * 4, ignore_index=True).head(n)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    outputs = pd.DataFrame({"value": [float(i) for i in range(n)]})
    with PredictionLog(tmp_path / "p.db", columnar_min_rows=100) as log:
        log.log_frame(LogRecord("up", "gc", "1"), buf.getvalue(), outputs)
    back = PredictionLog(tmp_path / "p.db")
    try:
        got = back.read_inputs()
    finally:
        back.close()
    pd.testing.assert_frame_equal(got, frame, check_dtype=False)
