"""A content hash of a table: the data versioning of the cycle.

Stable across runs, machines and file formats: the same table read from CSV, Parquet or
SQL hashes the same, because the hash covers column names, a normalised type per column
(integers and floats are both numbers; a column with no value has no type) and the
values, not the bytes of a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.columnwise import ordered_map

__all__ = ["fingerprint", "fingerprints", "kind_of"]


def kind_of(series: pd.Series) -> str:
    """The normalised type of a column: integer, float, boolean, datetime or string."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "string"


def _normalised(series: pd.Series) -> pd.Series:
    kind = kind_of(series)
    if kind in ("integer", "float"):  # a CSV may read as int what Parquet stored as float
        return series.astype("float64")
    if kind == "boolean":
        return series.astype("object").map({True: 1, False: 0}).astype("float64")
    if kind == "datetime":
        return series.astype("datetime64[ns]").astype("int64")
    if isinstance(series.dtype, pd.StringDtype):  # hashes as its object form does, 3x faster
        return series
    text = series.astype("object").where(series.notna(), None)
    return text.map(lambda v: v if v is None or isinstance(v, str) else str(v))


def fingerprint(df: pd.DataFrame) -> str:
    """Return ``sha256:<hex>`` over column names, normalised types and values.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", None]})
    >>> fingerprint(a) == fingerprint(a.copy())
    True
    """
    return fingerprints(df)["data"]


def fingerprints(df: pd.DataFrame, parts: Mapping[str, np.ndarray] | None = None
                 ) -> dict[str, str]:
    """Fingerprint a table and row subsets of it in one pass over its columns.

    ``parts`` maps a name to row positions; its fingerprint equals
    ``fingerprint(df.iloc[rows])``, but each column is hashed once, not once per part
    (cutting a holdout fingerprints the table and both sides of it). Columns are hashed
    two at a time: Arrow's dictionary encoding and NumPy release the GIL.

    Returns
    -------
    dict
        ``{"data": <fingerprint of df>, <part name>: <its fingerprint>, ...}``
    """
    parts = dict(parts or {})
    digests = {"data": _digest(len(df), df.shape[1])}
    digests.update({name: _digest(len(rows), df.shape[1]) for name, rows in parts.items()})
    for name, (kind, hashes, missing) in zip(df.columns, ordered_map(
            lambda name: _column_hashes(df[name]), df.columns), strict=True):
        digests["data"].update(f"|{name}:{kind}".encode())
        digests["data"].update(hashes)
        for part, rows in parts.items():
            part_kind, part_hashes = kind, hashes[rows]
            if kind != "empty" and len(rows) and missing[rows].all():  # no value on this side
                part_kind, part_hashes, _ = _column_hashes(df[name].iloc[rows])
            digests[part].update(f"|{name}:{part_kind}".encode())
            digests[part].update(part_hashes)
    return {name: "sha256:" + digest.hexdigest() for name, digest in digests.items()}


def _digest(rows: int, cols: int) -> Any:
    digest = hashlib.sha256()
    digest.update(f"rows={rows};cols={cols}".encode())
    return digest


def _column_hashes(col: pd.Series) -> tuple[str, np.ndarray, np.ndarray]:
    """The column's hashed kind, one little-endian uint64 per value, and its missing mask."""
    kind = kind_of(col)
    kind = "number" if kind in ("integer", "float") else kind
    missing = col.isna().to_numpy()
    if len(col) and missing.all():  # no values, so no type: SQL gives object, CSV float
        kind, col = "empty", pd.Series([None] * len(col), dtype="object")
    values = pd.util.hash_pandas_object(_normalised(col), index=False).to_numpy()
    return kind, np.ascontiguousarray(values, dtype="<u8"), missing
