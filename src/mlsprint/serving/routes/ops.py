"""Operations: health probes, Prometheus metrics and the token-protected admin routes."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mlsprint.serving.bodies import parse_json
from mlsprint.serving.errors import InputError, problem
from mlsprint.serving.metrics import render
from mlsprint.serving.routes.common import json_response, run_in_threadpool, runtime

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/health/live", summary="Liveness: the process answers")
async def live() -> Any:
    return json_response({"status": "live"})


@router.get("/health/ready", summary="Readiness: a model is loaded and no load is running")
async def ready(request: Request) -> Any:
    rt = runtime(request)
    models = rt.models
    body = {"status": "ready" if rt.ready else "loading" if rt.loading or models is None
            and rt.load_error is None else "failed",
            "model": None if models is None else {"name": models.champion.name,
                                                  "version": models.champion.version,
                                                  "how": models.champion.how},
            "error": rt.load_error}
    return json_response(body, 200 if rt.ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    data, content_type = render()
    return Response(data, media_type=content_type)


def _authorise(request: Request) -> None:
    token = runtime(request).settings.admin_token
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if not token:
        raise InputError(401, "unauthorised", "admin routes are disabled: start the server "
                         "with MLSPRINT_ADMIN_TOKEN set")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), token.encode()):
        raise InputError(401, "unauthorised", "send 'Authorization: Bearer <token>' with the "
                         "token of MLSPRINT_ADMIN_TOKEN")


def _status(request: Request) -> dict[str, Any]:
    models = runtime(request).models
    if models is None:
        return {"ready": False}
    ch = models.challenger
    return {"ready": runtime(request).ready,
            "champion": {"name": models.champion.name, "version": models.champion.version,
                         "how": models.champion.how},
            "challenger": None if ch is None else {"name": ch.name, "version": ch.version,
                                                   "how": ch.how},
            "challenger_share": models.challenger_share, "shadow": models.shadow}


@router.post("/admin/reload", summary="Reload the model(s) (token required)")
async def reload(request: Request) -> Any:
    _authorise(request)
    raw = await request.body()
    body = parse_json(raw) if raw.strip() else {}
    if not isinstance(body, dict) or any(k not in ("model", "challenger") for k in body):
        raise InputError(422, "invalid_input", "body is {model?: ref, challenger?: ref}")
    await run_in_threadpool(runtime(request).load, body.get("model"), body.get("challenger"))
    return json_response(_status(request))


@router.post("/admin/split", summary="Change the challenger share or shadow mode (token)")
async def split(request: Request) -> Any:
    _authorise(request)
    body = parse_json(await request.body())
    share = body.get("challenger_share") if isinstance(body, dict) else None
    shadow = body.get("shadow") if isinstance(body, dict) else None
    bad = not isinstance(body, dict) or (share is not None and (
        isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1)
    ) or (shadow is not None and not isinstance(shadow, bool))
    if bad:
        raise InputError(422, "invalid_input", "body is {challenger_share?: number in [0, 1], "
                         "shadow?: boolean}", [problem("invalid_split", "see message")])
    runtime(request).set_split(share, shadow)
    return json_response(_status(request))


@router.get("/admin/status", summary="Loaded models and split (token required)")
async def status(request: Request) -> Any:
    _authorise(request)
    return json_response(_status(request))
