"""Reading request bodies: JSON, CSV and Parquet into records or frames (4xx on failure)."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd

from mlsprint.serving.errors import InputError, problem

__all__ = ["PARQUET_TYPES", "media_type", "parse_json", "read_table"]

PARQUET_TYPES = ("application/vnd.apache.parquet", "application/x-parquet",
                 "application/parquet", "application/octet-stream")


def media_type(content_type: str | None) -> str:
    """The bare media type of a ``Content-Type`` header, lower case."""
    return (content_type or "").split(";")[0].strip().lower()


def parse_json(body: bytes) -> Any:
    """Decode a JSON body; malformed JSON is a 400 naming the line and column."""
    if not body.strip():
        raise InputError(400, "malformed_json", "the body is empty; send a JSON document",
                         [problem("malformed_json", "empty body")])
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(400, "malformed_json", f"the body is not valid JSON: {exc}",
                         [problem("malformed_json", str(exc))]) from exc


def read_table(data: bytes | Any, kind: str) -> pd.DataFrame:
    """A CSV or Parquet body (bytes or a file object) as a frame."""
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    try:
        if kind == "csv":
            return pd.read_csv(source)
        return pd.read_parquet(source)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the caller's input
        raise InputError(400, "malformed_body", f"the body is not a valid {kind.upper()} "
                         f"table: {str(exc)[:300]}",
                         [problem("malformed_body", str(exc)[:300])]) from exc
