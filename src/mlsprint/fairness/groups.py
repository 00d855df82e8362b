"""Group labels for protected attributes: numeric ones cut into bands, pairs intersected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

__all__ = ["MISSING", "group_labels", "group_sort_key", "intersections", "protected_bins"]

if TYPE_CHECKING:
    from mlsprint.spec.model import ProjectSpec

MISSING = "(missing)"
MAX_DISTINCT_AS_CATEGORY = 10  # a numeric column with more distinct values is banded


def _edge(value: float) -> str:
    return f"{value:g}"


def _cut(values: pd.Series, edges: Sequence[float]) -> pd.Series:
    """Bands ``[a, b)`` over the given edges, open-ended at both extremes."""
    inner = sorted(float(e) for e in edges)
    full = [-np.inf, *inner, np.inf]
    labels = []
    for lo, hi in zip(full[:-1], full[1:], strict=True):
        if lo == -np.inf:
            labels.append(f"< {_edge(hi)}")
        elif hi == np.inf:
            labels.append(f">= {_edge(lo)}")
        else:
            labels.append(f"[{_edge(lo)}, {_edge(hi)})")
    codes = np.searchsorted(np.asarray(inner), values.to_numpy(dtype=float), side="right")
    out = pd.Series(np.asarray(labels, dtype=object)[codes], index=values.index, dtype=object)
    return out.where(values.notna(), MISSING)


def _quantile_edges(values: pd.Series, n_bands: int) -> list[float]:
    qs = np.quantile(values.dropna().to_numpy(dtype=float), np.linspace(0, 1, n_bands + 1))
    return sorted(set(float(q) for q in qs[1:-1]))


def group_labels(sensitive: pd.DataFrame, *,
                 bins: Mapping[str, Sequence[float] | None] | None = None,
                 n_bands: int = 4) -> pd.DataFrame:
    """Text group labels per protected column.

    Categorical columns keep their values; numeric columns with more than
    ``MAX_DISTINCT_AS_CATEGORY`` distinct values are cut at ``bins[col]`` when given,
    else at their quantiles into ``n_bands`` bands. Missing values form the group
    ``(missing)``.

    Examples
    --------
    >>> df = pd.DataFrame({"age": range(20, 40), "sex": ["F", "M"] * 10})
    >>> group_labels(df, bins={"age": [30]})["age"].unique().tolist()
    ['< 30', '>= 30']
    """
    bins = dict(bins or {})
    out = {}
    for name in sensitive.columns:
        col = sensitive[name]
        numeric = pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(
            col.dtype)
        edges = bins.get(str(name))
        if numeric and (edges or col.nunique(dropna=True) > MAX_DISTINCT_AS_CATEGORY):
            out[str(name)] = _cut(col, edges or _quantile_edges(col, n_bands))
        else:
            text = col.astype(object).map(lambda v: MISSING if pd.isna(v) else str(v))
            out[str(name)] = text.astype(object)
    return pd.DataFrame(out, index=sensitive.index)


def intersections(labels: pd.DataFrame) -> dict[str, pd.Series]:
    """Each single attribute and each pair, as ``{"a": ..., "a & b": ...}``."""
    out = {str(c): labels[c] for c in labels.columns}
    for a, b in combinations(labels.columns, 2):
        out[f"{a} & {b}"] = (labels[a].astype(str) + " & " + labels[b].astype(str)).astype(object)
    return out


def protected_bins(spec: ProjectSpec) -> dict[str, list[float] | None]:
    """The spec's bins per protected attribute (None: quantile bands or values)."""
    return {p.name: p.bins for p in spec.data.columns.protected}


def _part_key(part: str) -> tuple[int, float, str]:
    if part == MISSING:
        return (2, 0.0, part)
    try:
        if part.startswith("< "):
            return (0, -np.inf, part)
        if part.startswith(">= "):
            return (0, float(part[3:]), part)
        if part.startswith("[") and part.endswith(")"):
            return (0, float(part[1:].split(",")[0]), part)
    except ValueError:
        pass
    return (1, 0.0, part)


def group_sort_key(label: str) -> tuple[tuple[int, float, str], ...]:
    """Order bands by their lower edge, then values by name, ``(missing)`` last.

    Examples
    --------
    >>> sorted([">= 42", "[27, 34)", "< 27"], key=group_sort_key)
    ['< 27', '[27, 34)', '>= 42']
    """
    return tuple(_part_key(p) for p in str(label).split(" & "))
