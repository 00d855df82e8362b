"""Profiling: per-column summaries, quality, leakage and temporal findings, HTML report.

``profile(df, spec)`` is pure and returns a :class:`ProfileReport`;
``render_profile_html(report)`` turns it into one self-contained HTML page.
"""

from mlsprint.data.profiling.associations import AssociationMatrix
from mlsprint.data.profiling.findings import THRESHOLDS, Finding
from mlsprint.data.profiling.render import render_profile_html
from mlsprint.data.profiling.report import ProfileReport, profile
from mlsprint.data.profiling.summary import ColumnSummary, TargetSummary

__all__ = [
    "AssociationMatrix",
    "ColumnSummary",
    "Finding",
    "ProfileReport",
    "THRESHOLDS",
    "TargetSummary",
    "profile",
    "render_profile_html",
]
