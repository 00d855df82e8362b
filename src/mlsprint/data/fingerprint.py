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

A string column already factorised (``mlsprint profile`` factorises every column for its
summaries) need not be hashed value by value: hashing its distinct values and taking
them by code gives the same value hashes (``fingerprints(..., factorized=...)``). Only
string columns take that path: factorising merges values that hash apart when normalised
(0.0 and -0.0, NaNs of different payloads, 1 and 1.0 and True in an object column), and
numbers hash fast anyway; strings are where the time goes (pandas materialises each one
as a Python object to hash it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.columnwise import ordered_map

__all__ = ["GOLDEN", "SCHEME", "Factorized", "fingerprint", "fingerprints", "kind_of",
           "matches", "mix64", "narrow_codes"]

SCHEME = "tab2"
_LEGACY = "sha256"
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd: SplitMix64's step

# a column's ``pd.factorize(column, use_na_sentinel=True)``: codes (-1 = missing), uniques
Factorized = tuple[np.ndarray, Any]


def narrow_codes(codes: np.ndarray, n_uniques: int) -> np.ndarray:
    """Factorisation codes in the smallest signed integer type that holds them (a column
    of a few distinct values keeps 1 byte a row instead of 8)."""
    return codes.astype(np.min_scalar_type(-max(n_uniques, 1)), copy=False)


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
                 scheme: str = SCHEME,
                 factorized: Mapping[Any, Factorized] | None = None) -> dict[str, str]:
    """Fingerprint a table and row subsets of it in one pass over its columns.

    ``parts`` maps a name to row positions; its fingerprint equals
    ``fingerprint(df.iloc[rows])``, but each column is hashed once, not once per part
    (cutting a holdout fingerprints the table and both sides of it). Columns are hashed
    two at a time: Arrow's dictionary encoding and NumPy release the GIL.
    ``factorized`` maps column labels to their factorisation of ``df`` (codes may be
    narrowed): those of string dtype hash their distinct values only, with the same
    result.

    Returns
    -------
    dict
        ``{"data": <fingerprint of df>, <part name>: <its fingerprint>, ...}``
    """
    parts = {"data": np.arange(len(df)), **(parts or {})}
    digests = {name: _digest(len(rows), df.shape[1]) for name, rows in parts.items()}
    weights = _Weights()
    known = factorized or {}
    for name, (kind, hashes, missing) in zip(df.columns, ordered_map(
            lambda name: _column_hashes(df[name], known.get(name)), df.columns), strict=True):
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


def _column_hashes(col: pd.Series, factorized: Factorized | None = None
                   ) -> tuple[str, np.ndarray, np.ndarray]:
    """The column's hashed kind, one little-endian uint64 per value, and its missing mask
    (from ``factorized``, the column's factorisation, when given)."""
    kind = kind_of(col)
    kind = "number" if kind in ("integer", "float") else kind
    if not isinstance(col.dtype, pd.StringDtype):  # see the module's docstring
        factorized = None
    missing = col.isna().to_numpy() if factorized is None else factorized[0] < 0
    if len(col) and missing.all():  # no values, so no type: SQL gives object, CSV float
        kind, col, factorized = "empty", pd.Series([None] * len(col), dtype="object"), None
    if factorized is None:
        values = _hash_values(col)
    else:
        codes, uniques = factorized
        distinct = pd.Series(uniques, copy=False)
        if missing.any():  # code -1 takes the last hash: the column's own missing value
            distinct = pd.concat([distinct, col.iloc[[int(np.argmax(missing))]]],
                                 ignore_index=True)
        values = _hash_values(distinct).take(codes)
    return kind, np.ascontiguousarray(values, dtype="<u8"), missing


def _hash_values(col: pd.Series) -> np.ndarray:
    """pandas' 64-bit SipHash of each normalised value (each value's hash alone)."""
    return pd.util.hash_pandas_object(_normalised(col), index=False).to_numpy()
