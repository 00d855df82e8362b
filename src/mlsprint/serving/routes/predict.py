"""``POST /predict`` (JSON records) and ``POST /feedback`` (true outcomes)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from fastapi import APIRouter, Query, Request

from mlsprint.serving.bodies import parse_json
from mlsprint.serving.errors import InputError, problem
from mlsprint.serving.predictor import Answer, predict_records
from mlsprint.serving.routes.common import (
    json_response,
    predict_small_inline,
    request_id,
    run_in_threadpool,
    runtime,
)

__all__ = ["router"]

router = APIRouter(tags=["predict"])


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def render(answer: Answer, rid: str) -> dict[str, Any]:
    """The JSON answer of ``/predict``: one entry per row."""
    classes = answer.classes
    rows: list[dict[str, Any]] = []
    values = answer.values.tolist()
    if classes is None:
        rows = [{"value": _finite(v)} for v in values]
    else:
        names = [str(c) for c in classes]
        labels = [v.item() if isinstance(v, np.generic) else v for v in answer.labels]
        rows = [{"label": label, "probabilities": dict(zip(names, p, strict=True))}
                for label, p in zip(labels, values, strict=True)]
    if isinstance(answer.cutoff, np.ndarray):  # a threshold per protected group
        for row, cut in zip(rows, answer.cutoff.tolist(), strict=True):
            row["threshold"] = cut
    if answer.explanations is not None:
        for row, contrib in zip(rows, answer.explanations.to_dict("records"), strict=True):
            row["contributions"] = contrib
    model = answer.model
    return {"request_id": rid, "model": {"name": model.name, "version": model.version},
            "variant": answer.variant, "threshold": model.bundle.threshold,
            "fallback": answer.fallback, "predictions": rows, "warnings": answer.warnings[:100],
            "n_warnings": len(answer.warnings)}


@router.post("/predict", summary="Predict one record or a list of records")
async def predict(request: Request, explain: bool = Query(False, description="add per-row "
                  "contributions to the raw score"),
                  unit_id: str | None = Query(None, max_length=256, description="sticky "
                  "champion/challenger assignment key (or header X-Unit-ID)")) -> Any:
    body = parse_json(await request.body())
    rid = request_id(request)
    unit = unit_id or request.headers.get("x-unit-id")
    answer = await predict_small_inline(runtime(request), predict_records, body,
                                        request_id=rid, unit_id=unit, explain=explain)
    return json_response(render(answer, rid))


def _feedback_items(body: Any) -> list[dict[str, Any]]:
    items = body if isinstance(body, list) else [body]
    problems = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("request_id"), str) or (
                "outcome" not in item):
            problems.append(problem("invalid_feedback", "each item needs a string "
                                    "'request_id' and an 'outcome'", row=i))
        elif not isinstance(item.get("row", 0), int) or isinstance(item.get("row"), bool):
            problems.append(problem("invalid_feedback", "'row' must be an integer", row=i,
                                    column="row"))
    if problems or not items:
        raise InputError(422, "invalid_input", "feedback is {request_id, outcome, row?} or "
                         "a non-empty list of them", problems or [problem("empty_batch",
                                                                          "no items")])
    return items


@router.post("/feedback", summary="Attach true outcomes to logged request ids")
async def feedback(request: Request) -> Any:
    items = _feedback_items(parse_json(await request.body()))
    log = runtime(request).log
    if log is None:
        raise InputError(409, "no_prediction_log", "the prediction log is disabled "
                         "(MLSPRINT_PREDICTION_LOG_URL=none), so feedback has nowhere to go")
    n = await run_in_threadpool(log.add_feedback_many, items)
    return json_response({"request_id": request_id(request), "accepted": n})
