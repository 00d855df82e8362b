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
from mlsprint.fairness.mitigate import MitigationResult, mitigate

__all__ = [
    "MISSING",
    "AttributeAudit",
    "Disparity",
    "FairnessReport",
    "GroupMetrics",
    "MitigationResult",
    "audit_fairness",
    "combine_verdicts",
    "group_labels",
    "group_sort_key",
    "intersections",
    "mitigate",
    "protected_bins",
]
