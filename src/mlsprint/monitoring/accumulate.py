"""Current-window statistics, accumulated chunk by chunk in bounded memory.

A :class:`CurrentStats` counts each monitored column of current data on the reference's
bins (additive over chunks) and keeps a seeded, bounded sample of its values (for KS and
normed Wasserstein). ``detect_drift`` feeds it one frame; a 10M-row window, or later a Dask
partition map, feeds it chunk by chunk and merges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.monitoring.reference import (
    column_stats,
    merge_column_stats,
    prediction_values,
)

__all__ = ["CurrentStats", "reference_sample"]

DEFAULT_SAMPLE_CAP = 50_000


@dataclass
class _Reservoir:
    """The ``cap`` values with the smallest random keys seen so far (a seeded sample)."""

    cap: int | None
    values: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    keys: np.ndarray = field(default_factory=lambda: np.empty(0))

    def add(self, values: np.ndarray, rng: np.random.Generator) -> None:
        keys = rng.random(values.size)
        if self.cap is None:
            self.values = np.concatenate([self.values.astype(values.dtype), values])
            return
        values = np.concatenate([self.values.astype(values.dtype), values])
        keys = np.concatenate([self.keys, keys])
        if values.size > self.cap:
            keep = np.argpartition(keys, self.cap)[: self.cap]
            keep.sort()
            values, keys = values[keep], keys[keep]
        self.values, self.keys = values, keys


class CurrentStats:
    """Accumulate current data against a reference dict (from ``build_reference``).

    Parameters
    ----------
    reference : dict
        The reference statistics.
    sample_cap : int or None
        Values kept per column for sample-based statistics; ``None`` keeps all (Evidently's
        tests need every current value).
    random_state : int
        Seed of the bounded sample.
    """

    def __init__(self, reference: dict[str, Any], *, sample_cap: int | None = DEFAULT_SAMPLE_CAP,
                 random_state: int = 0) -> None:
        self.reference = reference
        self.sample_cap = sample_cap
        self.random_state = random_state
        self.stats_: dict[str, dict[str, Any]] = {}
        self.samples_: dict[str, _Reservoir] = {}
        self.n_rows_ = 0
        self._rng = np.random.default_rng(random_state)

    def update(self, current: pd.DataFrame, *, current_predictions: Any = None,
               current_target: Any = None) -> CurrentStats:
        """Count one chunk of current rows (and its predictions and labels, when given)."""
        self.n_rows_ += len(current)
        for name, ref in self.reference["columns"].items():
            values = self._values_for(name, ref, current, current_predictions, current_target)
            if values is not None:
                self._add(name, ref, values)
        return self

    def _values_for(self, name, ref, current, predictions, target):
        if ref["role"] == "prediction":
            if predictions is None:
                return None
            values, _ = prediction_values(
                predictions, task=self.reference["task"],
                classes=tuple(self.reference["classes"]),
                positive_class=self.reference["positive_class"])
            return values
        if ref["role"] == "target":
            return None if target is None else np.asarray(target)
        return current[name] if name in current.columns else None

    def _add(self, name: str, ref: dict[str, Any], values: Any) -> None:
        kind = ref["kind"]
        edges = np.asarray(ref["edges"]) if kind == "numeric" else None
        chunk = column_stats(values, kind, edges=edges)
        previous = self.stats_.get(name)
        self.stats_[name] = chunk if previous is None else merge_column_stats(previous, chunk)
        if kind == "categorical" and self.sample_cap is not None:
            return  # category tests use counts; raw levels are kept only for Evidently's
        present = _present(values, kind)
        reservoir = self.samples_.setdefault(name, _Reservoir(self.sample_cap))
        reservoir.add(present, self._rng)

    def sample(self, name: str) -> np.ndarray:
        """The kept (non-missing) current values of ``name``."""
        return self.samples_[name].values

    @property
    def columns(self) -> list[str]:
        return list(self.stats_)


def _present(values: Any, kind: str) -> np.ndarray:
    if kind == "numeric":
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        arr = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        return arr[np.isfinite(arr)]
    return pd.Series(values).dropna().astype(str).to_numpy(dtype=object)


def reference_sample(entry: dict[str, Any]) -> np.ndarray:
    """The non-missing raw reference sample of one column entry."""
    raw = [v for v in entry["sample"] if v is not None]
    if entry["kind"] == "numeric":
        return np.asarray(raw, dtype="float64")
    return np.asarray(raw, dtype=object).astype(str)

