"""Target leakage: columns that know the answer.

Four signals, each a pure function over a (sampled) frame and the target:

* ``single_feature_scores`` — a one-feature model's out-of-fold score. The model is a
  smoothed per-bin target mean (a 1-D histogram model: up to 64 quantile bins for
  numbers and dates, one per 100 rows; one bin per category; one bin for missing),
  fitted on k-1 folds and scored on the held-out fold: ROC AUC (binary; folded as
  ``max(auc, 1 - auc)``), macro one-vs-rest ROC AUC (multiclass) or R2 (regression) of
  the pooled out-of-fold predictions.
* ``reconstructions`` — the target equals a column, or the sum, difference or product of
  two numeric columns, on nearly every row (``casual + registered == cnt``).
* ``name_hints`` — a name that shares a word with the target's name or suggests
  information recorded after the outcome (``duration``, ``event``, ``end``...).
* ``pure_subsets`` — a value of a column, or its being missing, marks a sizeable share of
  rows in which one class is nearly certain (``r_offense_date`` is missing exactly when
  there was no re-offence).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.detectors import tokens
from mlsprint.data.profiling.findings import (
    LEAK_CRITICAL,
    LEAK_WARNING_AUC,
    LEAK_WARNING_R2,
    NAME_CRITICAL_AUC,
    NAME_CRITICAL_R2,
    Finding,
    Severity,
    finding,
)
from mlsprint.data.profiling.summary import Kind, numeric_values

__all__ = [
    "POST_OUTCOME_WORDS",
    "Reconstruction",
    "bin_codes",
    "leakage_findings",
    "name_hints",
    "oof_target_means",
    "pure_subsets",
    "reconstructions",
    "roc_auc",
    "single_feature_scores",
    "target_matrix",
]

N_BINS = 64
ROWS_PER_BIN = 100  # fewer rows than 64 x 100: fewer bins, so the smoothing stays small
SMOOTHING = 10.0  # pseudo-rows of the fold's prior mixed into every bin mean
POST_OUTCOME_WORDS = frozenset({
    "outcome", "outcomes", "result", "results", "event", "end", "after", "post", "future",
    "final", "duration", "resolution", "resolved", "closed", "settled", "recid",
})
GENERIC_WORDS = frozenset({
    "class", "label", "target", "year", "month", "week", "days", "time", "date", "next",
    "count", "total", "value", "amount", "rate", "flag", "status", "type", "score",
})
RECONSTRUCTION_SHARE = 0.999
PURE_MIN_SHARE = 0.05
PURE_PURITY = 0.9
PURE_LIFT = 0.4
PURE_MAX_LEVELS = 20


def bin_codes(values: pd.Series, kind: Kind, *, n_bins: int = N_BINS) -> np.ndarray:
    """Integer codes of a column: quantile bins for numbers, levels otherwise.

    Missing values get their own code (the largest). Numbers with at most ``n_bins``
    distinct values keep one code per value.
    """
    if kind in ("numeric", "datetime", "boolean"):
        x = numeric_values(values, kind)
        missing = ~np.isfinite(x)
        present = x[~missing]
        if present.size == 0:
            return np.zeros(len(x), dtype=np.int64)
        distinct = np.unique(present)
        if distinct.size <= n_bins:
            codes = np.searchsorted(distinct, np.where(missing, distinct[0], x))
        else:
            edges = np.unique(np.quantile(present, np.linspace(0, 1, n_bins + 1)[1:-1]))
            codes = np.searchsorted(edges, np.where(missing, edges[0], x), side="right")
        return np.where(missing, codes.max() + 1, codes).astype(np.int64)
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64)


def target_matrix(y: pd.Series, task: str, positive_class: Any = None
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """The target as a float matrix (one column, or one-hot classes) and class labels."""
    if task == "regression":
        return y.to_numpy(dtype="float64")[:, None], None
    if task == "binary":
        return (y.astype(str) == str(positive_class)).to_numpy(dtype="float64")[:, None], None
    labels, _ = pd.factorize(y)
    return np.eye(int(labels.max()) + 1)[labels], labels


def oof_target_means(codes: np.ndarray, Y: np.ndarray, folds: np.ndarray, *,
                     smoothing: float = SMOOTHING) -> np.ndarray:
    """Out-of-fold smoothed per-code means of ``Y`` (rows x outputs).

    Each row's prediction uses only the other folds: per-code sums of every fold are
    counted once, and a fold's training sums are the totals minus its own.
    """
    size, n_folds, k = int(codes.max()) + 1, int(folds.max()) + 1, Y.shape[1]
    key = folds * size + codes
    count = np.bincount(key, minlength=n_folds * size).reshape(n_folds, size)
    flat = (key[:, None] * k + np.arange(k)).ravel()
    sums = np.bincount(flat, weights=Y.ravel(), minlength=n_folds * size * k)
    sums = sums.reshape(n_folds, size, k)
    train_count = count.sum(axis=0) - count
    train_sums = sums.sum(axis=0) - sums
    fold_rows = count.sum(axis=1)
    prior = train_sums.sum(axis=1) / (len(codes) - fold_rows)[:, None]
    means = (train_sums + smoothing * prior[:, None, :]) / (train_count[..., None] + smoothing)
    return means[folds, codes]


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """ROC AUC of 0/1 labels by the rank-sum (Mann-Whitney U) identity, ties averaged.

    Examples
    --------
    >>> import numpy as np
    >>> roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    positive = y_true.astype(bool)
    n_pos = int(positive.sum())
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(y_score).rank(method="average").to_numpy()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _score(Y: np.ndarray, pred: np.ndarray, task: str) -> float:
    if task == "regression":
        resid = float(((Y[:, 0] - pred[:, 0]) ** 2).sum())
        total = float(((Y[:, 0] - Y[:, 0].mean()) ** 2).sum())
        return 1.0 - resid / total if total else 0.0
    aucs = [roc_auc(Y[:, j], pred[:, j]) for j in range(Y.shape[1])]
    aucs = [max(a, 1.0 - a) for a in aucs if np.isfinite(a)]
    return float(np.mean(aucs)) if aucs else 0.5


