"""The data contract: what training saw, so serving and monitoring can check against it.

``infer_contract`` describes each column of the training rows; ``validate`` returns
**every** violation of a new frame as structured records, each with the level the spec's
policy gives it (reject or warn). The contract is frozen into every model built from it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlsprint.data.fingerprint import kind_of
from mlsprint.spec.model import ContractPolicy, ProjectSpec

__all__ = [
    "ColumnContract",
    "DataContract",
    "Violation",
    "column_roles",
    "infer_contract",
    "validate",
]

Kind = Literal["numeric", "categorical", "boolean", "datetime", "text"]
Role = Literal["feature", "id", "time", "target", "weight", "group", "text", "excluded"]
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
MAX_CATEGORIES = 1000  # a categorical with more levels keeps only the most frequent


@dataclass(frozen=True, slots=True)
class ColumnContract:
    """What training saw of one column."""

    name: str
    kind: Kind
    dtype: str
    role: Role
    nullable: bool
    missing_rate: float
    protected: bool = False
    min: float | None = None
    max: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)
    n_unique: int = 0
    datetime_min: str | None = None
    datetime_max: str | None = None


@dataclass(frozen=True, slots=True)
class DataContract:
    """Per-column contracts plus the task facts later phases need."""

    columns: tuple[ColumnContract, ...]
    target: str
    task: str
    classes: tuple[Any, ...] = ()
    positive_class: Any = None
    n_rows: int = 0

    def __getitem__(self, name: str) -> ColumnContract:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def features(self) -> list[ColumnContract]:
        """Columns the model reads (role ``feature`` or ``time``-derived features excluded)."""
        return [c for c in self.columns if c.role == "feature"]

    @property
    def input_columns(self) -> list[str]:
        """Columns a prediction request carries: everything but target and weight."""
        return [c.name for c in self.columns if c.role not in ("target", "weight")]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["columns"] = [asdict(c) for c in self.columns]
        out["classes"] = list(self.classes)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=_jsonable)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DataContract:
        cols = tuple(ColumnContract(**c) for c in data["columns"])
        rest = {k: v for k, v in data.items() if k != "columns"}
        rest["classes"] = tuple(rest.get("classes", ()))
        return cls(columns=cols, **rest)

    @classmethod
    def from_json(cls, text: str) -> DataContract:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True, slots=True)
class Violation:
    """One contract violation: ``row`` is None when it concerns the whole column."""

    column: str
    kind: str
    level: str
    message: str
    row: int | None = None
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {k: _jsonable(v) for k, v in asdict(self).items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else str(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def column_roles(spec: ProjectSpec) -> dict[str, Role]:
    """The role the spec gives each named column; unnamed columns are features."""
    cols = spec.data.columns
    roles: dict[str, Role] = {}
    for name in cols.exclude + cols.constant:
        roles[name] = "excluded"
    for name in cols.text:
        roles[name] = "text"
    for name in cols.time:
        roles[name] = "time"
    for name in cols.id:
        roles[name] = "id"
    if cols.group:
        roles[cols.group] = "group"
    if spec.data.weight_column:
        roles[spec.data.weight_column] = "weight"
    roles[spec.data.target] = "target"
    return roles


def _kind(series: pd.Series, role: Role) -> Kind:
    base = kind_of(series)
    if base == "boolean":
        return "boolean"
    if base in ("integer", "float"):
        return "numeric"
    if base == "datetime" or role == "time":
        return "datetime"
    return "text" if role == "text" else "categorical"


def _describe(series: pd.Series, name: str, role: Role, protected: bool) -> ColumnContract:
    kind = _kind(series, role)
    missing = float(series.isna().mean()) if len(series) else 0.0
    base = dict(
        name=name, kind=kind, dtype=str(series.dtype), role=role,
        nullable=bool(missing > 0), missing_rate=missing, protected=protected,
        n_unique=int(series.nunique(dropna=True)),
    )
    values = series.dropna()
    if kind == "numeric" and len(values):
        arr = values.to_numpy(dtype="float64")
        finite = arr[np.isfinite(arr)]
        if len(finite):
            qs = np.quantile(finite, QUANTILES)
            base.update(min=float(finite.min()), max=float(finite.max()),
                        quantiles={str(q): float(v) for q, v in zip(QUANTILES, qs, strict=True)})
    elif kind in ("categorical", "boolean") and len(values):
        freq = values.astype(str).value_counts(normalize=True).head(MAX_CATEGORIES)
        base["categories"] = {str(k): float(v) for k, v in freq.items()}
    elif kind == "datetime" and len(values):
        stamps = pd.to_datetime(values, errors="coerce").dropna()
        if len(stamps):
            base.update(datetime_min=stamps.min().isoformat(),
                        datetime_max=stamps.max().isoformat())
    return ColumnContract(**base)


def infer_contract(df: pd.DataFrame, spec: ProjectSpec, *,
                   exclude: Sequence[str] = ()) -> DataContract:
    """Describe every column of the training rows under the spec's roles.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlsprint.spec import parse_spec
    >>> spec = parse_spec({"name": "p", "task": {"type": "regression"},
    ...                    "data": {"source": "d.csv", "target": "y"}})
    >>> c = infer_contract(pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, 1.5]}), spec)
    >>> c["x"].kind, c["x"].max
    ('numeric', 2.0)
    """
    roles = column_roles(spec)
    kept = set(spec.data.columns.keep)
    for name in exclude:  # e.g. critical leakage found by profiling, unless the spec keeps it
        if name not in kept and roles.get(name, "feature") == "feature":
            roles[name] = "excluded"
    protected = set(spec.protected_names)
    cols = tuple(
        _describe(df[name], str(name), roles.get(str(name), "feature"), str(name) in protected)
        for name in df.columns
    )
    classes: tuple[Any, ...] = ()
    target = spec.data.target
    if spec.task.type != "regression" and target in df.columns:
        classes = tuple(sorted(df[target].dropna().unique().tolist(), key=str))
    return DataContract(
        columns=cols, target=target, task=spec.task.type, classes=classes,
        positive_class=spec.task.positive_class, n_rows=len(df),
    )


def _level(policy: ContractPolicy, kind: str) -> str:
    return getattr(policy, kind)


def _wrong_type_rows(series: pd.Series, col: ColumnContract) -> np.ndarray:
    """Positions of values the column's kind cannot read (a boolean is not a number)."""
    present = series.notna().to_numpy()
    if col.kind == "numeric":
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            return present
        if pd.api.types.is_numeric_dtype(dtype):
            return np.zeros(len(series), dtype=bool)
        converted = pd.to_numeric(series.where(~series.map(_is_bool), None), errors="coerce")
        return present & converted.isna().to_numpy()
    if col.kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = pd.to_datetime(series.astype("object").where(series.notna(), None),
                                errors="coerce", format="ISO8601")
        return present & parsed.isna().to_numpy()
    return np.zeros(len(series), dtype=bool)  # categories and text accept any value


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _row_violations(series: pd.Series, col: ColumnContract, policy: ContractPolicy,
                    positions: np.ndarray, *, ignore: np.ndarray) -> list[Violation]:
    out: list[Violation] = []
    isna = series.isna().to_numpy() & ~ignore  # a wrong-typed value is not also a null
    if not col.nullable and isna.any() and policy.unseen_null != "ignore":
        for row in positions[isna]:
            out.append(Violation(col.name, "unseen_null", policy.unseen_null,
                                 f"missing value in '{col.name}', which had none in training",
                                 int(row)))
    if col.kind == "numeric" and col.min is not None and policy.out_of_range != "ignore":
        vals = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            bad = (vals < col.min) | (vals > col.max) | np.isinf(vals)
        for row, value in zip(positions[bad], vals[bad], strict=True):
            out.append(Violation(col.name, "out_of_range", policy.out_of_range,
                                 f"{value} is outside the training range "
                                 f"[{col.min}, {col.max}]", int(row), float(value)))
    if col.kind in ("categorical", "boolean") and col.categories and (
        policy.unseen_category != "ignore"
    ):
        known = set(col.categories)
        text = series.astype("object").where(~isna, None)
        unseen = np.array([v is not None and str(v) not in known for v in text], dtype=bool)
        for row, value in zip(positions[unseen], text.to_numpy()[unseen], strict=True):
            out.append(Violation(col.name, "unseen_category", policy.unseen_category,
                                 f"category {value!r} was not seen in training", int(row),
                                 str(value)))
    return out


