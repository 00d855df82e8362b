"""``mlsprint profile``: profile the data, flag quality, leakage and temporal issues.

It reads the data and writes reports only; the holdout is cut by ``mlsprint split``
(which ``baseline`` and ``train`` run when no holdout was cut yet), by the strategy this
profile chose (:func:`mlsprint.workflows.split.plan_split`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsprint.data.fingerprint import Factorized
from mlsprint.data.split import SplitPlan
from mlsprint.workflows.context import Project
from mlsprint.workflows.files import write_json_atomic, write_text_atomic
from mlsprint.workflows.split import PROFILE_STATE, plan_split

__all__ = ["ProfileOutcome", "run_profile"]


@dataclass(frozen=True, slots=True)
class ProfileOutcome:
    html: Path
    json: Path
    severity_counts: dict[str, int]
    excluded: tuple[str, ...]
    findings: tuple[Any, ...]
    plan: SplitPlan  # the split ``mlsprint split`` will cut
    run_id: str


def run_profile(folder: str | Path | Project = ".") -> ProfileOutcome:
    """Profile the whole table, write the reports and log them to the tracker."""
    from mlsprint.data.profiling import profile, render_profile_html

    project = Project.open(folder)
    # MLflow opens in its own process, beside the read and the profile (which leave part
    # of the second core idle), not under this process's GIL.
    project.open_tracker_early()
    table = project.data()
    # the profile factorises every column; the data's fingerprint reuses the string
    # columns' factorisation (hashing their distinct values only)
    factorized: dict[Any, Factorized] = {}
    report = profile(table.frame, project.spec, random_state=project.spec.seed,
                     factorized=factorized)
    data_fingerprint = table.fingerprint_reusing(factorized)
    factorized.clear()
    data = report.to_dict()
    plan = plan_split(project, data)
    data["split"] = plan.to_dict()
    html = write_text_atomic(project.paths.reports / "profile.html", render_profile_html(report))
    out_json = write_json_atomic(project.paths.reports / "profile.json", data)
    write_json_atomic(project.paths.state / PROFILE_STATE, data)
    counts = Counter(f.severity for f in report.findings)
    with project.phase("profile", fingerprint=data_fingerprint,
                       params={"rows": len(table.frame), "sample_rows": report.sample_size_used,
                               "excluded": list(report.excluded_columns),
                               "split": plan.strategy}) as run_id:
        project.tracker.log_metrics(run_id, {f"findings_{k}": counts.get(k, 0)
                                             for k in ("info", "warning", "critical")})
        project.tracker.log_artifact(run_id, html)
        project.tracker.log_artifact(run_id, out_json)
    return ProfileOutcome(html, out_json, dict(counts), tuple(report.excluded_columns),
                          tuple(report.findings), plan, run_id)
