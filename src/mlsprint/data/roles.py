"""Infer the task and the roles of columns from a table: what ``mlsprint init`` writes.

The per-column detectors live in :mod:`mlsprint.data.detectors` and are re-exported
here; ``infer_roles`` applies them to a whole frame and says why for each column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.detectors import (
    datetime_format,
    integral,
    is_free_text,
    is_id_like,
    is_stringish,
    looks_like_datetime,
    protected_reason,
    tokens,
    weight_reason,
)
from mlsprint.data.fingerprint import kind_of
from mlsprint.errors import DataError
from mlsprint.spec import did_you_mean

__all__ = [
    "InferredRoles",
    "infer_roles",
    "infer_task",
    "is_free_text",
    "is_id_like",
    "looks_like_datetime",
    "positive_class_of",
    "protected_reason",
    "tokens",
    "weight_reason",
]

MAX_CLASSES = 20  # an integer target with more distinct values is a regression target
POSITIVE_LIKE = {"1", "1.0", "true", "yes", "y", "positive", "pos", ">50k", "bad", "default"}
YEAR_TOKENS = {"year", "yr", "yyyy"}
MONTH_TOKENS = {"month", "mo", "mon", "mnth"}
NOT_EVENT_YEAR = {"built", "blt", "birth", "born", "remod", "since", "established", "founded"}
TIME_TOKENS = {"date", "time", "timestamp", "datetime", "dt", "ts"}


@dataclass(frozen=True, slots=True)
class InferredRoles:
    """What ``infer_roles`` found: the task and the columns of each role, with reasons.

    ``time`` lists the best time column first (fewest missing values, then file order).
    ``group`` is an id column whose values repeat (one patient, many visits): rows of one
    group must stay on one side of every split.
    ``notes`` holds remarks that are not a role, such as "rows are in time order".
    """

    target: str
    task: str
    target_kind: str
    classes: tuple[Any, ...] = ()
    positive_class: Any = None
    id: tuple[str, ...] = ()
    time: tuple[str, ...] = ()
    constant: tuple[str, ...] = ()
    protected: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    weight: str | None = None
    group: str | None = None
    reasons: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly copy."""
        return {
            "target": self.target, "task": self.task, "target_kind": self.target_kind,
            "classes": [_plain(c) for c in self.classes],
            "positive_class": _plain(self.positive_class), "id": list(self.id),
            "time": list(self.time), "constant": list(self.constant),
            "protected": list(self.protected), "text": list(self.text),
            "weight": self.weight, "group": self.group, "reasons": dict(self.reasons),
            "notes": list(self.notes),
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def infer_task(y: pd.Series) -> str:
    """binary, multiclass or regression, from the target's values.

    Two distinct values make a binary task; strings, booleans and integers with at most
    20 distinct values a multiclass one; other numbers a regression.
    """
    n_distinct = y.nunique(dropna=True)
    if n_distinct == 2:
        return "binary"
    kind = kind_of(y)
    if kind in ("string", "boolean") or isinstance(y.dtype, pd.CategoricalDtype):
        return "multiclass"
    if kind in ("integer", "float") and integral(y) and n_distinct <= MAX_CLASSES:
        return "multiclass"
    if kind == "datetime":
        raise DataError(f"target {y.name!r} holds dates; a target must be a class or a "
                        "number; pick another column with --target")
    return "regression"


def positive_class_of(y: pd.Series) -> Any:
    """The class to detect in a binary target: a 1/yes/true-like value, else the minority.

    Examples
    --------
    >>> import pandas as pd
    >>> positive_class_of(pd.Series(["good"] * 7 + ["bad"] * 3))
    'bad'
    >>> positive_class_of(pd.Series(["UP", "DOWN", "DOWN"]))
    'UP'
    """
    counts = y.value_counts(dropna=True)
    for value in counts.index:
        if str(value).strip().lower() in POSITIVE_LIKE:
            return _plain(value)
    ordered = sorted(counts.items(), key=lambda kv: (kv[1], str(kv[0])))
    return _plain(ordered[0][0])


def _year_time(name: str, series: pd.Series) -> str | None:
    words = set(tokens(name))
    if not (words & YEAR_TOKENS) or words & NOT_EVENT_YEAR or not integral(series):
        return None
    values = series.dropna()
    if values.empty or values.min() < 1900 or values.max() > 2100:
        return None
    span = values.max() - values.min()
    if span > 30:
        return None
    return f"year of the event ({int(values.min())}-{int(values.max())})"


def _month_like(name: str, series: pd.Series) -> bool:
    if not set(tokens(name)) & MONTH_TOKENS:
        return False
    values = series.dropna()
    if integral(series):
        return bool(len(values)) and values.min() >= 1 and values.max() <= 12
    months = {m.lower() for m in pd.date_range("2000-01-01", periods=12, freq="MS").strftime("%b")}
    return is_stringish(series) and {str(v).lower()[:3] for v in values.unique()} <= months


def _numeric_time(name: str, series: pd.Series) -> str | None:
    if not set(tokens(name)) & TIME_TOKENS or kind_of(series) not in ("integer", "float"):
        return None
    values = series.dropna().to_numpy(dtype="float64")
    if len(values) < 20 or np.unique(values).size < 10:
        return None
    steps = np.diff(values)
    share = float((steps >= 0).mean())
    if share < 0.99:
        return None
    return (f"number named like a time that grows with the row order "
            f"({share:.1%} of steps non-decreasing): rows are in time order")


def _time_reason(name: str, series: pd.Series) -> str | None:
    if set(tokens(name)) & (NOT_EVENT_YEAR | {"dob"}):
        return None  # a birth or build date describes the row; it does not order rows
    if kind_of(series) == "datetime":
        return "datetime column"
    fmt = datetime_format(series)
    if fmt is not None:
        return f"dates stored as strings (format {fmt})"
    return _year_time(name, series) or _numeric_time(name, series)


def _classify(name: str, series: pd.Series, reasons: dict[str, str]) -> str | None:
    """The single structural role of a column (constant, time, id, text) or None."""
    if series.nunique(dropna=False) <= 1:
        reasons[name] = "a single value" + (" (all missing)" if series.isna().all() else "")
        return "constant"
    why = _time_reason(name, series)
    if why:
        reasons[name] = why
        return "time"
    if is_id_like(series, name):
        ratio = series.nunique() / max(series.notna().sum(), 1)
        reasons[name] = f"identifier ({ratio:.0%} of values distinct)"
        return "id"
    if is_free_text(series):
        reasons[name] = "free text (several words per value, mostly distinct)"
        return "text"
    return None


def _month_partners(df: pd.DataFrame, found: dict[str, list[str]], target: str,
                    reasons: dict[str, str]) -> None:
    years = [c for c in found["time"] if c in reasons and reasons[c].startswith("year")]
    if not years:
        return
    for name in df.columns:
        if name not in reasons and name != target and _month_like(name, df[name]):
            found["time"].append(name)
            reasons[name] = f"month of the event, with the year in {years[0]!r}"


def _order_notes(df: pd.DataFrame, found: dict[str, list[str]], target: str) -> list[str]:
    if found["time"]:
        return []
    parts = [c for c in df.columns if c != target and _month_like(c, df[c])]
    if not parts:
        return []
    return [f"{parts[0]!r} is a month without a year, so it is kept as a feature; if the "
            "rows are in time order, set split.strategy: temporal (by row order)"]


def _target_series(df: pd.DataFrame, target: str) -> pd.Series:
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise DataError(f"the data has duplicate column names {dupes}; rename them so each "
                        "is unique")
    if target not in df.columns:
        hint = did_you_mean(target, [str(c) for c in df.columns])
        raise DataError(f"target column {target!r} is not in the data{hint}; pass one of "
                        "the columns with --target")
    y = df[target]
    if y.dropna().nunique() < 2:
        raise DataError(f"target {target!r} has a single value "
                        f"({y.dropna().unique()[:1].tolist()}); nothing to learn: pick "
                        "another column with --target")
    return y


def _task_facts(y: pd.Series, task: str | None) -> tuple[str, tuple[Any, ...], Any]:
    task = task or infer_task(y)
    if task not in ("binary", "multiclass", "regression"):
        raise DataError(f"task {task!r} is not one of binary, multiclass, regression")
    classes: tuple[Any, ...] = ()
    if task != "regression":
        classes = tuple(_plain(c) for c in sorted(y.dropna().unique().tolist(), key=str))
    if task == "binary" and len(classes) != 2:
        raise DataError(f"a binary task needs 2 classes in {y.name!r}, found {len(classes)} "
                        f"({list(classes)[:10]}); use --task multiclass or recode the target")
    if task == "regression" and kind_of(y) not in ("integer", "float"):
        raise DataError(f"a regression target must be numeric; {y.name!r} holds "
                        f"{y.dtype} values; use --task binary or multiclass")
    positive = positive_class_of(y) if task == "binary" else None
    return task, classes, positive


def infer_roles(df: pd.DataFrame, target: str, *, task: str | None = None) -> InferredRoles:
    """Infer the task, the positive class and the role of every other column.

    Parameters
    ----------
    df : DataFrame
        The whole table, read with the spec's read options.
    target : str
        The column to predict.
    task : {"binary", "multiclass", "regression"}, optional
        Overrides the task inferred from the target.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": range(40), "sex": ["F", "M"] * 20, "y": [0, 1] * 20})
    >>> r = infer_roles(df, "y")
    >>> r.task, r.positive_class, r.id, r.protected
    ('binary', 1, ('id',), ('sex',))
    """
    df = df.rename(columns=str) if not all(isinstance(c, str) for c in df.columns) else df
    y = _target_series(df, target)
    task, classes, positive = _task_facts(y, task)
    reasons: dict[str, str] = {}
    found: dict[str, list[str]] = {k: [] for k in ("constant", "time", "id", "text")}
    protected: list[str] = []
    weight = None
    for name in map(str, df.columns):
        if name == target:
            continue
        series = df[name]
        role = _classify(name, series, reasons)
        if role:
            found[role].append(name)
        if role in (None, "time") and (why := protected_reason(name, series)):
            protected.append(name)
            reasons[name] = why if role is None else f"{reasons[name]}; {why}"
        if role is None and weight is None and (why := weight_reason(name, series)):
            weight = name
            reasons[name] = why
    _month_partners(df, found, target, reasons)
    group = next((c for c in found["id"] if df[c].duplicated().any()), None)
    time = sorted(found["time"], key=lambda c: (df[c].isna().mean(), found["time"].index(c)))
    return InferredRoles(
        target=target, task=task, target_kind=kind_of(y), classes=classes,
        positive_class=positive, id=tuple(found["id"]), time=tuple(time),
        constant=tuple(found["constant"]), protected=tuple(protected),
        text=tuple(found["text"]), weight=weight, group=group, reasons=reasons,
        notes=tuple(_order_notes(df, found, target)),
    )
