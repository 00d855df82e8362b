"""Edge cases: does a fitted pipeline still give a defined prediction on odd inputs?

Each case alters a small sample of real rows in one way (a missing value in one column,
an unseen or wrong-case category, an out-of-range or extreme number, an empty string,
duplicated rows, a row of nothing but missing values) and records the outcome:

- ``defined``: the pipeline answered with finite values of the right shape
  (probabilities in [0, 1] summing to 1);
- ``rejected``: the data contract rejects the input before the model sees it
  (serving answers 422), which is a defined behaviour too;
- ``undefined``: the pipeline answered, but with NaN/inf or malformed probabilities;
- ``error``: the pipeline raised.

A case passes when its outcome is ``defined`` or ``rejected``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.contract import ColumnContract, DataContract, validate
from mlsprint.spec.model import ContractPolicy

__all__ = ["EdgeCase", "EdgeCaseReport", "check_edge_cases"]

PASSING = ("defined", "rejected")


@dataclass(frozen=True, slots=True)
class EdgeCase:
    """One altered input and what the pipeline did with it."""

    name: str
    column: str | None
    description: str
    outcome: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome in PASSING

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


@dataclass(frozen=True, slots=True)
class EdgeCaseReport:
    """Every case run against the pipeline."""

    cases: tuple[EdgeCase, ...]

    @property
    def n_failed(self) -> int:
        return sum(not c.passed for c in self.cases)

    @property
    def failed(self) -> list[EdgeCase]:
        return [c for c in self.cases if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"cases": [c.to_dict() for c in self.cases], "n_cases": len(self.cases),
                "n_failed": self.n_failed}


def _with(X: pd.DataFrame, column: str, value: Any) -> pd.DataFrame:
    """``X`` with every row's ``column`` set to ``value``, keeping the dtype when it can."""
    out = X.copy()
    numeric = pd.api.types.is_numeric_dtype(out[column].dtype)
    if value is None:
        value = np.nan if numeric else None
    dtype: Any = out[column].dtype
    if numeric and pd.api.types.is_integer_dtype(dtype):
        dtype = "float64"
    if isinstance(value, str) and not (pd.api.types.is_string_dtype(dtype)
                                       and not isinstance(dtype, pd.CategoricalDtype)):
        dtype = object  # a bool or category dtype would silently coerce the text
    try:
        out[column] = pd.Series([value] * len(out), index=out.index, dtype=dtype)
    except (TypeError, ValueError):  # e.g. a string in a numeric column
        out[column] = pd.Series([value] * len(out), index=out.index, dtype=object)
    return out


def _numeric_cases(col: ColumnContract) -> Iterator[tuple[str, Any, str]]:
    hi = col.max if col.max is not None else 0.0
    lo = col.min if col.min is not None else 0.0
    span = max(hi - lo, 1.0)
    yield "above_range", hi + 10 * span, "10 ranges above the training maximum"
    yield "below_range", lo - 10 * span, "10 ranges below the training minimum"
    yield "huge", 1e308, "1e308"
    yield "huge_negative", -1e308, "-1e308"
    yield "positive_infinity", np.inf, "+inf"
    yield "negative_infinity", -np.inf, "-inf"
    yield "empty_string", "", "an empty string in a numeric column"


def _categorical_cases(col: ColumnContract) -> Iterator[tuple[str, Any, str]]:
    yield "unseen_category", "__never_seen__", "a category not seen in training"
    yield "empty_string", "", "an empty string"
    known = sorted(col.categories, key=lambda c: -col.categories[c])
    for cat in known:
        for variant in (cat.upper(), cat.lower(), f" {cat} "):
            if variant != cat and variant not in col.categories:
                yield "wrong_case", variant, f"{cat!r} written as {variant!r}"
                return


def _cases(X: pd.DataFrame, contract: DataContract
           ) -> Iterator[tuple[str, str | None, str, pd.DataFrame]]:
    for col in contract.features:
        if col.name not in X.columns:
            continue
        yield "missing_value", col.name, "a missing value", _with(X, col.name, None)
        if col.kind == "numeric":
            gen = _numeric_cases(col)
        elif col.kind in ("categorical", "boolean"):
            gen = _categorical_cases(col)
        else:
            continue
        for name, value, text in gen:
            yield name, col.name, text, _with(X, col.name, value)
    all_missing = X
    for col in contract.features:
        if col.name in X.columns:
            all_missing = _with(all_missing, col.name, None)
    yield "all_missing", None, "every feature missing", all_missing
    yield "duplicated_rows", None, "each row twice", pd.concat([X, X], ignore_index=True)


