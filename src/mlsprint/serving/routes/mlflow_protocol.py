"""The MLflow scoring protocol: ``GET /ping``, ``GET /version``, ``POST /invocations``.

JSON bodies carry exactly one of ``dataframe_split``, ``dataframe_records``, ``instances``
or ``inputs``; CSV (``text/csv``) and Parquet (``application/vnd.apache.parquet``) bodies
are tables. The answer is ``{"predictions": [...]}``: the records of the bundle's pyfunc
``predict`` (label and ``proba_<class>``, or ``value``), as ``mlflow models serve`` gives.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response

from mlsprint.serving.bodies import PARQUET_TYPES, media_type, parse_json, read_table
from mlsprint.serving.errors import InputError, problem
from mlsprint.serving.predictor import predict_frame, predict_records
from mlsprint.serving.routes.common import (
    json_response,
    predict_small_inline,
    request_id,
    run_in_threadpool,
    runtime,
)

__all__ = ["router"]

router = APIRouter(tags=["mlflow"])
FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")


@router.get("/ping", summary="MLflow health check")
async def ping(request: Request) -> Response:
    ready = runtime(request).ready
    return Response("\n", status_code=200 if ready else 503, media_type="application/json")


@router.get("/version", summary="mlsprint version")
async def version() -> Any:
    import mlsprint

    return json_response({"mlsprint": mlsprint.__version__})


def _json_input(body: Any) -> tuple[list[dict[str, Any]] | None, pd.DataFrame | None]:
    if not isinstance(body, dict):
        raise InputError(400, "invalid_input", "an MLflow request is a JSON object with "
                         f"one of {list(FORMATS)}")
    keys = [k for k in FORMATS if k in body]
    if len(keys) != 1:
        raise InputError(400, "invalid_input", f"give exactly one of {list(FORMATS)}; got "
                         f"keys {sorted(map(str, body))}")
    data = body[keys[0]]
    if keys[0] == "dataframe_split":
        if not isinstance(data, dict) or not isinstance(data.get("columns"), list) or (
                not isinstance(data.get("data"), list)):
            raise InputError(400, "invalid_input", "dataframe_split needs 'columns' (a list) "
                             "and 'data' (a list of rows)")
        rows = data["data"]
        if any(not isinstance(r, list) or len(r) != len(data["columns"]) for r in rows):
            raise InputError(422, "invalid_input", "every row of dataframe_split.data needs "
                             f"{len(data['columns'])} values",
                             [problem("wrong_shape", "row length differs from columns", row=i)
                              for i, r in enumerate(rows)
                              if not isinstance(r, list) or len(r) != len(data["columns"])])
        return [dict(zip(map(str, data["columns"]), r, strict=True)) for r in rows], None
    if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
        lengths = {len(v) for v in data.values()}
        if len(lengths) > 1:
            raise InputError(422, "invalid_input", "columns of a columnar input differ in "
                             f"length: {sorted(lengths)}")
        return None, pd.DataFrame(data)
    return (data if isinstance(data, list) else [data]), None


@router.post("/invocations", summary="MLflow scoring protocol")
async def invocations(request: Request) -> Any:
    rt, rid = runtime(request), request_id(request)
    ctype = media_type(request.headers.get("content-type"))
    body = await request.body()
    if ctype == "application/json" or ctype.endswith("+json"):
        records, frame = _json_input(parse_json(body))
    elif ctype == "text/csv" or ctype in PARQUET_TYPES:
        records, frame = None, read_table(body, "csv" if ctype == "text/csv" else "parquet")
    else:
        raise InputError(415, "unsupported_media_type", "send application/json, text/csv or "
                         f"application/vnd.apache.parquet; got {ctype or 'none'!r}")
    if records is not None:
        answer = await predict_small_inline(rt, predict_records, records, request_id=rid)
    else:
        answer = await run_in_threadpool(predict_frame, rt, frame, request_id=rid)
    return json_response({"predictions": answer.records()})
