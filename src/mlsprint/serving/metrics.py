"""Prometheus metrics of the prediction service.

With several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory) before
the workers start: every process then writes its samples there and ``/metrics`` adds them
up (prometheus-client's multiprocess mode), so counts stay right whichever worker answers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

__all__ = ["CONTENT_TYPE_LATEST", "METRICS", "Metrics", "render"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_VALUE_BUCKETS = (-1e6, -1e3, -100, -10, -1, 0, 0.1, 0.25, 0.5, 0.75, 0.9, 1, 10, 100, 1e3, 1e6)


class Metrics:
    """Every metric the service exports (one instance per process)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        kw = {"registry": registry} if registry is not None else {}
        self.requests = Counter("mlsprint_requests", "HTTP requests answered",
                                ["route", "method", "status"], **kw)
        self.latency = Histogram("mlsprint_request_latency_seconds",
                                 "Time to answer a request", ["route"],
                                 buckets=_LATENCY_BUCKETS, **kw)
        self.errors = Counter("mlsprint_errors", "Requests that failed, by kind", ["kind"], **kw)
        self.rows = Counter("mlsprint_predicted_rows", "Rows predicted",
                            ["model", "version", "variant"], **kw)
        self.classes = Counter("mlsprint_predicted_class", "Predicted labels",
                               ["model", "version", "label"], **kw)
        self.values = Histogram("mlsprint_predicted_value", "Predicted value (regression) or "
                                "positive-class probability", ["model", "version"],
                                buckets=_VALUE_BUCKETS, **kw)
        self.fallbacks = Counter("mlsprint_fallbacks", "Answers given by the fallback",
                                 ["model", "version", "fallback"], **kw)
        self.problems = Counter("mlsprint_input_problems", "Input problems found, by kind "
                                "and level", ["kind", "level"], **kw)
        self.unseen = Counter("mlsprint_unseen_categories", "Unseen categories accepted",
                              ["column"], **kw)


METRICS = Metrics()


def render() -> tuple[bytes, str]:
    """The exposition text: summed over processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
