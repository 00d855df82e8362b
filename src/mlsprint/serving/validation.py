"""Request validation against the bundle's data contract, listing every problem.

Two entry points give the same problems: :func:`check_records` for JSON records (pure
Python, fast for a few rows) and :func:`check_frame` for frames (CSV, Parquet, tensors;
vectorised). Levels: ``reject`` problems make a 422 answer; ``warn`` ones are returned with
the prediction and counted. Infinity is always rejected; a wrong type is always rejected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.contract import ColumnContract, DataContract
from mlsprint.serving.errors import InputError, problem
from mlsprint.spec.model import ContractPolicy

__all__ = ["ColumnRule", "Rules", "check_frame", "check_records", "to_frame"]

_MISSING = object()


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """What a request value of one column must be."""

    name: str
    kind: str
    dtype: str
    required: bool
    nullable: bool
    categories: frozenset[str]
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Rules:
    """Rules of every request column plus the levels of each kind of problem."""

    columns: tuple[ColumnRule, ...]
    optional: frozenset[str]
    null_level: str
    range_level: str
    category_level: str
    reject_extra: bool
    max_rows: int

    @classmethod
    def build(cls, contract: DataContract, model_columns: list[str], *,
              policy: ContractPolicy, unseen_category: str, extra_columns: str,
              max_rows: int) -> Rules:
        needed = set(model_columns)
        cols = tuple(_rule(c, c.name in needed) for c in contract.columns
                     if c.role not in ("target", "weight"))
        optional = frozenset(c.name for c in contract.columns if c.role in ("target", "weight"))
        return cls(cols, optional, policy.unseen_null, policy.out_of_range,
                   "reject" if unseen_category == "reject" else "warn",
                   extra_columns == "reject", max_rows)

    @property
    def names(self) -> set[str]:
        return {c.name for c in self.columns}

    @property
    def numeric(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "numeric"]


def _rule(col: ColumnContract, required: bool) -> ColumnRule:
    return ColumnRule(col.name, col.kind, col.dtype, required, col.nullable,
                      frozenset(col.categories), col.min, col.max)


def _check_columns(present: list[str], rules: Rules) -> list[dict[str, Any]]:
    out = []
    seen = set(present)
    for rule in rules.columns:
        if rule.required and rule.name not in seen:
            out.append(problem("missing_column", f"column '{rule.name}' is missing; the model "
                               f"needs it ({rule.kind})", column=rule.name))
    if rules.reject_extra:
        known = rules.names | rules.optional
        for name in present:
            if name not in known:
                out.append(problem("extra_column", f"column '{name}' is unknown to the model; "
                                   "remove it", column=name))
    return out


def _value_problems(v: Any, rule: ColumnRule, row: int, rules: Rules) -> list[dict[str, Any]]:
    """Problems of one value (the per-value rule both entry points share)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        if not rule.nullable and rules.null_level != "ignore":
            return [problem("unseen_null", f"missing value in '{rule.name}', which had none in "
                            "training", row=row, column=rule.name, level=rules.null_level)]
        return []
    if isinstance(v, (dict, list)):
        return [problem("wrong_type", f"expected a {rule.kind} scalar, got a "
                        f"{type(v).__name__}", row=row, column=rule.name, value=v)]
    if rule.kind == "numeric":
        return _numeric_problems(v, rule, row, rules)
    if rule.kind in ("categorical", "boolean") and rule.categories and (
            rules.category_level != "ignore") and str(v) not in rule.categories:
        return [problem("unseen_category", f"category {str(v)!r} was not seen in training",
                        row=row, column=rule.name, value=v, level=rules.category_level)]
    return []


def _numeric_problems(v: Any, rule: ColumnRule, row: int, rules: Rules) -> list[dict[str, Any]]:
    if isinstance(v, (bool, np.bool_)):
        return [problem("wrong_type", "expected a number, got a boolean", row=row,
                        column=rule.name, value=v)]
    try:
        x = float(v)
    except (TypeError, ValueError, OverflowError):
        return [problem("wrong_type", f"expected a number, got {str(v)[:40]!r}", row=row,
                        column=rule.name, value=v)]
    if math.isnan(x):
        return _value_problems(None, rule, row, rules)
    if math.isinf(x):
        return [problem("not_finite", "infinity is not a valid value", row=row,
                        column=rule.name, value=x)]
    if rule.low is not None and rules.range_level != "ignore" and not (
            rule.low <= x <= rule.high):
        return [problem("out_of_range", f"{x} is outside the training range "
                        f"[{rule.low}, {rule.high}]", row=row, column=rule.name, value=x,
                        level=rules.range_level)]
    return []


def _check_size(n: int, rules: Rules) -> None:
    if n == 0:
        raise InputError(422, "empty_batch", "the request holds no rows; send at least one",
                         [problem("empty_batch", "no rows")])
    if n > rules.max_rows:
        raise InputError(413, "too_many_rows", f"{n} rows exceed the limit of "
                         f"{rules.max_rows}; split the request")