def single_feature_scores(X: pd.DataFrame, y: pd.Series, *, task: str,
                          kinds: Mapping[str, Kind], positive_class: Any = None,
                          n_folds: int = 5, random_state: int = 0) -> dict[str, float]:
    """Out-of-fold score of a one-feature histogram model for every column of ``X``.

    Rows with a missing target are dropped. Returns ROC AUC (binary, folded to >= 0.5),
    macro one-vs-rest ROC AUC (multiclass) or R2 (regression) per column.
    """
    keep = y.notna().to_numpy()
    X, y = X.loc[keep], y.loc[keep]
    Y, _ = target_matrix(y, task, positive_class)
    folds = np.random.default_rng(random_state).permutation(len(y)) % n_folds
    n_bins = int(np.clip(len(y) // ROWS_PER_BIN, 8, N_BINS))
    scores: dict[str, float] = {}
    for name in X.columns:
        codes = bin_codes(X[name], kinds[name], n_bins=n_bins)
        scores[str(name)] = _score(Y, oof_target_means(codes, Y, folds), task)
    return scores


@dataclass(frozen=True, slots=True)
class Reconstruction:
    """The target rebuilt from columns: ``formula`` holds on ``share`` of the rows."""

    columns: tuple[str, ...]
    formula: str
    share: float


def _close(a: np.ndarray, y: np.ndarray, scale: float) -> np.ndarray:
    return np.abs(a - y[:, None]) <= 1e-6 * (np.abs(y[:, None]) + scale)


def reconstructions(X: pd.DataFrame, y: pd.Series, *,
                    min_share: float = RECONSTRUCTION_SHARE) -> list[Reconstruction]:
    """Numeric columns (alone, or two by +, -, *) that equal a numeric target.

    Compared on rows where the target and both columns are present; a formula counts
    when it holds on at least ``min_share`` of them.
    """
    names = [str(c) for c in X.columns]
    if not names or len(y) == 0:
        return []
    M = X.to_numpy(dtype="float64", na_value=np.nan)
    t = y.to_numpy(dtype="float64")
    scale = float(np.nanstd(t)) or 1.0
    found: list[Reconstruction] = []

    def check(values: np.ndarray, label: str, pairs: list[tuple[str, ...]]) -> None:
        valid = np.isfinite(values) & np.isfinite(t)[:, None]
        hits = (_close(values, t, scale) & valid).sum(axis=0)
        denom = np.maximum(valid.sum(axis=0), 1)
        for j in np.flatnonzero((hits / denom >= min_share) & (valid.sum(axis=0) >= 20)):
            cols = pairs[j]
            formula = f" {label} ".join(cols) + f" == {y.name}"
            found.append(Reconstruction(cols, formula, float(hits[j] / denom[j])))

    with np.errstate(invalid="ignore", over="ignore"):
        check(M, "", [(n,) for n in names])
        for i in range(len(names) - 1):
            rest = [(names[i], n) for n in names[i + 1:]]
            check(M[:, [i]] + M[:, i + 1:], "+", rest)
            check(M[:, [i]] * M[:, i + 1:], "*", rest)
            check(M[:, [i]] - M[:, i + 1:], "-", rest)
            check(M[:, i + 1:] - M[:, [i]], "-", [(b, a) for a, b in rest])
    return found


def name_hints(columns: list[str], target: str) -> dict[str, str]:
    """Columns whose name suggests post-outcome information, with the reason."""
    target_words = {w for w in tokens(target) if len(w) >= 4 and w not in GENERIC_WORDS}
    out: dict[str, str] = {}
    for name in columns:
        words = set(tokens(name))
        shared = sorted(words & target_words)
        post = sorted(words & POST_OUTCOME_WORDS)
        if shared:
            out[name] = f"shares the word {shared[0]!r} with the target {target!r}"
        elif post:
            out[name] = f"the word {post[0]!r} suggests information recorded after the outcome"
    return out


def _pure_groups(codes: np.ndarray, Y: np.ndarray, base: np.ndarray, *, both_sides: bool
                 ) -> list[dict[str, Any]]:
    size = int(codes.max()) + 1
    count = np.bincount(codes, minlength=size).astype("float64")
    share = count / len(codes)
    out = []
    for j in range(Y.shape[1]):
        rate = np.bincount(codes, weights=Y[:, j], minlength=size) / np.maximum(count, 1)
        sides = ((1, rate, base[j]), (-1, 1 - rate, 1 - base[j]))
        for sign, r, b in sides if both_sides else sides[:1]:
            hit = (share >= PURE_MIN_SHARE) & (r >= PURE_PURITY) & (r - b >= PURE_LIFT)
            for g in np.flatnonzero(hit):
                out.append(dict(group=int(g), output=j, positive=sign > 0,
                                share=float(share[g]), rate=float(r[g]), base=float(b)))
    return out


def _groupings(col: pd.Series) -> list[tuple[np.ndarray, list[str]]]:
    """Level codes (at most 20 levels, missing as a level) and missing-versus-present."""
    out = []
    missing = col.isna().to_numpy()
    if len(pd.unique(col.dropna())) <= PURE_MAX_LEVELS:
        codes, levels = pd.factorize(col, use_na_sentinel=False)
        labels = ["missing" if pd.isna(v) else str(v) for v in levels]
        out.append((np.asarray(codes, dtype=np.int64), labels))
    if missing.any():
        out.append((missing.astype(np.int64), ["present", "missing"]))
    return out


def pure_subsets(X: pd.DataFrame, y: pd.Series, *, task: str, positive_class: Any = None
                 ) -> dict[str, dict[str, Any]]:
    """Columns where a level (or missingness) marks rows whose class is nearly certain.

    A group counts when it holds at least 5 % of the rows, one class makes at least 90 %
    of it and that share is at least 0.4 above the class's overall share. Columns with
    more than 20 levels are judged by missing versus present only;
    columns with missing values also by missing versus present. Classification only.
    """
    if task == "regression":
        return {}
    keep = y.notna().to_numpy()
    X, y = X.loc[keep], y.loc[keep]
    Y, _ = target_matrix(y, task, positive_class)
    classes = ([str(positive_class)] if task == "binary" else
               [str(c) for c in pd.factorize(y)[1]])
    base = Y.mean(axis=0)
    out: dict[str, dict[str, Any]] = {}
    for name in X.columns:
        hits: list[dict[str, Any]] = []
        for codes, labels in _groupings(X[name]):
            found = _pure_groups(codes, Y, base, both_sides=task == "binary")
            hits += [dict(h, value=labels[h["group"]]) for h in found]
        if hits:
            best = max(hits, key=lambda h: h["share"])
            cls = classes[best["output"]] if best["positive"] else f"not {classes[best['output']]}"
            out[str(name)] = dict(value=best["value"], target_class=cls,
                                  share_of_rows=best["share"], class_rate=best["rate"],
                                  base_rate=best["base"])
    return out


def _single(name: str, score: float, metric: str, hint: str | None,
            pure: dict[str, Any] | None) -> Finding | None:
    regression = metric == "r2"
    warn = LEAK_WARNING_R2 if regression else LEAK_WARNING_AUC
    if score >= LEAK_CRITICAL or (score >= warn and not (hint or pure)):
        severity: Severity = "critical" if score >= LEAK_CRITICAL else "warning"
        return finding("leakage_single_feature", severity, [name],
                       f"{name!r} alone predicts the target: out-of-fold {metric} "
                       f"{score:.3f}", _action(severity), score=score, metric=metric)
    return None


def _action(severity: Severity) -> str:
    if severity == "critical":
        return ("excluded from training unless listed in data.columns.keep; check whether "
                "it is known at prediction time")
    return "kept; check that it is known at prediction time"


def _named(name: str, score: float | None, metric: str, hint: str) -> Finding:
    limit = NAME_CRITICAL_R2 if metric == "r2" else NAME_CRITICAL_AUC
    strong = score is not None and score >= limit
    severity: Severity = "critical" if strong else "warning"
    text = f"; alone it reaches out-of-fold {metric} {score:.3f}" if score is not None else ""
    return finding("leakage_name", severity, [name], f"{name!r}: {hint}{text}",
                   _action(severity), reason=hint, score=score, metric=metric)


def leakage_findings(scores: Mapping[str, float], metric: str, *,
                     recons: list[Reconstruction], hints: Mapping[str, str],
                     pures: Mapping[str, dict[str, Any]]) -> list[Finding]:
    """Turn the four leakage signals into findings (one per column and signal)."""
    out: list[Finding] = []
    for name, score in scores.items():
        hit = _single(name, score, metric, hints.get(name), pures.get(name))
        if hit:
            out.append(hit)
    for name, hint in hints.items():
        out.append(_named(name, scores.get(name), metric, hint))
    for name, ev in pures.items():
        out.append(finding(
            "leakage_pure_subset", "critical", [name],
            f"{name!r} = {ev['value']!r} marks {ev['share_of_rows']:.1%} of rows, of which "
            f"{ev['class_rate']:.1%} are {ev['target_class']!r} (overall "
            f"{ev['base_rate']:.1%})", _action("critical"), **ev))
    for rec in recons:
        out.append(finding(
            "leakage_reconstruction", "critical", rec.columns,
            f"the target is rebuilt from other columns: {rec.formula} on {rec.share:.2%} "
            "of rows", _action("critical"), formula=rec.formula, share=rec.share))
    return out
