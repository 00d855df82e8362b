"""``mlsprint check``: does the spec fit the data? Every problem, not only the first.

Each problem is one line naming the spec file, the field path, the value seen, what was
expected and a fix, e.g.
``mlsprint.yaml: data.target: column 'Churn ' is not in data/churn.csv (did you mean 'Churn'?)``.
The spec itself was already validated by ``load_spec``; these checks need the data too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.detectors import datetime_format
from mlsprint.data.fingerprint import kind_of
from mlsprint.spec import did_you_mean
from mlsprint.spec.model import ProjectSpec

__all__ = ["check_spec_against_data"]

MAX_MULTICLASS = 100  # more classes than this is almost surely a regression target


@dataclass(frozen=True, slots=True)
class _Ctx:
    spec: ProjectSpec
    df: pd.DataFrame
    spec_file: str
    data_name: str

    def problem(self, field: str, message: str) -> str:
        return f"{self.spec_file}: {field}: {message}"

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.df.columns]


def _sample(values: Any, n: int = 10) -> list[Any]:
    out = []
    for v in list(values)[:n]:
        out.append(v.item() if isinstance(v, np.generic) else v)
    return out


def _named_columns(spec: ProjectSpec) -> Iterator[tuple[str, str]]:
    """(field path, column) for every column the spec names, target excluded."""
    data, cols = spec.data, spec.data.columns
    for role in ("id", "time", "text", "constant", "exclude", "keep"):
        for i, name in enumerate(getattr(cols, role)):
            yield f"data.columns.{role}[{i}]", name
    for i, attr in enumerate(cols.protected):
        yield f"data.columns.protected[{i}].name", attr.name
    if cols.group is not None:
        yield "data.columns.group", cols.group
    if data.weight_column is not None:
        yield "data.weight_column", data.weight_column
    for name in data.dtypes:
        yield f"data.dtypes.{name}", name


def _table_shape(ctx: _Ctx) -> list[str]:
    out = []
    if ctx.df.shape[1] == 0 or len(ctx.df) == 0:
        what = "no columns" if ctx.df.shape[1] == 0 else "no rows"
        out.append(ctx.problem("data.source", f"{ctx.data_name} has {what}; point the "
                                              "spec at a table with data"))
    dupes = sorted({c for c in ctx.columns if ctx.columns.count(c) > 1})
    if dupes:
        out.append(ctx.problem("data.source", f"{ctx.data_name} has duplicate column "
                                              f"names {dupes}; rename them so each is unique"))
    return out


def _missing_columns(ctx: _Ctx) -> list[str]:
    out = []
    present = set(ctx.columns)
    target = ctx.spec.data.target
    if target not in present:
        out.append(ctx.problem("data.target", f"column {target!r} is not in {ctx.data_name}"
                                              f"{did_you_mean(target, ctx.columns)}"))
    for field, name in _named_columns(ctx.spec):
        if name not in present:
            out.append(ctx.problem(field, f"column {name!r} is not in {ctx.data_name}"
                                          f"{did_you_mean(name, ctx.columns)}"))
        elif name == target and not field.startswith(("data.columns.protected",
                                                      "data.dtypes", "data.columns.keep")):
            out.append(ctx.problem(field, f"{name!r} is the target; a target cannot also "
                                          "have this role; remove it here"))
    return out


def _weight(ctx: _Ctx) -> list[str]:
    name = ctx.spec.data.weight_column
    if name is None or name not in ctx.columns or name == ctx.spec.data.target:
        return []
    w = ctx.df[name]
    field = "data.weight_column"
    if kind_of(w) not in ("integer", "float"):
        return [ctx.problem(field, f"column {name!r} holds {w.dtype} values such as "
                                   f"{_sample(w.dropna().unique(), 3)}; sample weights must "
                                   "be numbers >= 0: pick a numeric column or remove it")]
    out = []
    if (n := int((w < 0).sum())) > 0:
        out.append(ctx.problem(field, f"column {name!r} has {n} negative values (min "
                                      f"{w.min()}); weights must be >= 0"))
    if (n := int(w.isna().sum())) > 0:
        out.append(ctx.problem(field, f"column {name!r} has {n} missing values; fill them "
                                      "or drop those rows"))
    if len(w) and float(w.fillna(0).clip(lower=0).sum()) == 0.0:
        out.append(ctx.problem(field, f"column {name!r} sums to 0; no row would count"))
    return out


def _classes(ctx: _Ctx, y: pd.Series) -> list[str]:
    task, name = ctx.spec.task, ctx.spec.data.target
    counts = y.value_counts(dropna=True)
    values = sorted(_sample(counts.index, 20), key=str)
    out = []
    if task.type == "binary" and len(counts) != 2:
        fix = "use type: multiclass" if len(counts) > 2 else "pick another target"
        out.append(ctx.problem("task.type", f"binary needs 2 classes in {name!r}, found "
                                            f"{len(counts)} ({values}); {fix}"))
    if task.type == "multiclass" and len(counts) > MAX_MULTICLASS:
        out.append(ctx.problem("task.type", f"multiclass, but {name!r} has {len(counts)} "
                                            "distinct values; did you mean regression?"))
    if task.type == "binary" and task.positive_class is not None:
        out += _positive_class(ctx, list(counts.index))
    n_folds = ctx.spec.split.n_folds
    if 2 <= len(counts) <= MAX_MULTICLASS:
        for cls, n in counts.items():
            if n < n_folds:
                out.append(ctx.problem("data.target", f"class {_sample([cls])[0]!r} of "
                                       f"{name!r} has {n} rows, fewer than split.n_folds "
                                       f"({n_folds}); merge rare classes or lower n_folds"))
    return out


def _same(value: Any, wanted: Any) -> bool:
    """Equal and of the same kind: 1 matches 1.0, but neither matches '1' nor True."""
    if isinstance(value, bool) or isinstance(wanted, bool):
        return type(value) is type(wanted) and value == wanted
    numbers = (int, float)
    if isinstance(value, numbers) and isinstance(wanted, numbers):
        return value == wanted
    return type(value) is type(wanted) and value == wanted


def _positive_class(ctx: _Ctx, values: list[Any]) -> list[str]:
    pc = ctx.spec.task.positive_class
    plain = _sample(values, len(values))
    if any(_same(v, pc) for v in plain):
        return []
    seen = sorted(plain, key=str)
    same_text = [v for v in plain if str(v) == str(pc)]
    if same_text:
        hint = f"; the data holds {same_text[0]!r}: write positive_class: {same_text[0]!r}"
    else:
        hint = did_you_mean(str(pc), [str(v) for v in plain]) + "; set it to one of them"
    return [ctx.problem("task.positive_class", f"{pc!r} is not a value of "
                                               f"{ctx.spec.data.target!r} (values seen: "
                                               f"{seen}){hint}")]


def _target(ctx: _Ctx) -> list[str]:
    name = ctx.spec.data.target
    if name not in ctx.columns or ctx.df.empty:
        return []
    y = ctx.df[name]
    n_distinct = y.nunique(dropna=True)
    if n_distinct < 2:
        seen = _sample(y.dropna().unique(), 1)
        return [ctx.problem("data.target", f"column {name!r} has a single value {seen} "
                                           f"({y.isna().sum()} missing); nothing to learn: "
                                           "pick another target")]
    if ctx.spec.task.type != "binary" and ctx.spec.task.positive_class is not None:
        return [ctx.problem("task.positive_class", f"{ctx.spec.task.positive_class!r} is set, "
                                                   f"but a {ctx.spec.task.type} task has no "
                                                   "positive class; remove it")]
    if ctx.spec.task.type == "regression":
        if kind_of(y) not in ("integer", "float"):
            return [ctx.problem("task.type", f"regression needs a numeric target; {name!r} "
                                             f"holds {y.dtype} values such as "
                                             f"{_sample(y.dropna().unique(), 3)}; use type: "
                                             "binary or multiclass, or fix data.target")]
        return []
    return _classes(ctx, y)


def _time(ctx: _Ctx) -> list[str]:
    out = []
    for i, name in enumerate(ctx.spec.data.columns.time):
        if name not in ctx.columns:
            continue
        s = ctx.df[name]
        if kind_of(s) in ("datetime", "integer", "float") or s.isna().all():
            continue
        if datetime_format(s) is None:
            out.append(ctx.problem(f"data.columns.time[{i}]", f"column {name!r} does not "
                                   f"hold parseable dates (values such as "
                                   f"{_sample(s.dropna().unique(), 3)}); expected dates "
                                   "like 2024-01-31; fix the column or remove it from time"))
    return out


def _split(ctx: _Ctx) -> list[str]:
    split = ctx.spec.split
    out = []
    # temporal without a time column splits by row order; group without a column may use
    # the one profiling finds: neither is an error here
    if split.strategy == "stratified" and ctx.spec.task.type == "regression":
        out.append(ctx.problem("split.strategy", "stratified needs classes, but the task is "
                                                 "regression; use auto, random, temporal or "
                                                 "group"))
    n = len(ctx.df)
    holdout = int(n * split.holdout_fraction)
    if n and (holdout < 1 or n - holdout < 2 * split.n_folds):
        out.append(ctx.problem("data.source", f"{ctx.data_name} has {n} rows, too few for a "
                                              f"{split.holdout_fraction} holdout and "
                                              f"{split.n_folds} folds; add data or lower "
                                              "split.n_folds"))
    return out


CHECKS: tuple[Callable[[_Ctx], list[str]], ...] = (
    _table_shape, _missing_columns, _target, _weight, _time, _split,
)


def check_spec_against_data(spec: ProjectSpec, df: pd.DataFrame, *,
                            spec_file: str = "mlsprint.yaml",
                            data_name: str = "the data") -> list[str]:
    """Every problem between a valid spec and its data, one line each (empty: all good).

    Examples
    --------
    >>> import pandas as pd
    >>> from mlsprint.spec import parse_spec
    >>> spec = parse_spec({"name": "p", "task": {"type": "regression"},
    ...                    "data": {"source": "data/churn.csv", "target": "Churn "}})
    >>> check_spec_against_data(spec, pd.DataFrame({"Churn": [1.0] * 30}),
    ...                         data_name="data/churn.csv")[0]
    "mlsprint.yaml: data.target: column 'Churn ' is not in data/churn.csv (did you mean 'Churn'?)"
    """
    ctx = _Ctx(spec=spec, df=df, spec_file=spec_file, data_name=data_name)
    problems: list[str] = []
    for check in CHECKS:
        problems.extend(check(ctx))
    return problems