def check_records(records: Any, rules: Rules) -> list[dict[str, Any]]:
    """Every problem of a list of JSON records; raises InputError on a ``reject`` one."""
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise InputError(422, "invalid_input", "expected a JSON object (one record) or a "
                         f"list of objects, got {type(records).__name__}",
                         [problem("invalid_input", "the body is neither an object nor a list",
                                  value=type(records).__name__)])
    _check_size(len(records), rules)
    bad = [problem("not_an_object", f"row {i} is a {type(r).__name__}, expected an object "
                   "of column: value", row=i) for i, r in enumerate(records)
           if not isinstance(r, dict)]
    if bad:
        raise InputError(422, "invalid_input", "every row must be a JSON object", bad)
    present = list(dict.fromkeys(k for r in records for k in r))
    problems = _check_columns(present, rules)
    for rule in rules.columns:
        if rule.name not in present:
            continue
        for i, rec in enumerate(records):
            problems.extend(_value_problems(rec.get(rule.name), rule, i, rules))
    return _raise_on_reject(problems)


def _raise_on_reject(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if any(p["level"] == "reject" for p in problems):
        n = sum(p["level"] == "reject" for p in problems)
        raise InputError(422, "invalid_input", f"{n} problem(s) reject the request; all "
                         f"{len(problems)} are listed by row and column", problems)
    return problems


def check_frame(df: pd.DataFrame, rules: Rules) -> list[dict[str, Any]]:
    """The problems :func:`check_records` gives, for a frame (vectorised where possible)."""
    _check_size(len(df), rules)
    df = df.rename(columns=str)
    problems = _check_columns(list(df.columns), rules)
    for rule in rules.columns:
        if rule.name in df.columns:
            problems.extend(_column_problems(df[rule.name], rule, rules))
    return _raise_on_reject(problems)


def _column_problems(series: pd.Series, rule: ColumnRule, rules: Rules) -> list[dict[str, Any]]:
    dtype = series.dtype
    if rule.kind == "numeric" and pd.api.types.is_numeric_dtype(dtype) and not (
            pd.api.types.is_bool_dtype(dtype)):
        x = series.to_numpy(dtype="float64", na_value=np.nan)
        suspicious = np.isnan(x) | np.isinf(x)
        if rule.low is not None and rules.range_level != "ignore":
            with np.errstate(invalid="ignore"):
                suspicious |= (x < rule.low) | (x > rule.high)
        rows = np.flatnonzero(suspicious)
        values = x[rows]
    elif rule.kind in ("categorical", "boolean"):
        rows, values = _category_suspects(series, rule)
    elif rule.kind == "numeric":
        rows, values = np.arange(len(series)), series.to_numpy(dtype=object)
    else:  # text and datetime: only missing values can be a problem
        rows = np.flatnonzero(pd.isna(series).to_numpy())
        values = series.to_numpy(dtype=object)[rows]
    out: list[dict[str, Any]] = []
    for i, v in zip(rows, values, strict=True):
        out.extend(_value_problems(_python(v), rule, int(i), rules))
    return out


def _category_suspects(series: pd.Series, rule: ColumnRule) -> tuple[np.ndarray, np.ndarray]:
    """Rows that are missing or hold a category unseen in training (checked per distinct
    value, so a large batch costs one pass of ``factorize``)."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable values (dicts, lists): check every row
        return np.arange(len(series)), series.to_numpy(dtype=object)
    known = rule.categories
    bad_unique = np.array([bool(known) and (isinstance(u, (dict, list)) or str(u) not in known)
                           for u in uniques], dtype=bool)
    suspicious = codes < 0
    if len(bad_unique):
        suspicious |= np.where(codes >= 0, bad_unique[np.maximum(codes, 0)], False)
    rows = np.flatnonzero(suspicious)
    return rows, series.iloc[rows].to_numpy(dtype=object)


def _python(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def to_frame(data: list[dict[str, Any]] | pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The request as the model's input frame: training dtypes, null as NaN."""
    df = pd.DataFrame.from_records(data) if isinstance(data, list) else data
    df = df.rename(columns=str)
    out: dict[str, Any] = {}
    for rule in rules.columns:
        if rule.name not in df.columns:
            continue
        series = df[rule.name]
        if rule.kind == "numeric":
            out[rule.name] = pd.to_numeric(series, errors="coerce").astype("float64")
        elif rule.kind in ("categorical", "text"):
            out[rule.name] = _as_text(series, rule.dtype)
        elif rule.kind == "datetime":
            out[rule.name] = pd.to_datetime(series, errors="coerce")
        else:
            out[rule.name] = series
    return pd.DataFrame(out, index=df.index)


def _as_text(series: pd.Series, dtype: str) -> pd.Series:
    """Values as strings (missing stays missing) in the training dtype."""
    if str(series.dtype) == dtype and series.dtype != object and (
            pd.api.types.is_string_dtype(series.dtype)):
        return series
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = np.array([str(u) for u in uniques] + [None], dtype=object)
    return _as_dtype(pd.Series(text[codes], index=series.index), dtype)


def _as_dtype(series: pd.Series, dtype: str) -> pd.Series:
    try:
        return series.astype(dtype)
    except (TypeError, ValueError):
        return series
