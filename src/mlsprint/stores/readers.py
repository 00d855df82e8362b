"""Reading the prediction log joined with feedback, for monitoring and A/B analysis."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mlsprint.stores.schema import batch_table, feedback_table, prediction_table

__all__ = ["read_joined"]

_META = ["request_id", "row", "time", "model_name", "model_version", "variant", "served",
         "latency_ms", "error_kind", "fallback", "inputs", "outputs", "outcome",
         "feedback_time"]


def _epoch(value: datetime | float | None) -> float | None:
    if value is None or isinstance(value, (int, float)):
        return value
    if value.tzinfo is None:
        raise ValueError(f"give a timezone-aware datetime (UTC), got naive {value!r}")
    return value.timestamp()


def _loads(text: Any) -> Any:
    return json.loads(text) if isinstance(text, (str, bytes)) else text


def _records(blob: bytes | None, n: int) -> list[Any]:
    """A Parquet-stored frame as one dict per row, missing values as None (as in JSON)."""
    import io

    if blob is None:
        return [None] * n
    frame = pd.read_parquet(io.BytesIO(blob))
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _expand(batches: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Parquet-stored requests as one row per predicted row, like the row table."""
    parts = []
    for b in batches.itertuples(index=False):
        n = int(b.n_rows)
        part = pd.DataFrame({c: [getattr(b, c)] * n for c in columns
                             if c not in ("row", "inputs", "outputs")})
        part["row"] = range(n)
        part["inputs"] = _records(b.inputs, n)
        part["outputs"] = _records(b.outputs, n)
        parts.append(part[columns])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _filtered(query: Any, table: sa.Table, start: float | None, end: float | None,
              model_version: str | None, variant: str | None, served_only: bool) -> Any:
    if start is not None:
        query = query.where(table.c.ts >= start)
    if end is not None:
        query = query.where(table.c.ts <= end)
    if model_version is not None:
        query = query.where(table.c.model_version == str(model_version))
    if variant is not None:
        query = query.where(table.c.variant == variant)
    if served_only:
        query = query.where(table.c.served.is_(True))
    return query


def read_joined(engine: Engine, *, since: datetime | float | None = None,
                until: datetime | float | None = None, window: timedelta | None = None,
                model_version: str | None = None, variant: str | None = None,
                served_only: bool = False) -> pd.DataFrame:
    """Predictions in a time range, each with its latest feedback (see PredictionLog)."""
    start, end = _epoch(since), _epoch(until)
    if window is not None:
        start = (end if end is not None else time.time()) - window.total_seconds()
    p, b = prediction_table, batch_table
    where = dict(start=start, end=end, model_version=model_version, variant=variant,
                 served_only=served_only)
    columns = [c.name for c in p.columns]
    with engine.connect() as conn:
        rows = _filtered(sa.select(p), p, **where).order_by(p.c.ts, p.c.id)
        preds = pd.DataFrame(conn.execute(rows).mappings().all(), columns=columns)
        batches = pd.DataFrame(
            conn.execute(_filtered(sa.select(b), b, **where)).mappings().all(),
            columns=[c.name for c in b.columns])
        if len(batches):
            both = [preds, _expand(batches, columns)]
            preds = pd.concat([f for f in both if len(f)], ignore_index=True)
            preds = preds.sort_values(["ts", "id", "row"], kind="stable")
        feedback = pd.DataFrame(
            conn.execute(sa.select(feedback_table).order_by(feedback_table.c.id)).mappings().all(),
            columns=[c.name for c in feedback_table.columns])
    return _join(preds, feedback)


def _join(preds: pd.DataFrame, feedback: pd.DataFrame) -> pd.DataFrame:
    latest = feedback.drop_duplicates(["request_id", "row"], keep="last")
    latest = latest.rename(columns={"ts": "feedback_ts"})[["request_id", "row", "outcome",
                                                           "feedback_ts"]]
    out = preds.merge(latest, on=["request_id", "row"], how="left")
    out["time"] = pd.to_datetime(out["ts"], unit="s", utc=True)
    out["feedback_time"] = pd.to_datetime(out["feedback_ts"], unit="s", utc=True)
    for col in ("inputs", "outputs"):
        out[col] = pd.Series([_loads(v) for v in out[col]], index=out.index, dtype=object)
    outcomes = [None if (v is None or (isinstance(v, float) and v != v)) else json.loads(v)
                for v in out["outcome"]]
    out["outcome"] = pd.Series(outcomes, index=out.index, dtype=object)
    out["served"] = out["served"].astype(bool)
    return out[_META].reset_index(drop=True)
