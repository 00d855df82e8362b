"""The FastAPI app factory: ``uvicorn --factory mlsprint.serving.app:create_app``.

Routers: ``/predict`` and ``/feedback``, ``/predict/batch``, ``/v2/...`` (KServe V2),
``/ping`` and ``/invocations`` (MLflow), ``/health/*``, ``/metrics`` and ``/admin/*``.
Exception handlers here are the one place errors become HTTP answers: bad input is always
a 4xx JSON body listing its problems by row and column, never a 500.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException as StarletteHTTPException

import mlsprint
from mlsprint.serving.errors import InputError, problem
from mlsprint.serving.jsonlog import configure_logging
from mlsprint.serving.metrics import METRICS
from mlsprint.serving.middleware import BodyTooLarge, Guard
from mlsprint.serving.routes import batch, mlflow_protocol, ops, predict, v2
from mlsprint.serving.routes.common import json_response, request_id
from mlsprint.serving.runtime import Deployed, Runtime
from mlsprint.serving.schema import patch_openapi
from mlsprint.serving.settings import ServingSettings

__all__ = ["create_app"]

_log = logging.getLogger("mlsprint.serving")


def _load_in_background(rt: Runtime) -> threading.Thread:
    def run() -> None:
        try:
            rt.load()
        except Exception:  # noqa: BLE001 - reported by /health/ready and the log
            _log.exception("model load failed")
            rt.loading = False

    rt.loading = True
    thread = threading.Thread(target=run, name="mlsprint-model-load", daemon=True)
    thread.start()
    return thread


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Any:
        METRICS.errors.labels(kind=exc.error).inc()
        for p in exc.problems[:1000]:
            METRICS.problems.labels(kind=p["kind"], level=p["level"]).inc()
        return json_response(exc.body(request_id(request)), exc.status)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Any:
        METRICS.errors.labels(kind="body_too_large").inc()
        return json_response(InputError(413, "body_too_large", str(exc)).body(
            request_id(request)), 413)

    @app.exception_handler(RequestValidationError)
    async def bad_params(request: Request, exc: RequestValidationError) -> Any:
        problems = [problem(e.get("type", "invalid"), e.get("msg", ""),
                            column=".".join(map(str, e.get("loc", ())))) for e in exc.errors()]
        METRICS.errors.labels(kind="invalid_parameters").inc()
        return json_response(InputError(422, "invalid_parameters", "query or path parameters "
                                        "are invalid", problems).body(request_id(request)), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        return json_response(InputError(exc.status_code, "http_error", str(exc.detail)).body(
            request_id(request)), exc.status_code, headers=getattr(exc, "headers", None))


def _openapi(app: FastAPI, rt: Runtime) -> Callable[[], dict[str, Any]]:
    cache: dict[str, Any] = {}

    def build() -> dict[str, Any]:
        models = rt.models
        key = None if models is None else f"{models.champion.name}:{models.champion.version}"
        if key is not None and cache.get("key") == key:
            return cache["doc"]
        doc = get_openapi(title="mlsprint prediction service", version=mlsprint.__version__,
                          routes=app.routes)
        if models is not None:
            patch_openapi(doc, models.champion)
            cache.update(key=key, doc=doc)
        return doc

    return build


SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL while another waits for it


def create_app(settings: ServingSettings | None = None, *,
               loader: Callable[[str | None], Deployed] | None = None) -> FastAPI:
    """Build the prediction service.

    Parameters
    ----------
    settings : ServingSettings, optional
        Read from the ``MLSPRINT_*`` environment variables when omitted.
    loader : callable, optional
        ``ref -> Deployed``; replaces bundle resolution (tests inject slow or failing ones).
    """
    settings = settings or ServingSettings.from_env()
    configure_logging(settings.log_level)
    # The prediction log's writer thread holds the GIL while it encodes a batch; a request
    # waiting for it waited up to the default 5 ms switch interval (the p99 under load).
    sys.setswitchinterval(SWITCH_INTERVAL)
    rt = Runtime(settings, loader=loader)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.loader_thread = _load_in_background(rt)
        yield
        rt.close()
        _log.info("shutdown: prediction log flushed", extra={"fields": {
            "written": rt.log.written if rt.log else 0}})

    app = FastAPI(title="mlsprint prediction service", version=mlsprint.__version__,
                  lifespan=lifespan)
    app.state.runtime = rt
    for module in (predict, batch, v2, mlflow_protocol, ops):
        app.include_router(module.router)
    _handlers(app)
    app.openapi = _openapi(app, rt)  # type: ignore[method-assign]
    app.add_middleware(Guard, limits=lambda: rt.limits)
    return app
