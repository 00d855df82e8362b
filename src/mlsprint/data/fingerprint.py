"""A content hash of a table: the data versioning of the cycle.

Stable across runs, machines and file formats: the same table read from CSV, Parquet or
SQL hashes the same, because the hash covers column names, a normalised type per column
(integers and floats are both numbers; a column with no value has no type) and the
values, not the bytes of a file.

Each value is hashed to 64 bits (pandas' SipHash of the normalised value). Two schemes
turn a column of those into the table's digest; the prefix of a fingerprint names it:

``tab2:`` (current)
    each column contributes two 64-bit weighted sums of its value hashes, the weights
    odd pseudo-random functions of the row position (so order matters and one changed
    value always changes the sum); SHA-256 over names, kinds and those sums. Hashing a
    million rows x 50 columns costs the value hashes and a few dot products.
``sha256:`` (until November 2026)
    SHA-256 over every value hash: 8 bytes per cell through SHA-256, three times when a
    holdout is cut, which was slower than everything else in the cut.

Fingerprints recorded under the old scheme stay comparable: :func:`matches` recomputes a
table under the scheme of the value it is compared with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.columnwise import ordered_map

__all__ = ["GOLDEN", "SCHEME", "fingerprint", "fingerprints", "kind_of", "matches", "mix64"]

SCHEME = "tab2"
_LEGACY = "sha256"
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd: SplitMix64's step


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 that spreads codes over 64 bits."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


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


def fingerprint(df: pd.DataFrame, *, scheme: str = SCHEME) -> str:
    """Return ``<scheme>:<hex>`` over column names, normalised types and values.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", None]})
    >>> fingerprint(a) == fingerprint(a.copy())
    True
    >>> fingerprint(a).startswith("tab2:")
    True
    """
    return fingerprints(df, scheme=scheme)["data"]


def matches(df: pd.DataFrame, recorded: str, *, current: str | None = None) -> bool:
    """Whether ``df`` is the table whose fingerprint was ``recorded``, under the scheme
    ``recorded`` was made with. ``current`` is ``df``'s fingerprint when already known."""
    scheme = recorded.partition(":")[0]
    if scheme == SCHEME and current is not None:
        return current == recorded
    if scheme not in (SCHEME, _LEGACY):
        raise ValueError(f"unknown fingerprint scheme {scheme!r} in {recorded!r}; "
                         f"expected {SCHEME!r} or {_LEGACY!r}")
    return fingerprint(df, scheme=scheme) == recorded


def fingerprints(df: pd.DataFrame, parts: Mapping[str, np.ndarray] | None = None, *,
                 scheme: str = SCHEME) -> dict[str, str]:
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
    parts = {"data": np.arange(len(df)), **(parts or {})}
    digests = {name: _digest(len(rows), df.shape[1]) for name, rows in parts.items()}
    weights = _Weights()
    for name, (kind, hashes, missing) in zip(df.columns, ordered_map(
            lambda name: _column_hashes(df[name]), df.columns), strict=True):
        for part, rows in parts.items():
            part_kind, part_hashes = kind, hashes if part == "data" else hashes[rows]
            if kind != "empty" and len(rows) and missing[rows].all():  # no value on this side
                part_kind, part_hashes, _ = _column_hashes(df[name].iloc[rows])
            digests[part].update(f"|{name}:{part_kind}".encode())
            digests[part].update(part_hashes if scheme == _LEGACY else
                                 weights.sums(part_hashes))
    return {name: f"{scheme}:{digest.hexdigest()}" for name, digest in digests.items()}


def _digest(rows: int, cols: int) -> Any:
    digest = hashlib.sha256()
    digest.update(f"rows={rows};cols={cols}".encode())
    return digest


class _Weights:
    """Two odd 64-bit weights per row position (SplitMix64 of the position), grown on
    demand. Odd weights are invertible modulo 2**64, so changing one value always
    changes a weighted sum; pseudo-random weights make reordered rows sum differently."""

    def __init__(self) -> None:
        self._w = np.empty((2, 0), dtype=np.uint64)

    def sums(self, hashes: np.ndarray) -> bytes:
        """The two weighted sums modulo 2**64 (NumPy's integer products wrap)."""
        n = len(hashes)
        if n > self._w.shape[1]:
            self._w = _splitmix_weights(n)
        return np.ascontiguousarray(self._w[:, :n] @ hashes, dtype="<u8").tobytes()


def _splitmix_weights(n: int) -> np.ndarray:
    lanes = np.empty((2, n), dtype=np.uint64)
    for lane in range(2):
        z = (np.arange(n, dtype=np.uint64) * np.uint64(2) + np.uint64(lane + 1)) * GOLDEN
        lanes[lane] = mix64(z) | np.uint64(1)
    return lanes


def _column_hashes(col: pd.Series) -> tuple[str, np.ndarray, np.ndarray]:
    """The column's hashed kind, one little-endian uint64 per value, and its missing mask."""
    kind = kind_of(col)
    kind = "number" if kind in ("integer", "float") else kind
    missing = col.isna().to_numpy()
    if len(col) and missing.all():  # no values, so no type: SQL gives object, CSV float
        kind, col = "empty", pd.Series([None] * len(col), dtype="object")
    values = pd.util.hash_pandas_object(_normalised(col), index=False).to_numpy()
    return kind, np.ascontiguousarray(values, dtype="<u8"), missing