def _check_output(out: np.ndarray, n_rows: int, proba: bool) -> str:
    if out.shape[0] != n_rows:
        return f"{out.shape[0]} predictions for {n_rows} rows"
    if proba:
        if not np.all(np.isfinite(out)):
            return "non-finite probabilities"
        if np.any(out < 0) or np.any(out > 1) or not np.allclose(out.sum(axis=1), 1.0):
            return "probabilities outside [0, 1] or not summing to 1"
        return ""
    if out.dtype.kind in "fc" and not np.all(np.isfinite(out)):
        return "non-finite predictions"
    return ""


def _run(predict: Callable[[pd.DataFrame], np.ndarray], X: pd.DataFrame,
         proba: bool) -> tuple[str, str, np.ndarray | None]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = np.asarray(predict(X))
        except Exception as exc:  # noqa: BLE001 - every failure is the finding we record
            return "error", f"{type(exc).__name__}: {str(exc)[:200]}", None
    problem = _check_output(out, len(X), proba)
    if problem:
        return "undefined", problem, out
    noted = sorted({f"{w.category.__name__}: {str(w.message)[:120]}" for w in caught})
    return "defined", "; ".join(noted), out


def _run_many(predict: Callable[[pd.DataFrame], np.ndarray], frames: list[pd.DataFrame],
              proba: bool) -> list[tuple[str, str, np.ndarray | None]]:
    """Outcomes of many cases: one predict call for all, bisecting on errors or warnings."""
    if len(frames) == 1:
        return [_run(predict, frames[0], proba)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out: np.ndarray | None = np.asarray(predict(pd.concat(frames, ignore_index=True)))
        except Exception:  # noqa: BLE001 - bisect to find the failing case(s)
            out = None
    if out is None or caught or out.shape[0] != sum(map(len, frames)):
        mid = len(frames) // 2
        return _run_many(predict, frames[:mid], proba) + _run_many(predict, frames[mid:], proba)
    results: list[tuple[str, str, np.ndarray | None]] = []
    start = 0
    for frame in frames:
        part = out[start:start + len(frame)]
        start += len(frame)
        problem = _check_output(part, len(frame), proba)
        results.append(("undefined", problem, part) if problem else ("defined", "", part))
    return results


def _rejected(X: pd.DataFrame, contract: DataContract, policy: ContractPolicy) -> str:
    bad = [v for v in validate(X, contract, policy) if v.level == "reject"]
    return f"contract rejects it: {bad[0].kind} in {bad[0].column!r}" if bad else ""


def check_edge_cases(pipeline: Any, X_sample: pd.DataFrame, contract: DataContract, *,
                     policy: ContractPolicy | None = None, n_rows: int = 5) -> EdgeCaseReport:
    """Run every edge case on ``n_rows`` rows of ``X_sample`` and record the outcomes.

    Parameters
    ----------
    pipeline : fitted estimator taking the input columns
    X_sample : DataFrame
        Real rows in the input schema (the first ``n_rows`` are used).
    contract : DataContract
        Gives the feature columns, their kinds, ranges and categories.
    policy : ContractPolicy, optional
        Serving's contract policy (``spec.data.policy``); inputs it rejects count as
        ``rejected``.

    Returns
    -------
    EdgeCaseReport
    """
    policy = policy or ContractPolicy()
    proba = hasattr(pipeline, "predict_proba") and contract.task != "regression"
    predict = pipeline.predict_proba if proba else pipeline.predict
    X = X_sample.head(n_rows).reset_index(drop=True)
    cases: dict[int, EdgeCase] = {}
    pending: list[tuple[int, tuple[str, str | None, str, pd.DataFrame]]] = []
    for i, case in enumerate(_cases(X, contract)):
        reason = _rejected(case[3], contract, policy)
        if reason:
            cases[i] = EdgeCase(case[0], case[1], case[2], "rejected", reason)
        else:
            pending.append((i, case))
    outcomes = _run_many(predict, [c[3] for _, c in pending], proba) if pending else []
    for (i, (name, column, text, _)), (outcome, detail, out) in zip(pending, outcomes,
                                                                      strict=True):
        if name == "duplicated_rows" and out is not None and outcome == "defined":
            if not np.array_equal(out[: len(X)], out[len(X):]):
                outcome, detail = "undefined", "duplicated rows got different predictions"
        cases[i] = EdgeCase(name, column, text, outcome, detail)
    return EdgeCaseReport(cases=tuple(cases[i] for i in sorted(cases)))
