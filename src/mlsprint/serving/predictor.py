"""One prediction request end to end: validate, route, predict (or fall back), log, count.

Every protocol (``/predict``, ``/predict/batch``, ``/v2``, ``/invocations``) parses its body
into JSON records or a frame and calls :func:`predict_records` / :func:`predict_frame`.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.artifacts.outputs import cutoffs, label_from_proba, prediction_frame, proba_column
from mlsprint.serving.errors import InputError
from mlsprint.serving.metrics import METRICS
from mlsprint.serving.routing import assign_variant
from mlsprint.serving.runtime import Deployed, ModelSet, Runtime
from mlsprint.serving.validation import check_frame, check_records, to_frame
from mlsprint.stores import LogRecord

__all__ = ["Answer", "predict_frame", "predict_records"]

_log = logging.getLogger("mlsprint.serving")
_SHADOW = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlsprint-shadow")
_MAX_OBSERVED = 100  # histogram samples per request (observe costs ~20 us)


@dataclass(slots=True)
class Answer:
    """What the model said about the rows of one request."""

    values: np.ndarray
    labels: np.ndarray | None
    model: Deployed
    variant: str
    fallback: str | None
    warnings: list[dict[str, Any]]
    latency_ms: float = 0.0
    explanations: pd.DataFrame | None = None
    index: Any = field(default=None)
    cutoff: float | np.ndarray | None = None  # per row for a fairness-mitigated model

    @property
    def classes(self) -> list[Any] | None:
        return self.model.bundle.classes

    def records(self) -> list[dict[str, Any]]:
        """:meth:`frame` as records, built without a DataFrame (the MLflow answer)."""
        if self.classes is None:
            return [{"value": v} for v in self.values.tolist()]
        names = ["label", *(proba_column(c) for c in self.classes)]
        labels = [v.item() if isinstance(v, np.generic) else v for v in self.labels]
        return [dict(zip(names, (label, *p), strict=True))
                for label, p in zip(labels, self.values.tolist(), strict=True)]

    def frame(self) -> pd.DataFrame:
        """The bundle's pyfunc answer: label and ``proba_<class>``, or ``value``."""
        return prediction_frame(self.values, classes=self.classes, threshold=self.cutoff,
                                positive_class=self.model.bundle.meta.get("positive_class"))


def _models(runtime: Runtime) -> ModelSet:
    models = runtime.models
    if models is None:
        raise InputError(503, "not_ready", "the model is still loading; retry shortly "
                         "(GET /health/ready answers 200 when it is ready)")
    return models


def _choose(models: ModelSet, unit_id: str | None, request_id: str) -> tuple[Deployed, str]:
    if models.challenger is None or models.shadow:
        return models.champion, "champion"
    variant = assign_variant(unit_id or request_id, challenger_share=models.challenger_share,
                             salt=models.champion.name)
    return (models.challenger, variant) if variant == "challenger" else (
        models.champion, variant)


def _raw(model: Deployed, records: list[dict[str, Any]] | None, frame: pd.DataFrame | None,
         fast_ok: bool) -> np.ndarray:
    if model.fast is not None and records is not None and fast_ok:
        return model.fast.values(records)
    X = frame if frame is not None else model.bundle.features(to_frame(records or [],
                                                                       model.rules))
    if model.fast is not None:
        return model.fast.values_frame(X)
    return model.bundle.predict_proba(X)


def _constant(model: Deployed, n: int) -> np.ndarray:
    contract, bundle = model.bundle.contract, model.bundle
    target = next((c for c in contract.columns if c.role == "target"), None)
    if bundle.classes is None:
        median = (target.quantiles or {}).get("0.5") if target else None
        return np.full(n, float(median if median is not None else 0.0))
    freq = target.categories if target else {}
    prior = np.array([float(freq.get(str(c), 0.0)) for c in bundle.classes])
    prior = prior / prior.sum() if prior.sum() > 0 else np.full(len(prior), 1 / len(prior))
    return np.tile(prior, (n, 1))


