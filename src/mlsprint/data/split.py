"""Splits: choose a strategy with its reason, cut the holdout once, split the rest in folds.

Four strategies, chosen by :func:`choose_split` unless the spec names one:

* ``temporal`` -- a time column, or rows in time order: train on the past, the holdout is
  the latest ``holdout_fraction`` of the period, with ``gap`` rows left out between them
  (rows whose time is missing are left out of both sides). Cross-validation is
  ``TimeSeriesSplit`` on the train rows, which :func:`split_holdout` returns in time order.
* ``group`` -- a group column (repeated ids such as a patient): no group on both sides of
  any cut; classification keeps the class balance with ``StratifiedGroupKFold``. A row
  whose group is missing is a group of its own.
* ``stratified`` -- classification: class rates equal on both sides.
* ``random`` -- regression without time or groups.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlsprint.errors import DataError, SpecError
from mlsprint.spec.model import ProjectSpec

__all__ = ["STRATIFIED_GROUP_LIMIT", "SplitPlan", "choose_split", "cv_splitter", "split_holdout"]

# StratifiedGroupKFold's greedy assignment costs seconds per thousand groups; above this
# many groups a shuffled group assignment keeps class rates close by itself.
STRATIFIED_GROUP_LIMIT = 1000

Strategy = Literal["random", "stratified", "temporal", "group"]


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """How the rows are split, and why.

    ``column`` is the time column (temporal; ``None`` means row order) or the group column
    (group). ``stratify`` is true for classification targets.
    """

    strategy: Strategy
    column: str | None
    reason: str
    holdout_fraction: float = 0.2
    gap: int = 0
    n_folds: int = 5
    stratify: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _forced(spec: ProjectSpec, time_column: str | None, group_column: str | None
            ) -> tuple[Strategy, str | None, str]:
    strategy = spec.split.strategy
    if strategy == "temporal":
        return "temporal", time_column, "the spec sets split.strategy: temporal"
    if strategy == "group":
        if group_column is None:
            raise SpecError(
                "split.strategy is 'group' but no group column is known; set "
                "data.columns.group in mlsprint.yaml"
            )
        return "group", group_column, "the spec sets split.strategy: group"
    if strategy == "stratified" and spec.task.type == "regression":
        raise SpecError(
            "split.strategy 'stratified' needs a classification task; this task is "
            "regression. Use 'random', 'temporal' or 'group'"
        )
    return strategy, None, f"the spec sets split.strategy: {strategy}"


def choose_split(spec: ProjectSpec, y: Any, *, time_column: str | None = None,
                 group_column: str | None = None, time_ordered: bool = False) -> SplitPlan:
    """Choose the split strategy from the spec and what profiling found.

    Parameters
    ----------
    spec : ProjectSpec
        ``spec.split.strategy`` other than ``"auto"`` wins; ``data.columns.time`` /
        ``.group`` fill in ``time_column`` / ``group_column`` when not given.
    y : array-like
        The target (its class counts enter the reason of a stratified split).
    time_column, group_column : str, optional
        A time column / a column of repeated ids found by profiling.
    time_ordered : bool
        Rows are in time order (a temporal split by row order).

    Returns
    -------
    SplitPlan

    Examples
    --------
    >>> from mlsprint.spec import parse_spec
    >>> spec = parse_spec({"name": "p", "task": {"type": "regression"},
    ...                    "data": {"source": "d.csv", "target": "y"}})
    >>> choose_split(spec, [1.0, 2.0], time_ordered=True).strategy
    'temporal'
    """
    cols = spec.data.columns
    time_column = time_column or (cols.time[0] if cols.time else None)
    group_column = group_column or cols.group
    classification = spec.task.type != "regression"
    if spec.split.strategy != "auto":
        strategy, column, reason = _forced(spec, time_column, group_column)
    elif time_column is not None:
        strategy, column = "temporal", time_column
        reason = (f"time column '{time_column}': train on the past, the holdout is the "
                  "latest period")
    elif time_ordered:
        strategy, column = "temporal", None
        reason = "rows are in time order: the holdout is the latest rows"
    elif group_column is not None:
        strategy, column = "group", group_column
        reason = (f"group column '{group_column}' repeats ids: no group may sit on both "
                  "sides of a split")
    elif classification:
        counts = pd.Series(np.asarray(y)).value_counts(normalize=True)
        strategy, column = "stratified", None
        reason = (f"classification target (minority class {counts.min():.1%}): "
                  "stratified to keep class rates equal")
    else:
        strategy, column = "random", None
        reason = "regression target without time or groups: shuffled random split"
    s = spec.split
    return SplitPlan(strategy=strategy, column=column, reason=reason,
                     holdout_fraction=s.holdout_fraction, gap=s.gap, n_folds=s.n_folds,
                     stratify=classification)


def _temporal(df: pd.DataFrame, plan: SplitPlan) -> tuple[np.ndarray, np.ndarray]:
    n = len(df)
    if plan.column is None:
        order, times = np.arange(n), np.arange(n, dtype=float)
    else:
        if plan.column not in df.columns:
            raise DataError(f"time column '{plan.column}' is not in the data; columns: "
                            f"{list(df.columns)[:20]}")
        raw = df[plan.column]
        if pd.api.types.is_numeric_dtype(raw.dtype):
            times = raw.to_numpy(dtype=float)
        else:
            stamps = pd.to_datetime(raw, errors="coerce", format="mixed")
            times = stamps.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
            times[stamps.isna().to_numpy()] = np.nan
        known = np.flatnonzero(~np.isnan(times))
        order = known[np.argsort(times[known], kind="stable")]
    n_hold = math.ceil(plan.holdout_fraction * len(order))
    if n_hold == 0 or len(order) - n_hold - plan.gap < plan.n_folds + 1:
        raise DataError(
            f"too few rows for a temporal split: {len(order)} rows with a time, holdout "
            f"{n_hold}, gap {plan.gap}, {plan.n_folds} folds; lower split.gap or "
            "split.holdout_fraction"
        )
    cutoff = times[order[len(order) - n_hold]]
    is_hold = times[order] >= cutoff  # ties with the first holdout time go to the holdout
    holdout = order[is_hold]
    before = order[~is_hold]
    train = before[: max(len(before) - plan.gap, 0)]
    return train, np.sort(holdout)


def _groups(df: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None or column not in df.columns:
        raise DataError(f"group column {column!r} is not in the data; set "
                        "data.columns.group to one of its columns")
    codes, _ = pd.factorize(df[column])
    missing = codes < 0
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(missing.sum())
    return codes


def _group_holdout(df: pd.DataFrame, plan: SplitPlan, y: np.ndarray | None,
                   random_state: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold

    groups = _groups(df, plan.column)
    n_groups = int(groups.max(initial=-1)) + 1
    if plan.stratify and y is not None and n_groups <= STRATIFIED_GROUP_LIMIT:
        splitter: Any = StratifiedGroupKFold(max(2, round(1 / plan.holdout_fraction)),
                                             shuffle=True, random_state=random_state)
    else:
        splitter = GroupShuffleSplit(1, test_size=plan.holdout_fraction,
                                     random_state=random_state)
    train, holdout = next(splitter.split(np.zeros(len(df)), y, groups))
    return np.sort(train), np.sort(holdout)


def split_holdout(df: pd.DataFrame, plan: SplitPlan, *, target: str | None,
                  random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut the holdout once: positions (for ``df.iloc``) of train and holdout rows.

    Train positions come in time order for a temporal plan (so that ``TimeSeriesSplit``
    on them is valid) and sorted otherwise; holdout positions are sorted.

    Raises
    ------
    DataError
        When a needed column is absent, or there are too few rows / class members.
    """
    from sklearn.model_selection import train_test_split  # 1-2 s to import: only when cut

    y = None
    if target is not None and plan.stratify:
        if target not in df.columns:
            raise DataError(f"target '{target}' is not in the data")
        # Class codes in sorted order of the labels: the same classes, in the same order,
        # as np.unique on the labels, so the same rows are drawn; sorting a million codes
        # takes milliseconds, a million strings seconds.
        y, _ = pd.factorize(df[target].astype(str), sort=True, use_na_sentinel=False)
    if plan.strategy == "stratified" and y is None:
        raise DataError("a stratified split needs the target: pass target= (a column of "
                        "df) and a plan with stratify=True")
    if plan.strategy == "temporal":
        return _temporal(df, plan)
    if plan.strategy == "group":
        return _group_holdout(df, plan, y, random_state)
    positions = np.arange(len(df))
    stratify = y if plan.strategy == "stratified" else None
    try:
        train, holdout = train_test_split(positions, test_size=plan.holdout_fraction,
                                          random_state=random_state, stratify=stratify)
    except ValueError as exc:
        raise DataError(f"cannot cut a {plan.strategy} holdout: {exc}") from exc
    return np.sort(train), np.sort(holdout)


