"""``profile``: summaries, quality, leakage and temporal findings of one table, pure.

Cheap statistics (missingness, distinct values, quantiles, duplicates, time order) use
every row; the expensive checks (single-feature cross-validation, the association
matrix, the pure-subset and reconstruction checks) use a seeded sample of
``sample_rows`` labelled rows, and the report says how large it was.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.columnwise import ordered_map
from mlsprint.data.detectors import is_id_like
from mlsprint.data.fingerprint import GOLDEN, Factorized, mix64, narrow_codes
from mlsprint.data.profiling.associations import AssociationMatrix, association_matrix
from mlsprint.data.profiling.findings import (
    THRESHOLDS,
    Finding,
    finding,
    quality_findings,
    sort_findings,
)
from mlsprint.data.profiling.leakage import (
    leakage_findings,
    name_hints,
    pure_subsets,
    reconstructions,
    single_feature_scores,
)
from mlsprint.data.profiling.summary import (
    ColumnSummary,
    TargetSummary,
    numeric_values,
    summarize_column,
    summarize_target,
)
from mlsprint.data.profiling.temporal import (
    row_order_statistic,
    target_trend,
    temporal_findings,
    time_facts,
)
from mlsprint.data.roles import infer_roles
from mlsprint.errors import DataError
from mlsprint.spec import did_you_mean
from mlsprint.spec.model import ProjectSpec

__all__ = ["ProfileReport", "Roles", "profile"]

ROLE_ROWS = 50_000  # rows infer_roles looks at (evenly spread, in row order)
MATRIX_COLUMNS = 30  # the association matrix shows the target and its 29 closest features


@dataclass(frozen=True, slots=True)
class Roles:
    """Column roles the profile used: from the spec first, then detected."""

    id: tuple[str, ...] = ()
    time: str | None = None
    group: str | None = None
    protected: tuple[str, ...] = ()
    constant: tuple[str, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfileReport:
    """Everything ``profile`` found; ``to_dict`` is JSON-able (``profile.json``)."""

    n_rows: int
    n_columns: int
    task: str
    target: TargetSummary
    columns: tuple[ColumnSummary, ...]
    findings: tuple[Finding, ...]
    feature_scores: dict[str, float]
    score_metric: str
    associations: AssociationMatrix
    sample_size_used: int
    excluded_columns: tuple[str, ...]
    exclusion_reasons: dict[str, str]
    time_column: str | None
    time_ordered: bool
    group_column: str | None
    id_columns: tuple[str, ...]
    protected_columns: tuple[str, ...]
    duplicate_rows: int
    target_over_time: dict[str, Any] = field(default_factory=dict)
    random_state: int = 0
    thresholds: dict[str, str] = field(default_factory=lambda: dict(THRESHOLDS))

    @property
    def sample_note(self) -> str:
        return (f"single-feature cross-validation, associations, pure-subset and "
                f"reconstruction checks ran on a seeded sample of {self.sample_size_used:,} "
                f"of {self.n_rows:,} rows (random_state={self.random_state}); all other "
                "statistics use every row")

    def by_severity(self, severity: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == severity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_rows": self.n_rows, "n_columns": self.n_columns, "task": self.task,
            "target": self.target.to_dict(), "columns": [c.to_dict() for c in self.columns],
            "findings": [f.to_dict() for f in self.findings],
            "feature_scores": {k: round(v, 6) for k, v in self.feature_scores.items()},
            "score_metric": self.score_metric, "associations": self.associations.to_dict(),
            "sample_size_used": self.sample_size_used, "sample_note": self.sample_note,
            "excluded_columns": list(self.excluded_columns),
            "exclusion_reasons": dict(self.exclusion_reasons),
            "time_column": self.time_column, "time_ordered": self.time_ordered,
            "group_column": self.group_column, "id_columns": list(self.id_columns),
            "protected_columns": list(self.protected_columns),
            "duplicate_rows": self.duplicate_rows, "target_over_time": self.target_over_time,
            "random_state": self.random_state, "thresholds": dict(self.thresholds),
        }


def _roles(df: pd.DataFrame, spec: ProjectSpec) -> Roles:
    """Roles from the spec, then from ``infer_roles``.

    On a table of more than ``ROLE_ROWS`` rows, ``infer_roles`` sees an evenly spread
    subset in row order and its ids are confirmed on every row; ``profile`` replaces the
    single-valued columns by those of the full-data summaries.
    """
    cols = spec.data.columns
    big = len(df) > ROLE_ROWS
    rows = df.iloc[np.linspace(0, len(df) - 1, ROLE_ROWS).astype(np.int64)] if big else df
    found = infer_roles(rows, spec.data.target, task=spec.task.type)
    detected = [c for c in found.id if c not in cols.time and (not big or is_id_like(df[c], c))]
    ids = tuple(dict.fromkeys([*cols.id, *detected]))
    time = (cols.time or list(found.time) or [None])[0]
    group = cols.group
    if group is None:
        repeated = [c for c in ids if df[c].nunique() < df[c].notna().sum()]
        group = repeated[0] if repeated else None
    protected = tuple(dict.fromkeys([*spec.protected_names, *found.protected]))
    return Roles(id=ids, time=time, group=group, protected=protected,
                 reasons=dict(found.reasons), notes=found.notes)


def _summaries(df: pd.DataFrame, names: list[str],
               factorized: dict[Any, Factorized] | None = None
               ) -> tuple[tuple[ColumnSummary, ...], np.ndarray]:
    """Summaries of ``names`` and a 64-bit hash of every row, in one pass over the columns.

    Each column is factorised once, on one of two threads; its codes feed its summary and
    the row hashes, so the frame is never copied. A row's hash is the wrapping sum of its
    columns' mixed codes: two rows that differ in one column always differ (the mix is a
    bijection), in more only by a 2**-64 accident. ``factorized`` receives each string
    column's factorisation (codes narrowed) when given.
    """
    wanted = set(names)

    def one_column(position: int
                   ) -> tuple[ColumnSummary | None, np.ndarray, Factorized | None]:
        column = df.iloc[:, position]
        name = str(df.columns[position])
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        summary = (summarize_column(column, name, factorized=(codes, uniques))
                   if name in wanted else None)
        # kept for the fingerprints of string columns only (the others hash fast by value)
        kept = (narrow_codes(codes, len(uniques)), uniques) if factorized is not None \
            and isinstance(column.dtype, pd.StringDtype) else None
        return summary, _mixed_codes(codes, position), kept

    summaries = []
    row_hash = np.zeros(len(df), dtype=np.uint64)
    for position, (summary, mixed, kept) in enumerate(
            ordered_map(one_column, range(df.shape[1]))):
        if summary is not None:
            summaries.append(summary)
        if kept is not None:  # a string column's, asked for
            factorized[df.columns[position]] = kept
        row_hash += mixed  # uint64 arrays wrap silently: no overflow warning to silence
    return tuple(summaries), row_hash


def _mixed_codes(codes: np.ndarray, position: int) -> np.ndarray:
    salted = (np.asarray(codes, dtype=np.int64) + 1).astype(np.uint64) * GOLDEN
    return mix64(salted + np.uint64(position))


def _duplicates(df: pd.DataFrame, row_hash: np.ndarray, ids: tuple[str, ...]
                ) -> tuple[int, int]:
    """Rows equal to an earlier row, and the same apart from the id columns (whose
    contributions are taken back out of the row hashes: the sum wraps both ways)."""
    rest = row_hash.copy()
    for name in ids:
        position = df.columns.get_loc(name)
        rest -= _mixed_codes(pd.factorize(df[name], use_na_sentinel=True)[0], position)
    exact = int(pd.Series(row_hash).duplicated().sum())
    return exact, (int(pd.Series(rest).duplicated().sum()) if ids else exact)


def _duplicate_findings(exact: int, no_ids: int, n: int, ids: tuple[str, ...]) -> list[Finding]:
    out = []
    if exact:
        out.append(finding("duplicate_rows", "warning", [], f"{exact:,} rows repeat an "
                           f"earlier row exactly ({exact / n:.2%})",
                           "drop them, or make sure copies do not straddle the split",
                           duplicate_rows=exact, share=exact / n))
    if no_ids > exact:
        out.append(finding("duplicate_rows", "info", list(ids),
                           f"{no_ids:,} rows repeat an earlier row apart from the id columns",
                           "check whether these are the same record entered twice",
                           duplicate_rows_ignoring_ids=no_ids, share=no_ids / n))
    return out


def _id_findings(df: pd.DataFrame, roles: Roles) -> list[Finding]:
    out = [finding("role_note", "info", [], note, "see the note", note=note)
           for note in roles.notes]
    for name in roles.id:
        distinct = int(df[name].nunique())
        out.append(finding("id_like", "warning", [name],
                           f"{name!r} is an identifier ({distinct:,} distinct values in "
                           f"{len(df):,} rows)", "excluded from training",
                           n_unique=distinct, reason=roles.reasons.get(name, "spec")))
    if roles.group:
        g = df[roles.group]
        distinct, present = int(g.nunique()), int(g.notna().sum())
        out.append(finding(
            "group_split", "warning", [roles.group],
            f"{roles.group!r} repeats: {distinct:,} distinct values in {present:,} rows "
            f"({present - distinct:,} rows share a value with another row)",
            f"group split: all rows of one {roles.group!r} stay on the same side of every "
            "split (otherwise the model is tested on entities it trained on)",
            n_unique=distinct, n_rows=present, repeated_rows=present - distinct))
    return out


def _sample(df: pd.DataFrame, target: str, rows: int, random_state: int) -> pd.DataFrame:
    """A seeded sample of labelled rows (copies only the sampled rows)."""
    labelled = np.flatnonzero(df[target].notna().to_numpy())
    if len(labelled) > rows:
        rng = np.random.default_rng(random_state)
        labelled = np.sort(rng.choice(labelled, size=rows, replace=False))
    return df.iloc[labelled]


def _metric(task: str) -> str:
    return {"binary": "roc_auc", "multiclass": "roc_auc_ovr", "regression": "r2"}[task]


def _leakage(sample: pd.DataFrame, spec: ProjectSpec, features: list[str],
             kinds: dict[str, Any], random_state: int) -> tuple[list[Finding], dict]:
    target, task = spec.data.target, spec.task.type
    y = sample[target]
    pos = spec.task.positive_class
    scores = single_feature_scores(sample[features], y, task=task, kinds=kinds,
                                   positive_class=pos, random_state=random_state)
    numeric = [c for c in features if kinds[c] == "numeric"]
    recons = reconstructions(sample[numeric], y) if task == "regression" else []
    hints = name_hints(features, target)
    pures = pure_subsets(sample[features], y, task=task, positive_class=pos)
    found = leakage_findings(scores, _metric(task), recons=recons, hints=hints, pures=pures)
    return found, scores


def _temporal(df: pd.DataFrame, spec: ProjectSpec, roles: Roles,
              kinds: dict[str, Any]) -> tuple[list[Finding], bool, dict[str, Any]]:
    target, task, pos = spec.data.target, spec.task.type, spec.task.positive_class
    order = row_order_statistic(df[target], task=task, positive_class=pos)
    if roles.time is None:
        return temporal_findings(None, {}, order, target=target), False, {}
    kind = kinds[roles.time]
    facts = time_facts(df[roles.time], kind)
    trend = target_trend(numeric_values(df[roles.time], kind), df[target], task=task,
                         positive_class=pos)
    found = temporal_findings(facts, trend, order, kind=kind, target=target)
    return found, facts.ordered, trend


def _exclusions(findings: list[Finding], roles: Roles, spec: ProjectSpec) -> dict[str, str]:
    keep = set(spec.data.columns.keep)
    out: dict[str, str] = {}
    for name in spec.data.columns.exclude:
        out[name] = "listed in data.columns.exclude"
    for name in roles.id:
        out.setdefault(name, "identifier")
    for name in roles.constant:
        out.setdefault(name, "a single value")
    for f in findings:
        if f.severity == "critical" and f.rule.startswith("leakage"):
            for name in f.columns:
                if name not in keep:
                    out.setdefault(name, f"leakage ({f.rule}): {f.message}")
    return out


def _check_target(df: pd.DataFrame, spec: ProjectSpec) -> None:
    target = spec.data.target
    if target not in df.columns:
        hint = did_you_mean(target, [str(c) for c in df.columns])
        raise DataError(f"the target column {target!r} (data.target) is not in the data"
                        f"{hint}; the columns are {list(map(str, df.columns))[:20]}")
    if len(df) < 10:
        raise DataError(f"the table has {len(df)} rows; profiling needs at least 10")
    positive = spec.task.positive_class
    if spec.task.type == "binary":
        values = sorted(map(str, df[target].dropna().unique()[:50]))
        if str(positive) not in values:
            raise DataError(f"task.positive_class {positive!r} is not a value of the target "
                            f"{target!r} (values: {values[:10]}); set it to one of them")


def profile(df: pd.DataFrame, spec: ProjectSpec, *, sample_rows: int = 20000,
            random_state: int = 0,
            factorized: dict[Any, Factorized] | None = None) -> ProfileReport:
    """Profile a table for the project: summaries, findings, exclusions, roles.

    Parameters
    ----------
    df : DataFrame
        The whole table, read with the spec's read options.
    spec : ProjectSpec
        Gives the target, task, positive class and any roles named by hand.
    sample_rows : int
        Rows of the seeded sample used by the expensive checks.
    random_state : int
        Seed of the sample and of the cross-validation folds.
    factorized : dict, optional
        Receives every string column's factorisation (label to narrowed codes and
        uniques), for :func:`mlsprint.data.fingerprint.fingerprints` to hash their
        distinct values only.
    """
    _check_target(df, spec)
    target = spec.data.target
    skip = {target, spec.data.weight_column}
    names = [str(c) for c in df.columns if c not in skip]
    # Roles (Python over a subset of rows) run beside the summaries (mostly Arrow and
    # NumPy over every row, on two threads): the row hashes need the ids only at the end.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlsprint-roles") as pool:
        inferring = pool.submit(_roles, df, spec)
        columns, row_hash = _summaries(df, names, factorized)
        roles = inferring.result()
    exact, no_ids = _duplicates(df, row_hash, roles.id)
    roles = replace(roles, constant=tuple(dict.fromkeys(
        [*spec.data.columns.constant, *(c.name for c in columns if c.n_unique <= 1)])))
    kinds = {c.name: c.kind for c in columns}
    tsum = summarize_target(df[target], spec.task.type, spec.task.positive_class)
    findings = quality_findings(columns, tsum, skip_shape=[*roles.id, *(
        [roles.time] if roles.time else [])])
    findings += _duplicate_findings(exact, no_ids, len(df), roles.id)
    findings += _id_findings(df, roles)
    sample = _sample(df, target, sample_rows, random_state)
    features = [c for c in names if c not in roles.id and c not in roles.constant
                and c not in spec.data.columns.exclude]
    leaks, scores = _leakage(sample, spec, features, kinds, random_state)
    findings += leaks
    temporal, ordered, trend = _temporal(df, spec, roles, kinds)
    findings += temporal
    excluded = _exclusions(findings, roles, spec)
    return ProfileReport(
        n_rows=len(df), n_columns=int(df.shape[1]), task=spec.task.type, target=tsum,
        columns=columns, findings=sort_findings(findings), feature_scores=scores,
        score_metric=_metric(spec.task.type),
        associations=_matrix(sample, target, scores, {**kinds, target: tsum.column.kind}),
        sample_size_used=len(sample), excluded_columns=tuple(excluded),
        exclusion_reasons=excluded, time_column=roles.time, time_ordered=ordered,
        group_column=roles.group, id_columns=roles.id, protected_columns=roles.protected,
        duplicate_rows=exact, target_over_time=trend, random_state=random_state,
    )


def _matrix(sample: pd.DataFrame, target: str, scores: dict[str, float],
            kinds: dict[str, Any]) -> AssociationMatrix:
    top = sorted(scores, key=lambda c: -scores[c])[: MATRIX_COLUMNS - 1]
    return association_matrix(sample, kinds, [target, *top])