def _with_fallback(model: Deployed, records: list[dict[str, Any]] | None,
                   frame: pd.DataFrame | None, fast_ok: bool,
                   fallback: str) -> tuple[np.ndarray, str | None]:
    try:
        return _raw(model, records, frame, fast_ok), None
    except Exception as exc:  # noqa: BLE001 - the fallback answers any model failure
        if fallback == "none":
            METRICS.errors.labels(kind="model_error").inc()
            raise InputError(503, "model_error", f"the model failed ({type(exc).__name__}) "
                             "and no fallback is configured") from exc
        _log.warning("model failed, fallback answers", extra={"fields": {
            "error": repr(exc)[:300], "fallback": fallback}})
    X = frame if frame is not None else to_frame(records or [], model.rules)
    n = len(X)
    if fallback == "baseline":
        try:
            base = model.bundle.baseline
            Xb = model.bundle.features(X)
            out = base.predict(Xb) if model.bundle.classes is None else base.predict_proba(Xb)
            return np.asarray(out, dtype="float64"), "baseline"
        except Exception as exc:  # noqa: BLE001
            _log.warning("baseline failed too, constant answers",
                         extra={"fields": {"error": repr(exc)[:300]}})
    return _constant(model, n), "constant"


def _answer(model: Deployed, values: np.ndarray, rows: Any, variant: str,
            fallback: str | None, warnings: list[dict[str, Any]], latency_ms: float = 0.0
            ) -> Answer:
    """Labels from the values; a mitigated model's threshold depends on each row's group."""
    bundle = model.bundle
    if bundle.classes is None:
        return Answer(values, None, model, variant, fallback, warnings, latency_ms)
    cutoff = cutoffs(rows, bundle.threshold, model.group_thresholds)
    labels = label_from_proba(values, bundle.classes, threshold=cutoff,
                              positive_class=bundle.meta.get("positive_class"))
    return Answer(values, labels, model, variant, fallback, warnings, latency_ms,
                  cutoff=cutoff)


