"""``POST /predict/batch``: a CSV or Parquet upload, streamed to a spooled file under the
size limit, answered as CSV or Parquet with the id columns and the predictions."""

from __future__ import annotations

import io
import tempfile
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mlsprint.serving.bodies import PARQUET_TYPES, media_type, read_table
from mlsprint.serving.errors import InputError
from mlsprint.serving.middleware import BodyTooLarge
from mlsprint.serving.predictor import predict_frame
from mlsprint.serving.routes.common import request_id, run_in_threadpool, runtime

__all__ = ["router"]

router = APIRouter(tags=["predict"])
_SPOOL = 8 * 1024 * 1024
_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


def _kind(content_type: str, filename: str | None = None) -> str:
    name = (filename or "").lower()
    if content_type == "text/csv" or name.endswith(".csv"):
        return "csv"
    if content_type in PARQUET_TYPES or name.endswith((".parquet", ".pq")):
        return "parquet"
    raise InputError(415, "unsupported_media_type", f"send text/csv or "
                     f"application/vnd.apache.parquet (or a multipart file upload), got "
                     f"{content_type or 'no Content-Type'!r}")


async def _spool(request: Request, limit: int) -> Any:
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            spool.close()
            raise BodyTooLarge(limit)
        spool.write(chunk)
    spool.seek(0)
    return spool


async def _upload(request: Request, limit: int) -> tuple[Any, str]:
    ctype = media_type(request.headers.get("content-type"))
    if ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        files = [v for v in form.values() if hasattr(v, "filename")]
        if not files:
            raise InputError(422, "invalid_input", "the multipart body holds no file")
        upload = files[0]
        return upload.file, _kind(media_type(upload.content_type), upload.filename)
    kind = _kind(ctype)
    return await _spool(request, limit), kind


def _encode(frame: pd.DataFrame, kind: str) -> bytes:
    if kind == "csv":
        return frame.to_csv(index=False).encode()
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _answer(rt: Any, source: Any, kind: str, rid: str, out_kind: str,
            unit: str | None) -> tuple[bytes, Any]:
    try:
        raw = source.read() if kind == "parquet" else None  # logged as it came: no re-encoding
        frame = read_table(raw if raw is not None else source, kind)
    finally:
        source.close()
    answer = predict_frame(rt, frame, request_id=rid, unit_id=unit, log_inputs=raw)
    out = answer.frame()
    ids = [c.name for c in answer.model.bundle.contract.columns
           if c.role == "id" and c.name in frame.columns]
    if ids:
        out = pd.concat([frame[ids].reset_index(drop=True), out], axis=1)
    return _encode(out, out_kind), answer


@router.post("/predict/batch", summary="Predict a CSV or Parquet table",
             response_class=Response)
async def predict_batch(request: Request,
                        format: Literal["csv", "parquet"] | None = Query(  # noqa: A002
                            None, description="answer format (default: the upload's)")) -> Any:
    rt = runtime(request)
    limit = rt.limits.max_body_bytes
    source, kind = await _upload(request, limit)
    out_kind = format or kind
    rid = request_id(request)
    body, answer = await run_in_threadpool(_answer, rt, source, kind, rid, out_kind,
                                           request.headers.get("x-unit-id"))
    headers = {"x-model-name": answer.model.name, "x-model-version": answer.model.version,
               "x-variant": answer.variant, "x-fallback": answer.fallback or "",
               "x-warnings": str(len(answer.warnings))}
    return Response(body, media_type=_TYPES[out_kind], headers=headers)
