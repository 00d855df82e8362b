"""The prediction log and feedback: written by serving, read by monitoring and A/B analysis.

A :class:`PredictionLog` takes a SQLAlchemy URL: a SQLite file (WAL mode, the default of a
project) or PostgreSQL (``postgresql+psycopg://...``). Serving threads hand records to an
in-memory queue (:meth:`PredictionLog.log_frame` returns at once); one writer thread
inserts them in batches. A request of at least ``columnar_min_rows`` rows is stored as one
row of its own table, its inputs and outputs as Parquet (readers expand it back into one
row per predicted row). A record is *acknowledged* when ``log_frame`` returns, and
:meth:`PredictionLog.close` (called on graceful shutdown) writes every acknowledged record
before it returns.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from mlsprint.stores.schema import (
    BATCH_COLUMNS,
    batch_table,
    feedback_table,
    insert_sql,
    make_engine,
    prediction_table,
)

__all__ = ["LogRecord", "PredictionLog"]

_log = logging.getLogger("mlsprint.stores")
_STOP = object()


@dataclass(frozen=True, slots=True)
class LogRecord:
    """What is known of one request besides its rows."""

    request_id: str
    model_name: str
    model_version: str
    variant: str = "champion"
    served: bool = True
    latency_ms: float = 0.0
    error_kind: str | None = None
    fallback: str | None = None
    time: float | None = None


def _rows_json(rows: Any, n: int) -> list[str | None]:
    """One JSON text per row of a frame, a list of dicts, or a callable giving either."""
    if callable(rows):
        rows = rows()
    if rows is None:
        return [None] * n
    if isinstance(rows, list):
        return [json.dumps(r, default=str) for r in rows]
    if not len(rows):
        return []
    return _split_records(rows)


def _split_records(frame: pd.DataFrame) -> list[str]:
    """One JSON object per row. pandas' ``lines=True`` spends most of its time in a Python
    loop; splitting the records array at ``},{"`` is exact when no column name holds a
    brace (inside string values a quote is always escaped), and is checked by the count."""
    text = frame.to_json(orient="records", date_format="iso", force_ascii=True)
    if not any("{" in str(c) or "}" in str(c) for c in frame.columns):
        parts = text[2:-2].split('},{"')
        if len(parts) == len(frame) and text.startswith("[{") and text.endswith("}]"):
            return ["{" + parts[0] + "}", *('{"' + p + "}" for p in parts[1:])]
    lines = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=True)
    return lines.rstrip("\n").split("\n")


def _parquet(frame: pd.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    frame.reset_index(drop=True).to_parquet(buf, index=False)
    return buf.getvalue()


def _parquet_rows(blob: bytes) -> int:
    import io

    import pyarrow.parquet as pq

    return int(pq.read_metadata(io.BytesIO(blob)).num_rows)


def _columnar(inputs: Any, outputs: Any, min_rows: int) -> bool:
    if not (isinstance(outputs, pd.DataFrame) and len(outputs) >= min_rows):
        return False
    if isinstance(inputs, bytes):
        return _parquet_rows(inputs) == len(outputs)
    return inputs is None or (isinstance(inputs, pd.DataFrame) and len(inputs) == len(outputs))


class PredictionLog:
    """An asynchronous, batched writer of predictions plus feedback and readers.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL, or a file path (a SQLite file).
    batch_size : int
        Rows per insert at most.
    flush_interval : float
        Seconds the writer waits to fill a batch.
    columnar_min_rows : int
        Requests with at least this many rows (given as frames) are stored as Parquet.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> log = PredictionLog(tempfile.mkdtemp() + "/p.db")
    >>> log.log_frame(LogRecord("r1", "m", "1"), pd.DataFrame({"x": [1]}),
    ...               pd.DataFrame({"value": [2.0]}))
    >>> log.close(); len(log.read_predictions())
    1
    """

    def __init__(self, url: str | Path, *, batch_size: int = 1000,
                 flush_interval: float = 0.2, columnar_min_rows: int = 500) -> None:
        self.url = _as_url(url)
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.columnar_min_rows = columnar_min_rows
        self.engine = make_engine(self.url)
        self._insert = insert_sql(self.engine)
        self._insert_batch = insert_sql(self.engine, batch_table, BATCH_COLUMNS)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self.written = 0
        self.failed_batches = 0
        self._thread = threading.Thread(target=self._run, name="mlsprint-prediction-log",
                                        daemon=True)
        self._thread.start()

    # ---- writing -------------------------------------------------------------------
    def log_frame(self, record: LogRecord, inputs: Any, outputs: Any) -> None:
        """Queue one request's rows (inputs and outputs aligned by position).

        ``inputs`` and ``outputs`` are frames, lists of dicts, or callables returning one
        (evaluated by the writer thread, off the request's path), or None; ``inputs`` may
        also be a Parquet file's bytes (a Parquet upload, stored as it came).
        """
        if self._closed:
            raise RuntimeError("the prediction log is closed; no record can be added")
        stamp = record.time if record.time is not None else time.time()
        self._queue.put((record, stamp, inputs, outputs))

    def flush(self, timeout: float | None = 30.0) -> None:
        """Block until every record queued before this call is written."""
        done = threading.Event()
        self._queue.put(done)
        if not done.wait(timeout):
            raise TimeoutError(f"prediction log flush did not finish within {timeout} s")

    def close(self, timeout: float | None = 60.0) -> None:
        """Write every acknowledged record, stop the writer and release the database."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)
        self.engine.dispose()

    @property
    def pending(self) -> int:
        """Records queued but not yet written (approximate)."""
        return self._queue.qsize()

    def _expand(self, item: tuple[Any, ...], batches: list[tuple[Any, ...]]
                ) -> list[tuple[Any, ...]]:
        """The table rows of one request: one per predicted row, or (a large request) one
        Parquet row appended to ``batches``."""
        record, stamp, inputs, outputs = item
        base = (record.request_id, stamp, record.model_name, str(record.model_version),
                record.variant, bool(record.served))
        tail = (float(record.latency_ms), record.error_kind, record.fallback)
        try:
            outputs = outputs() if callable(outputs) else outputs
            inputs = inputs() if callable(inputs) else inputs
            if _columnar(inputs, outputs, self.columnar_min_rows):
                try:
                    blob_in = (inputs if inputs is None or isinstance(inputs, bytes)
                               else _parquet(inputs))
                    batches.append((*base, len(outputs), blob_in, _parquet(outputs), *tail))
                    return []
                except Exception:  # noqa: BLE001 - e.g. mixed types Arrow refuses: use JSON
                    _log.debug("request %s: Parquet refused, JSON rows", record.request_id)
            if isinstance(inputs, bytes):
                import io

                inputs = pd.read_parquet(io.BytesIO(inputs))
            outs = _rows_json(outputs, 0)
            ins = _rows_json(inputs, len(outs))
        except Exception:  # noqa: BLE001 - keep the record even if its rows cannot be encoded
            _log.exception("could not encode the rows of request %s", record.request_id)
            outs, ins = [None], [None]
        n = max(len(outs), len(ins))
        outs = outs or [None] * n
        return [(*base, i, ins[i] if i < len(ins) else None,
                 outs[i] if i < len(outs) else None, *tail) for i in range(max(n, 1))]

    def _run(self) -> None:
        stop = False
        while not stop:
            rows: list[tuple[Any, ...]] = []
            batches: list[tuple[Any, ...]] = []
            events: list[threading.Event] = []
            try:
                item = self._queue.get(timeout=self.flush_interval)
            except queue.Empty:
                continue
            deadline = time.monotonic() + self.flush_interval
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, threading.Event):
                    events.append(item)
                else:
                    rows.extend(self._expand(item, batches))
                if (stop or len(rows) >= self.batch_size or batches
                        or time.monotonic() > deadline):
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    if events:
                        break
                    try:
                        item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
            self._write(rows, batches)
            for event in events:
                event.set()
        self._drain()

    def _drain(self) -> None:
        rows: list[tuple[Any, ...]] = []
        batches: list[tuple[Any, ...]] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, threading.Event):
                item.set()
            elif item is not _STOP:
                rows.extend(self._expand(item, batches))
        self._write(rows, batches)

    def _write(self, rows: list[tuple[Any, ...]], batches: list[tuple[Any, ...]]) -> None:
        chunks = [(self._insert, rows[i:i + self.batch_size], len(rows[i:i + self.batch_size]))
                  for i in range(0, len(rows), self.batch_size)]
        chunks += [(self._insert_batch, [b], b[6]) for b in batches]
        for sql, chunk, n_rows in chunks:
            for attempt in range(5):
                try:
                    with self.engine.begin() as conn:  # DB-API executemany: no per-row ORM
                        conn.exec_driver_sql(sql, chunk)
                    self.written += n_rows
                    break
                except Exception:  # noqa: BLE001 - a database error must not kill the writer
                    _log.exception("prediction log write failed (attempt %d)", attempt + 1)
                    time.sleep(0.2 * 2**attempt)
            else:
                self.failed_batches += 1

    # ---- feedback ------------------------------------------------------------------
    def add_feedback(self, request_id: str, outcome: Any, *, row: int = 0) -> None:
        """Attach a true outcome to one row of a logged request (written at once)."""
        self.add_feedback_many([{"request_id": request_id, "row": row, "outcome": outcome}])

    def add_feedback_many(self, items: list[dict[str, Any]]) -> int:
        """Attach outcomes: each item has ``request_id``, ``outcome`` and optional ``row``."""
        now = time.time()
        rows = [{"request_id": str(i["request_id"]), "row": int(i.get("row", 0) or 0),
                 "outcome": json.dumps(i["outcome"]), "ts": now} for i in items]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(feedback_table.insert(), rows)
        return len(rows)

    # ---- reading -------------------------------------------------------------------
    def read_predictions(self, since: datetime | float | None = None, *,
                         until: datetime | float | None = None,
                         window: timedelta | None = None, model_version: str | None = None,
                         variant: str | None = None, served_only: bool = False,
                         ) -> pd.DataFrame:
        """Logged rows with their feedback: one row per predicted row.

        Columns: ``request_id, row, time`` (UTC), ``model_name, model_version, variant,
        served, latency_ms, error_kind, fallback``, ``inputs`` and ``outputs`` (dicts),
        ``outcome`` (the latest feedback, None without) and ``feedback_time``.
        ``window`` keeps the rows of the last ``window`` before ``until`` (or now).
        """
        from mlsprint.stores.readers import read_joined

        try:
            return read_joined(self.engine, since=since, until=until, window=window,
                               model_version=model_version, variant=variant,
                               served_only=served_only)
        finally:
            self._release_if_closed()

    def _release_if_closed(self) -> None:
        if self._closed:  # reads after close() must not leave pooled connections open
            self.engine.dispose()

    def read_inputs(self, **filters: Any) -> pd.DataFrame:
        """The logged input rows as a frame (the request columns), for drift monitoring."""
        frame = self.read_predictions(**filters)
        return pd.DataFrame.from_records(frame["inputs"].tolist(), index=frame.index)

    def count(self) -> int:
        """Predicted rows logged (a Parquet-stored request counts its rows)."""
        import sqlalchemy as sa

        try:
            with self.engine.connect() as conn:
                single = conn.execute(sa.select(sa.func.count()).select_from(
                    prediction_table)).scalar_one()
                batched = conn.execute(sa.select(sa.func.coalesce(
                    sa.func.sum(batch_table.c.n_rows), 0))).scalar_one()
                return int(single) + int(batched)
        finally:
            self._release_if_closed()

    def __enter__(self) -> PredictionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_url(url: str | Path) -> str:
    text = str(url)
    if "://" in text:
        return text
    Path(text).parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(text).resolve()}"
