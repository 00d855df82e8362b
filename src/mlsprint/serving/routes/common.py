"""Helpers shared by the routers: the runtime, the request id, JSON answers."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from mlsprint.serving.runtime import Runtime

__all__ = ["json_response", "request_id", "run_in_threadpool", "runtime"]


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


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
