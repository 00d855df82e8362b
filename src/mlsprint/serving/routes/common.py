"""Helpers shared by the routers: the runtime, the request id, JSON answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from mlsprint.serving.runtime import Runtime

__all__ = ["json_response", "predict_small_inline", "request_id", "run_in_threadpool",
           "runtime"]


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def predict_small_inline(rt: Runtime, fn: Callable[..., Any], records: Any,
                               **kwargs: Any) -> Any:
    """Run a prediction of a few JSON records on the event loop, a larger one in a thread.

    Only when every routed model has its compiled fast path (about 0.1 ms of work for a
    few records; a model without one may be slow, and a slow call on the event loop would
    stall every other request and defeat the request timeout). Handing them to a
    thread costs more than the work, and with eight clients the threads queue behind one
    another for the GIL (see docs/benchmarks-serving.md).
    """
    n = 1 if isinstance(records, dict) else len(records) if isinstance(records, list) else None
    models = rt.models
    fast = models is not None and models.champion.fast is not None and (
        models.challenger is None or models.challenger.fast is not None)
    if fast and n is not None and n <= rt.settings.fast_path_max_rows and not kwargs.get(
            "explain"):
        return fn(rt, records, **kwargs)
    return await run_in_threadpool(fn, rt, records, **kwargs)


def request_id(request: Request) -> str:
    return request.scope.get("state", {}).get("request_id") or ""


def json_response(payload: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    """A JSON answer encoded with the standard library (no per-field model overhead)."""
    return Response(json.dumps(payload, default=_default, allow_nan=False), status_code=status,
                    media_type="application/json", headers=headers)


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