def validate(df: pd.DataFrame, contract: DataContract,
             policy: ContractPolicy | None = None) -> list[Violation]:
    """Every violation of ``contract`` in ``df``, each with its level from ``policy``.

    Only the columns the model reads (role ``feature``) are required and checked: the
    target, weight, ids, time, group and excluded columns may be absent (a prediction
    request carries none of them) and are never flagged. A value the column's kind cannot
    read is a ``wrong_type`` violation of its row; every other row is still checked.
    """
    policy = policy or ContractPolicy()
    violations: list[Violation] = []
    present = set(map(str, df.columns))
    for col in contract.features:
        if col.name not in present and policy.missing_column != "ignore":
            violations.append(Violation(col.name, "missing_column", policy.missing_column,
                                        f"column '{col.name}' is missing"))
    known = set(contract.names)
    for name in map(str, df.columns):
        if name not in known and policy.extra_column != "ignore":
            violations.append(Violation(name, "extra_column", policy.extra_column,
                                        f"column '{name}' was not in the training data"))
    positions = np.arange(len(df))
    for col in contract.features:
        if col.name not in present:
            continue
        series = df[col.name]
        bad = _wrong_type_rows(series, col)
        if bad.any() and policy.wrong_type != "ignore":
            violations.extend(
                Violation(col.name, "wrong_type", policy.wrong_type,
                          f"expected a {col.kind} value, got {v!r}", int(row), str(v))
                for row, v in zip(positions[bad], series.to_numpy()[bad], strict=True))
        violations.extend(_row_violations(series.where(~bad, None) if bad.any() else series,
                                          col, policy, positions, ignore=bad))
    return violations
