"""Quality findings: rules over column summaries, each with a stated threshold.

A :class:`Finding` carries the rule, a severity (``info`` < ``warning`` < ``critical``),
the columns concerned, the evidence (numbers), the suggested action and the rule's
threshold as text. ``THRESHOLDS`` states every rule of the profile (quality, leakage,
temporal), so a report can list them all, fired or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from mlsprint.data.profiling.summary import ColumnSummary, TargetSummary

__all__ = [
    "Finding",
    "SEVERITIES",
    "THRESHOLDS",
    "imbalance_finding",
    "quality_findings",
    "sort_findings",
]

Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")

MISSING_WARN = 0.05
MISSING_DROP = 0.5
NEAR_CONSTANT = 0.99
HIGH_CARDINALITY = 50
IMBALANCE_BINARY = 0.2
OUTLIER_RATE = 0.01
SKEW = 2.0
LEAK_CRITICAL = 0.95  # one feature's out-of-fold ROC AUC or R2
LEAK_WARNING_AUC = 0.90
LEAK_WARNING_R2 = 0.80
NAME_CRITICAL_AUC = 0.75  # a post-outcome name plus this much signal alone is critical
NAME_CRITICAL_R2 = 0.50
TREND_RHO = 0.1
TREND_P = 1e-3
ROW_ORDER_Z = 5.0
ROW_ORDER_EFFECT = 0.05

THRESHOLDS: dict[str, str] = {
    "missing_values": f"info when any value is missing; warning at >= {MISSING_WARN:.0%} "
                      "of rows",
    "target_missing": "warning when any target value is missing",
    "constant": "warning when a column has a single value (or none)",
    "near_constant": f"info when one value covers >= {NEAR_CONSTANT:.0%} of present rows",
    "duplicate_rows": "warning when any row repeats another exactly (ids ignored: info)",
    "id_like": "warning for an identifier: integer or string, named like an id with >= 50 %"
               " distinct values, or all distinct (consecutive integers, >= 1,000 "
               "integers, or short strings)",
    "role_note": "info for each remark of the role inference (for example a month column "
                 "without a year, when rows may be in time order)",
    "group_split": "warning when an id-like column repeats (< 100 % distinct values)",
    "high_cardinality": f"warning when a categorical column has > {HIGH_CARDINALITY} "
                        "distinct values",
    "mixed_types": "warning when a text column mixes numbers and text (between 0.1 % and "
                   "99.9 % of values parse as numbers) or holds several Python types",
    "class_imbalance": f"warning when the rarest class is < {IMBALANCE_BINARY:.0%} of rows "
                       "(binary) or < half an even share (multiclass); info otherwise",
    "outliers": f"info when >= {OUTLIER_RATE:.0%} of values lie beyond Q1 - 3 IQR or "
                "Q3 + 3 IQR",
    "skew": f"info when |sample skewness| >= {SKEW:g}",
    "leakage_single_feature": f"critical when one feature alone reaches an out-of-fold ROC "
                              f"AUC (binary; macro one-vs-rest for multiclass) or R2 "
                              f"(regression) >= {LEAK_CRITICAL}; warning at AUC >= "
                              f"{LEAK_WARNING_AUC} or R2 >= {LEAK_WARNING_R2} (5-fold, "
                              "histogram model, seeded sample)",
    "leakage_reconstruction": "critical when the target equals a column, or the sum, "
                              "difference or product of two numeric columns, on >= 99.9 % "
                              "of rows (relative tolerance 1e-6)",
    "leakage_name": "warning when a name shares a word with the target's name or suggests "
                    "post-outcome information (outcome, result, event, end, after, post, "
                    "final, duration, ...); critical when that feature alone also reaches "
                    f"AUC >= {NAME_CRITICAL_AUC} or R2 >= {NAME_CRITICAL_R2}",
    "leakage_pure_subset": "critical when a value of a column, or its being missing, marks "
                           ">= 5 % of rows in which one class is >= 90 % and >= 0.4 above "
                           "its overall share",
    "temporal_split": "warning when a time column exists (from the spec or detected): the "
                      "split is temporal",
    "temporal_out_of_order": "info when rows are not sorted by the time column",
    "temporal_target_trend": f"warning when the target drifts with time: |Spearman rho| >= "
                             f"{TREND_RHO} (Cramer's V for multiclass) with p < {TREND_P:g}",
    "row_order": f"warning when neighbouring rows have alike targets: lag-1 statistic with "
                 f"z >= {ROW_ORDER_Z:g} and effect >= {ROW_ORDER_EFFECT}",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One fired rule: what, how bad, the numbers, what to do, and the rule's threshold."""

    rule: str
    severity: Severity
    columns: tuple[str, ...]
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    action: str = ""
    threshold: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "columns": list(self.columns),
                "message": self.message, "evidence": _plain(dict(self.evidence)),
                "action": self.action, "threshold": self.threshold}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.6g}") if np.isfinite(value) else None
    return value


def finding(rule: str, severity: Severity, columns: Sequence[str], message: str,
            action: str, **evidence: Any) -> Finding:
    """Build a finding whose threshold text comes from ``THRESHOLDS``."""
    return Finding(rule=rule, severity=severity, columns=tuple(columns), message=message,
                   evidence=evidence, action=action, threshold=THRESHOLDS.get(rule, ""))


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Critical first, then warning, then info; by rule and column within a severity."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(findings, key=lambda f: (order[f.severity], f.rule, f.columns)))


