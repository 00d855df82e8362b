"""``mlsprint profile``: profile the data, flag quality and leakage, cut the holdout once."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlsprint.data.fingerprint import Factorized, fingerprints, matches
from mlsprint.data.split import SplitPlan, choose_split, split_holdout
from mlsprint.errors import DataError
from mlsprint.sources.tables import LoadedTable
from mlsprint.stores.split_files import arrow_table, read_side, write_rows
from mlsprint.workflows.context import Project
from mlsprint.workflows.files import write_json_atomic, write_text_atomic

__all__ = ["ProfileOutcome", "SplitOutcome", "load_train", "read_split", "run_profile"]

PROFILE_STATE = "profile.json"  # the latest profile, inside .mlsprint/: training reads it


@dataclass(frozen=True, slots=True)
class SplitOutcome:
    plan: SplitPlan
    train_rows: int
    holdout_rows: int
    fingerprints: dict[str, str]
    reused: bool

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(), "train_rows": self.train_rows,
                "holdout_rows": self.holdout_rows, "fingerprints": self.fingerprints,
                "reused": self.reused}


@dataclass(frozen=True, slots=True)
class ProfileOutcome:
    html: Path
    json: Path
    severity_counts: dict[str, int]
    excluded: tuple[str, ...]
    findings: tuple[Any, ...]
    split: SplitOutcome
    run_id: str


def run_profile(folder: str | Path | Project = ".", *, resplit: bool = False) -> ProfileOutcome:
    """Profile the whole table, write the reports, then cut (or reuse) the holdout."""
    from mlsprint.data.profiling import profile, render_profile_html

    project = Project.open(folder)
    # MLflow opens in its own process, beside the imports, the read and the profile (which
    # leave part of the second core idle), not under this process's GIL. scikit-learn's
    # import (for cutting the holdout) runs while Arrow reads the file, which holds the
    # GIL little.
    project.open_tracker_early()
    project.import_early("sklearn.model_selection")
    table = project.data()
    # the profile factorises every column; the holdout's fingerprints reuse the string
    # columns' factorisation (hashing their distinct values only)
    factorized: dict[Any, Factorized] = {}
    report = profile(table.frame, project.spec, random_state=project.spec.seed,
                     factorized=factorized)
    data = report.to_dict()
    html = write_text_atomic(project.paths.reports / "profile.html", render_profile_html(report))
    out_json = write_json_atomic(project.paths.reports / "profile.json", data)
    write_json_atomic(project.paths.state / PROFILE_STATE, data)
    split = _cut_holdout(project, table, report, resplit=resplit, factorized=factorized)
    factorized.clear()
    counts = Counter(f.severity for f in report.findings)
    with project.phase("profile", fingerprint=split.fingerprints["data"],
                       params={"rows": len(table.frame), "sample_rows": report.sample_size_used,
                               "excluded": list(report.excluded_columns)}) as run_id:
        project.tracker.log_metrics(run_id, {f"findings_{k}": counts.get(k, 0)
                                             for k in ("info", "warning", "critical")})
        project.tracker.log_artifact(run_id, html)
        project.tracker.log_artifact(run_id, out_json)
    if not split.reused:
        _log_split(project, split)
    return ProfileOutcome(html, out_json, dict(counts), tuple(report.excluded_columns),
                          tuple(report.findings), split, run_id)


def read_split(project: Project) -> dict[str, Any]:
    """The recorded split (``split.json``), or a clear error when none was cut yet."""
    path = project.paths.split_dir / "split.json"
    if not path.exists():
        raise DataError(f"{project.paths.root}: no holdout has been cut yet; run "
                        "'mlsprint profile' first")
    return json.loads(path.read_text(encoding="utf-8"))


def load_train(project: Project) -> pd.DataFrame:
    """The training rows. Training and tuning read only this file, never the holdout."""
    recorded = read_split(project)
    frame = read_side(project.paths.train_file)
    if not matches(frame, recorded["fingerprints"]["train"]):
        raise DataError(f"{project.paths.train_file}: the training rows changed since the "
                        "split was cut; run 'mlsprint profile --resplit'")
    return frame


def _cut_holdout(project: Project, table: LoadedTable, report: Any, *, resplit: bool,
                 factorized: Mapping[Any, Factorized] | None = None) -> SplitOutcome:
    split_json = project.paths.split_dir / "split.json"
    if split_json.exists() and not resplit:
        recorded = json.loads(split_json.read_text(encoding="utf-8"))
        if matches(table.frame, recorded["fingerprints"]["data"], current=table.fingerprint):
            return SplitOutcome(SplitPlan(**recorded["plan"]), recorded["train_rows"],
                                recorded["holdout_rows"], recorded["fingerprints"], True)
        raise DataError(
            f"the data changed since the holdout was cut (was {recorded['fingerprints']['data']}"
            f", now {table.fingerprint}); run 'mlsprint profile --resplit' to cut a new holdout")
    spec, frame = project.spec, table.frame
    plan = choose_split(spec, frame[spec.data.target], time_column=report.time_column,
                        group_column=report.group_column, time_ordered=report.time_ordered)
    train_idx, holdout_idx = split_holdout(frame, plan, target=spec.data.target,
                                           random_state=spec.seed)
    sides = {"train": (train_idx, project.paths.train_file),
             "holdout": (holdout_idx, project.paths.holdout_file)}
    # Both sides are written while the table and both sides are fingerprinted in one
    # pass; Arrow's writing and hashing release the GIL, so they share the cores.
    temps = [_temp_path(target) for _, target in sides.values()]
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="mlsprint-split") as pool:
            arrow = arrow_table(frame)
            writing = [pool.submit(write_rows, arrow, rows, temp)
                       for (rows, _), temp in zip(sides.values(), temps, strict=True)]
            fps = fingerprints(frame, {side: rows for side, (rows, _) in sides.items()},
                               factorized=factorized)
            for future in writing:
                future.result()
    except BaseException:
        for temp in temps:  # nothing half-written is left behind
            temp.unlink(missing_ok=True)
        raise
    for temp, (_, target) in zip(temps, sides.values(), strict=True):
        temp.replace(target)
    outcome = SplitOutcome(plan, len(train_idx), len(holdout_idx), fps, False)
    write_json_atomic(split_json, outcome.to_dict())
    return outcome


def _temp_path(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.with_name(target.name + ".tmp")


def _log_split(project: Project, outcome: SplitOutcome) -> None:
    plan, fps = outcome.plan, outcome.fingerprints
    with project.phase("split", fingerprint=fps["data"],
                       params={"strategy": plan.strategy, "column": plan.column,
                               "reason": plan.reason, "holdout_fraction": plan.holdout_fraction},
                       tags={"mlsprint.train_fingerprint": fps["train"],
                             "mlsprint.holdout_fingerprint": fps["holdout"]}) as run_id:
        project.tracker.log_metrics(run_id, {"train_rows": outcome.train_rows,
                                             "holdout_rows": outcome.holdout_rows})
        project.tracker.log_dict(run_id, outcome.to_dict(), "split.json")
