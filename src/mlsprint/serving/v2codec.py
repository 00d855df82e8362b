"""Open Inference Protocol (KServe V2) tensors, JSON and Triton's binary extension.

A request carries one tensor per column (``content_type: pd``). Triton's binary tensor
extension puts a JSON header of ``Inference-Header-Content-Length`` bytes first, then the
raw tensors in input order, each sized by ``parameters.binary_data_size``; ``BYTES``
elements are a 4-byte little-endian length followed by the bytes.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.serving.errors import InputError, problem

__all__ = ["HEADER", "decode_request", "encode_response", "v2_datatype"]

HEADER = "inference-header-content-length"
_NUMPY = {"BOOL": "bool", "INT8": "<i1", "INT16": "<i2", "INT32": "<i4", "INT64": "<i8",
          "UINT8": "<u1", "UINT16": "<u2", "UINT32": "<u4", "UINT64": "<u8",
          "FP16": "<f2", "FP32": "<f4", "FP64": "<f8"}


def v2_datatype(kind: str, dtype: str) -> str:
    """The V2 datatype of a contract column or an output column."""
    if kind == "numeric":
        return "INT64" if dtype.startswith(("int", "Int")) else "FP64"
    if kind == "boolean":
        return "BOOL"
    return "BYTES"


def _bytes_elements(raw: bytes) -> list[str]:
    out, pos = [], 0
    while pos < len(raw):
        if pos + 4 > len(raw):
            raise ValueError("truncated BYTES element length")
        (size,) = struct.unpack_from("<I", raw, pos)
        pos += 4
        out.append(raw[pos:pos + size].decode("utf-8"))
        pos += size
    return out


def _flatten(data: Any) -> list[Any]:
    if isinstance(data, list) and data and isinstance(data[0], list):
        return [v for row in data for v in _flatten(row)]
    return data if isinstance(data, list) else [data]


def _tensor(spec: dict[str, Any], blob: bytes | None) -> list[Any] | np.ndarray:
    datatype = str(spec.get("datatype", "")).upper()
    if blob is not None:
        if datatype == "BYTES":
            return _bytes_elements(blob)
        if datatype not in _NUMPY:
            raise ValueError(f"unknown datatype {datatype!r}")
        return np.frombuffer(blob, dtype=_NUMPY[datatype])
    if "data" not in spec:
        raise ValueError("a tensor needs 'data' (or binary_data_size)")
    return _flatten(spec["data"])


def _split(body: bytes, header_length: int | None) -> tuple[dict[str, Any], bytes]:
    if header_length is None:
        head, rest = body, b""
    else:
        if header_length < 0 or header_length > len(body):
            raise InputError(400, "malformed_body", f"{HEADER} is {header_length} but the body "
                             f"has {len(body)} bytes")
        head, rest = body[:header_length], body[header_length:]
    try:
        request = json.loads(head)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(400, "malformed_json", f"the inference request is not valid JSON: "
                         f"{exc}", [problem("malformed_json", str(exc))]) from exc
    if not isinstance(request, dict) or not isinstance(request.get("inputs"), list):
        raise InputError(400, "invalid_input", "an inference request is a JSON object with "
                         "an 'inputs' list of tensors")
    return request, rest


def decode_request(body: bytes, header_length: int | None) -> tuple[dict[str, Any],
                                                                     pd.DataFrame]:
    """The request's JSON part and its tensors as a frame (one column per input)."""
    request, rest = _split(body, header_length)
    columns: dict[str, Any] = {}
    problems, pos = [], 0
    for k, spec in enumerate(request["inputs"]):
        name = spec.get("name") if isinstance(spec, dict) else None
        try:
            if not isinstance(name, str):
                raise ValueError("every tensor needs a string 'name'")
            size = (spec.get("parameters") or {}).get("binary_data_size")
            blob = None
            if size is not None:
                blob, pos = rest[pos:pos + int(size)], pos + int(size)
            columns[name] = _tensor(spec, blob)
        except (ValueError, TypeError, UnicodeDecodeError, struct.error) as exc:
            problems.append(problem("invalid_tensor", f"input {k}: {exc}", column=name))
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        problems.append(problem("invalid_tensor", f"tensors have different lengths "
                                f"{sorted(lengths)}; each column needs one value per row"))
    if problems:
        raise InputError(400, "invalid_input", "the tensors could not be read", problems)
    frame = pd.DataFrame({k: (v if isinstance(v, np.ndarray) else pd.Series(v, dtype=object))
                          for k, v in columns.items()})
    return request, frame


def _wants_binary(request: dict[str, Any]) -> bool:
    if (request.get("parameters") or {}).get("binary_data_output"):
        return True
    return any((o.get("parameters") or {}).get("binary_data") for o in request.get("outputs")
               or [] if isinstance(o, dict))


def _out_tensor(name: str, values: np.ndarray) -> tuple[dict[str, Any], np.ndarray, str]:
    if values.dtype.kind in "fc":
        return {"name": name, "datatype": "FP64", "shape": [len(values)]}, values.astype(
            "<f8"), "FP64"
    if values.dtype.kind in "iu":
        return {"name": name, "datatype": "INT64", "shape": [len(values)]}, values.astype(
            "<i8"), "INT64"
    if values.dtype.kind == "b":
        return {"name": name, "datatype": "BOOL", "shape": [len(values)]}, values, "BOOL"
    return {"name": name, "datatype": "BYTES", "shape": [len(values)]}, values, "BYTES"


def encode_response(request: dict[str, Any], outputs: pd.DataFrame,
                    meta: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The inference response (JSON, or binary when the request asks for it)."""
    wanted = [o.get("name") for o in request.get("outputs") or [] if isinstance(o, dict)]
    names = [c for c in outputs.columns if not wanted or c in wanted]
    binary = _wants_binary(request)
    tensors, blobs = [], []
    for name in names:
        spec, values, datatype = _out_tensor(name, outputs[name].to_numpy())
        if binary:
            blob = (b"".join(struct.pack("<I", len(b)) + b for b in
                             (str(v).encode() for v in values)) if datatype == "BYTES"
                    else values.tobytes())
            spec["parameters"] = {"binary_data_size": len(blob)}
            blobs.append(blob)
        else:
            spec["data"] = [v.item() if hasattr(v, "item") else str(v) for v in values]
        tensors.append(spec)
    body = {**meta, "outputs": tensors}
    head = json.dumps(body).encode()
    if not binary:
        return head, {"content-type": "application/json"}
    return head + b"".join(blobs), {"content-type": "application/octet-stream",
                                    HEADER: str(len(head))}