def _count(answer: Answer) -> None:
    model = answer.model
    name, version = model.name, model.version
    n = len(answer.values)
    METRICS.rows.labels(model=name, version=version, variant=answer.variant).inc(n)
    if answer.fallback:
        METRICS.fallbacks.labels(model=name, version=version, fallback=answer.fallback).inc()
    if answer.labels is not None:
        if n <= 16:  # a few rows: counting in Python beats np.unique's sort
            tally: dict[str, int] = {}
            for label in answer.labels.tolist():
                tally[str(label)] = tally.get(str(label), 0) + 1
            pairs = tally.items()
        else:
            uniq, counts = np.unique(answer.labels.astype(str), return_counts=True)
            pairs = zip(uniq.tolist(), counts.tolist(), strict=True)
        for label, c in pairs:
            METRICS.classes.labels(model=name, version=version, label=label).inc(int(c))
        scores = answer.values[:, -1] if answer.values.ndim == 2 else answer.values
    else:
        scores = answer.values
    step = max(1, n // _MAX_OBSERVED)
    hist = METRICS.values.labels(model=name, version=version)
    for v in scores[::step]:
        hist.observe(float(v))
    for p in answer.warnings:
        METRICS.problems.labels(kind=p["kind"], level=p["level"]).inc()
        if p["kind"] == "unseen_category":
            METRICS.unseen.labels(column=p["column"] or "").inc()


def _log_answer(runtime: Runtime, answer: Answer, request_id: str, inputs: Any,
                served: bool = True) -> None:
    if runtime.log is None:
        return
    record = LogRecord(request_id=request_id, model_name=answer.model.name,
                       model_version=answer.model.version, variant=answer.variant,
                       served=served, latency_ms=answer.latency_ms, fallback=answer.fallback)
    # records: the cheap list-of-dicts answer; a frame: the frame (stored as Parquet when large)
    runtime.log.log_frame(record, inputs,
                          answer.records if isinstance(inputs, list) else answer.frame)


def _shadow(runtime: Runtime, models: ModelSet, records: Any, frame: Any, fast_ok: bool,
            request_id: str) -> None:
    challenger = models.challenger
    if challenger is None or not models.shadow:
        return

    def run() -> None:
        start = time.perf_counter()
        try:
            values, fb = _with_fallback(challenger, records, frame, fast_ok, "constant")
        except Exception:  # noqa: BLE001 - a shadow failure never reaches the caller
            _log.exception("shadow prediction failed")
            return
        answer = _answer(challenger, values, records if records is not None else frame,
                         "challenger", fb, [], (time.perf_counter() - start) * 1000)
        _count(answer)
        _log_answer(runtime, answer, request_id, records if records is not None else frame,
                    served=False)

    _SHADOW.submit(run)


def _serve(runtime: Runtime, records: list[dict[str, Any]] | None, frame: pd.DataFrame | None,
           warnings: list[dict[str, Any]], *, request_id: str, unit_id: str | None,
           explain: bool, started: float, log_inputs: bytes | None = None) -> Answer:
    models = _models(runtime)
    model, variant = _choose(models, unit_id, request_id)
    fast_ok = records is not None and len(records) <= runtime.settings.fast_path_max_rows
    model_frame = None if frame is None else model.bundle.features(frame)
    values, fallback = _with_fallback(model, records, model_frame, fast_ok,
                                      runtime.limits.fallback)
    answer = _answer(model, values, records if records is not None else frame, variant,
                     fallback, warnings)
    if explain:
        answer.explanations = _explain(model, records, frame)
    answer.latency_ms = (time.perf_counter() - started) * 1000
    _count(answer)
    inputs = records if records is not None else frame
    _log_answer(runtime, answer, request_id, log_inputs if log_inputs is not None else inputs)
    _shadow(runtime, models, records, model_frame, fast_ok, request_id)
    return answer


def _explain(model: Deployed, records: Any, frame: pd.DataFrame | None) -> pd.DataFrame:
    X = frame if frame is not None else to_frame(records, model.rules)
    try:
        return model.bundle.explain(X)
    except Exception as exc:  # noqa: BLE001
        raise InputError(422, "explain_unavailable", f"no explanation for this model: "
                         f"{exc}") from exc


def predict_records(runtime: Runtime, records: Any, *, request_id: str,
                    unit_id: str | None = None, explain: bool = False) -> Answer:
    """Validate and predict JSON records (a dict or a list of dicts)."""
    started = time.perf_counter()
    model = _models(runtime).champion
    if isinstance(records, dict):
        records = [records]
    if isinstance(records, list) and len(records) > runtime.settings.fast_path_max_rows and (
            all(isinstance(r, dict) for r in records)):  # large: the vectorised frame path
        return predict_frame(runtime, pd.DataFrame.from_records(records),
                             request_id=request_id, unit_id=unit_id, explain=explain)
    warnings = check_records(records, model.rules)
    return _serve(runtime, records, None, warnings, request_id=request_id, unit_id=unit_id,
                  explain=explain, started=started)


def predict_frame(runtime: Runtime, df: pd.DataFrame, *, request_id: str,
                  unit_id: str | None = None, explain: bool = False,
                  log_inputs: bytes | None = None) -> Answer:
    """Validate and predict a frame (CSV, Parquet or tensors). ``log_inputs``: the
    Parquet body the frame came from, logged instead of re-encoding the frame."""
    started = time.perf_counter()
    model = _models(runtime).champion
    warnings = check_frame(df, model.rules)
    frame = to_frame(df, model.rules)
    return _serve(runtime, None, frame, warnings, request_id=request_id, unit_id=unit_id,
                  explain=explain, started=started, log_inputs=log_inputs)
