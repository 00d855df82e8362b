"""Fairness: group labels for protected attributes, the audit, and mitigation."""

from mlsprint.fairness.audit import (
    AttributeAudit,
    Disparity,
    FairnessReport,
    GroupMetrics,
    audit_fairness,
    combine_verdicts,
)
from mlsprint.fairness.groups import (
    MISSING,
    group_labels,
    group_sort_key,
    intersections,
    protected_bins,
)
from mlsprint.fairness.mitigate import MitigationResult, mitigate, mitigate_scores
from mlsprint.fairness.thresholds import GroupThresholds, group_keys

__all__ = [
    "MISSING",
    "AttributeAudit",
    "Disparity",
    "FairnessReport",
    "GroupMetrics",
    "GroupThresholds",
    "MitigationResult",
    "audit_fairness",
    "combine_verdicts",
    "group_keys",
    "group_labels",
    "group_sort_key",
    "intersections",
    "mitigate",
    "mitigate_scores",
    "protected_bins",
]
