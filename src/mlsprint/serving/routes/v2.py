"""The Open Inference Protocol (KServe V2) REST API, with Triton's binary tensor extension.

``{name}`` is the spec's project name. One tensor per column (``content_type: pd``); the
outputs are the bundle's answer columns (``label`` and ``proba_<class>``, or ``value``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

import mlsprint
from mlsprint.artifacts.outputs import output_columns
from mlsprint.serving.errors import InputError
from mlsprint.serving.predictor import predict_frame
from mlsprint.serving.routes.common import json_response, request_id, run_in_threadpool, runtime
from mlsprint.serving.runtime import Deployed
from mlsprint.serving.v2codec import HEADER, decode_request, encode_response, v2_datatype

__all__ = ["router"]

router = APIRouter(prefix="/v2", tags=["open inference protocol (KServe V2)"])


@router.get("", summary="Server metadata")
async def server_metadata() -> Any:
    return json_response({"name": "mlsprint", "version": mlsprint.__version__,
                          "extensions": ["binary_tensor_data"]})


@router.get("/health/live", summary="Server liveness")
async def live() -> Any:
    return json_response({"live": True})


@router.get("/health/ready", summary="Server readiness")
async def ready(request: Request) -> Any:
    ok = runtime(request).ready
    return json_response({"ready": ok}, 200 if ok else 503)


def _model(request: Request, name: str) -> Deployed:
    models = runtime(request).models
    if models is None:
        raise InputError(503, "not_ready", "the model is still loading; retry shortly")
    if name != models.champion.name:
        raise InputError(404, "unknown_model", f"no model named {name!r}; this server "
                         f"serves {models.champion.name!r}")
    return models.champion


def metadata(model: Deployed) -> dict[str, Any]:
    bundle = model.bundle
    inputs = [{"name": r.name, "datatype": v2_datatype(r.kind, r.dtype), "shape": [-1]}
              for r in model.rules.columns if r.required]
    outputs = []
    for col in output_columns(bundle.classes):
        datatype = "FP64" if col != "label" else v2_datatype(
            "numeric" if isinstance((bundle.classes or [""])[0], int) else "categorical",
            "int64")
        outputs.append({"name": col, "datatype": datatype, "shape": [-1]})
    return {"name": model.name, "versions": [model.version], "platform": "mlsprint_sklearn",
            "inputs": inputs, "outputs": outputs,
            "parameters": {"content_type": "pd", "how": model.how}}


@router.get("/models/{name}", summary="Model metadata")
async def model_metadata(request: Request, name: str) -> Any:
    return json_response(metadata(_model(request, name)))


@router.get("/models/{name}/ready", summary="Model readiness")
async def model_ready(request: Request, name: str) -> Any:
    _model(request, name)
    ok = runtime(request).ready
    return json_response({"name": name, "ready": ok}, 200 if ok else 503)


def _header_length(request: Request) -> int | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise InputError(400, "malformed_body", f"{HEADER} must be a byte count, got {raw!r}")
    return int(raw)


@router.post("/models/{name}/infer", summary="Inference")
async def infer(request: Request, name: str) -> Any:
    model = _model(request, name)
    payload, frame = decode_request(await request.body(), _header_length(request))
    rid = request_id(request)
    answer = await run_in_threadpool(predict_frame, runtime(request), frame, request_id=rid)
    meta = {"model_name": model.name, "model_version": answer.model.version,
            "id": str(payload.get("id", rid)),
            "parameters": {"variant": answer.variant, "fallback": answer.fallback or ""}}
    body, headers = encode_response(payload, answer.frame(), meta)
    return Response(body, headers=headers)


@router.post("/models/{name}/versions/{version}/infer", summary="Inference (a version)")
async def infer_version(request: Request, name: str, version: str) -> Any:
    model = _model(request, name)
    if version != model.version:
        raise InputError(404, "unknown_version", f"version {version!r} is not loaded; "
                         f"this server has {model.version!r}")
    return await infer(request, name)
