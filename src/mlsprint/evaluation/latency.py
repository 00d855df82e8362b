"""In-process latency of a fitted pipeline: single rows and batches.

Measured with ``time.perf_counter`` around the pipeline's own predict call (no HTTP, no
JSON), so it is the floor under serving's latency. Batches larger than the sample are
drawn with replacement (seeded).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LatencyReport", "measure_latency"]


@dataclass(frozen=True, slots=True)
class LatencyReport:
    """Single-row percentiles in milliseconds and batch throughput in rows per second."""

    single_p50_ms: float
    single_p95_ms: float
    single_mean_ms: float
    repeats: int
    rows_per_second: dict[int, float] = field(default_factory=dict)
    method: str = "predict_proba"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rows_per_second"] = {str(k): v for k, v in self.rows_per_second.items()}
        return out


def _timed(predict: Any, X: pd.DataFrame) -> float:
    start = time.perf_counter()
    predict(X)
    return time.perf_counter() - start


def measure_latency(pipeline: Any, X: pd.DataFrame, *, repeats: int = 50,
                    batch_sizes: tuple[int, ...] = (100, 10_000), batch_repeats: int = 3,
                    random_state: int | None = 0) -> LatencyReport:
    """Time single-row and batch predictions of ``pipeline`` on rows of ``X``.

    Parameters
    ----------
    pipeline : fitted estimator
        ``predict_proba`` is timed when present (what serving calls), else ``predict``.
    X : DataFrame
        Real input rows; single-row calls cycle through them.
    repeats : int, default 50
        Single-row calls (after one warm-up call).
    batch_sizes : tuple of int, default (100, 10000)
    batch_repeats : int, default 3
        Timings per batch size; the median is reported.
    random_state : int, optional

    Returns
    -------
    LatencyReport
    """
    if len(X) == 0:
        raise ValueError("measure_latency needs at least one row in X; got an empty frame")
    if repeats < 1:
        raise ValueError(f"repeats must be a positive int; got {repeats}")
    method = "predict_proba" if hasattr(pipeline, "predict_proba") else "predict"
    predict = getattr(pipeline, method)
    _timed(predict, X.iloc[:1])  # warm-up: first-call imports and caches
    single = np.array([_timed(predict, X.iloc[[i % len(X)]]) for i in range(repeats)]) * 1e3
    rng = np.random.default_rng(random_state)
    throughput: dict[int, float] = {}
    for size in batch_sizes:
        rows = rng.integers(0, len(X), size=size) if size > len(X) else np.arange(size)
        batch = X.iloc[rows]
        seconds = np.median([_timed(predict, batch) for _ in range(batch_repeats)])
        throughput[int(size)] = float(size / seconds) if seconds > 0 else float("inf")
    return LatencyReport(
        single_p50_ms=float(np.percentile(single, 50)),
        single_p95_ms=float(np.percentile(single, 95)),
        single_mean_ms=float(single.mean()), repeats=repeats,
        rows_per_second=throughput, method=method,
    )