def _missing(col: ColumnSummary) -> Finding | None:
    rate = col.missing_rate
    if rate == 0 or col.n_missing == col.n_rows:
        return None
    severity: Severity = "warning" if rate >= MISSING_WARN else "info"
    action = ("imputed with a missing-value indicator"
              + ("; mostly missing: consider dropping it" if rate >= MISSING_DROP else ""))
    return finding("missing_values", severity, [col.name],
                   f"{col.name!r}: {rate:.1%} missing ({col.n_missing:,} rows)", action,
                   missing_rate=rate, n_missing=col.n_missing)


def _constant(col: ColumnSummary) -> Finding | None:
    if col.n_unique <= 1:
        return finding("constant", "warning", [col.name],
                       f"{col.name!r} has a single value"
                       + (" (all missing)" if col.n_missing == col.n_rows else ""),
                       "excluded from training (carries no information)",
                       n_unique=col.n_unique, missing_rate=col.missing_rate)
    if col.top_share >= NEAR_CONSTANT:
        value, count = col.top_values[0]
        return finding("near_constant", "info", [col.name],
                       f"{col.name!r} is {value!r} in {col.top_share:.2%} of rows",
                       "kept; rare values may be grouped by the pipeline",
                       top_value=value, top_share=col.top_share, top_count=count)
    return None


def _cardinality(col: ColumnSummary) -> list[Finding]:
    out: list[Finding] = []
    if col.kind == "categorical" and col.n_unique > HIGH_CARDINALITY:
        out.append(finding(
            "high_cardinality", "warning", [col.name],
            f"{col.name!r} has {col.n_unique:,} distinct values",
            "encoded with cross-fitted target encoding (or native categorical support), "
            "rare levels grouped", n_unique=col.n_unique, unique_ratio=col.unique_ratio))
    share = col.numeric_share
    if share is not None and 0.001 < share < 0.999:
        examples = [v for v, _ in col.top_values][:5]
        out.append(finding(
            "mixed_types", "warning", [col.name],
            f"{col.name!r} mixes numbers ({share:.1%} of values) and text",
            "treated as categorical; check whether the text values are codes or errors",
            numeric_share=share, examples=examples))
    types = [t for t in col.python_types if t not in ("NoneType", "NAType")]
    if len(types) > 1:
        out.append(finding("mixed_types", "warning", [col.name],
                           f"{col.name!r} holds several Python types: {', '.join(types)}",
                           "cast the column to one type when reading it",
                           python_types=types))
    return out


def _shape(col: ColumnSummary) -> list[Finding]:
    if col.kind != "numeric" or col.outlier_rate is None:
        return []
    out = []
    if col.outlier_rate >= OUTLIER_RATE:
        q = col.quantiles
        out.append(finding("outliers", "info", [col.name],
                           f"{col.name!r}: {col.outlier_rate:.1%} of values beyond 3 IQR",
                           "kept; tree models are robust, the linear baseline scales them",
                           outlier_rate=col.outlier_rate, q25=q.get("0.25"),
                           q75=q.get("0.75"), min=col.min, max=col.max))
    if col.skew is not None and abs(col.skew) >= SKEW:
        out.append(finding("skew", "info", [col.name],
                           f"{col.name!r} is skewed (skewness {col.skew:.2f})",
                           "consider a log or quantile transform for linear models",
                           skew=col.skew))
    return out


def imbalance_finding(target: TargetSummary) -> Finding | None:
    """Class balance of a classification target, with the handling training will use."""
    share = target.minority_share
    if share is None:
        return None
    counts = dict(target.class_counts)
    k = len(counts)
    limit = IMBALANCE_BINARY if k == 2 else 0.5 / max(k, 1)
    rarest = min(counts, key=lambda c: counts[c])
    action = ("training uses class weights (inverse class frequency) and tunes the decision "
              "threshold on out-of-fold predictions; average precision is reported "
              "beside ROC AUC" if k == 2 else
              "training uses class weights (inverse class frequency); macro-averaged "
              "metrics are reported beside accuracy")
    severity: Severity = "warning" if share < limit else "info"
    return finding("class_imbalance", severity, [target.name],
                   f"rarest class {rarest!r} is {share:.1%} of labelled rows", action,
                   minority_share=share, class_counts=counts, limit=limit)


def quality_findings(columns: Sequence[ColumnSummary], target: TargetSummary, *,
                     skip_shape: Sequence[str] = ()) -> list[Finding]:
    """Every quality rule over the feature summaries and the target summary.

    ``skip_shape`` names columns (ids, times) that get no outlier or skew finding.
    """
    out: list[Finding] = []
    skip = set(skip_shape)
    for col in columns:
        for rule in (_missing, _constant):
            hit = rule(col)
            if hit:
                out.append(hit)
        if col.name not in skip:
            out.extend(_cardinality(col))
            out.extend(_shape(col))
    if target.n_missing:
        out.append(finding("target_missing", "warning", [target.name],
                           f"{target.n_missing:,} rows have no target value",
                           "rows without a label are dropped before training",
                           n_missing=target.n_missing))
    hit = imbalance_finding(target)
    if hit:
        out.append(hit)
    return out