def cv_splitter(plan: SplitPlan, *, n_rows: int, random_state: int,
                n_groups: int | None = None) -> tuple[Any, bool]:
    """The cross-validation splitter for the train rows, and whether it needs groups.

    ``TimeSeriesSplit`` (temporal, rows must be in time order, ``gap`` kept),
    ``StratifiedGroupKFold`` (group, classification, at most ``STRATIFIED_GROUP_LIMIT``
    groups -- pass ``n_groups``) or ``GroupKFold`` (other group plans),
    ``StratifiedKFold`` (stratified) or ``KFold`` (random); shuffled splitters use
    ``random_state``.
    """
    from sklearn.model_selection import (
        GroupKFold,
        KFold,
        StratifiedGroupKFold,
        StratifiedKFold,
        TimeSeriesSplit,
    )

    if n_rows < 2 * plan.n_folds:
        raise DataError(
            f"{n_rows} training rows are too few for {plan.n_folds}-fold "
            "cross-validation; lower split.n_folds or add data"
        )
    k = plan.n_folds
    if plan.strategy == "temporal":
        return TimeSeriesSplit(n_splits=k, gap=plan.gap), False
    if plan.strategy == "group":
        if plan.stratify and n_groups is not None and n_groups <= STRATIFIED_GROUP_LIMIT:
            return StratifiedGroupKFold(k, shuffle=True, random_state=random_state), True
        return GroupKFold(k, shuffle=True, random_state=random_state), True
    if plan.strategy == "stratified":
        return StratifiedKFold(k, shuffle=True, random_state=random_state), False
    return KFold(k, shuffle=True, random_state=random_state), False
