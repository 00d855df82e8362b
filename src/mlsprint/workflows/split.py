"""``mlsprint split``: cut the holdout once, by the strategy profiling chose.

The strategy (stratified, temporal or group) comes from the spec and from what the
profile found (a time column, rows in time order, repeated ids); the holdout is cut once,
fingerprinted with both sides, stored apart and reused while the data is unchanged.
Training and tuning read only the training side (:func:`load_train`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlsprint.data.fingerprint import fingerprints, matches
from mlsprint.data.split import SplitPlan, choose_split, split_holdout
from mlsprint.errors import DataError
from mlsprint.stores.split_files import arrow_table, read_side, write_rows
from mlsprint.workflows.context import Project
from mlsprint.workflows.files import write_json_atomic

__all__ = ["SplitOutcome", "ensure_split", "load_train", "plan_split", "read_split",
           "run_split"]

PROFILE_STATE = "profile.json"  # the latest profile, inside .mlsprint/: the split reads it


@dataclass(frozen=True, slots=True)
class SplitOutcome:
    """The holdout cut by ``mlsprint split``: the plan, both sides' sizes, the
    fingerprints of the data and both sides, and whether an earlier cut was reused."""

    plan: SplitPlan
    train_rows: int
    holdout_rows: int
    fingerprints: dict[str, str]
    reused: bool

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(), "train_rows": self.train_rows,
                "holdout_rows": self.holdout_rows, "fingerprints": self.fingerprints,
                "reused": self.reused}


def plan_split(project: Project, profiled: Mapping[str, Any]) -> SplitPlan:
    """The split for this spec and what ``profiled`` (a profile's JSON) found."""
    spec = project.spec
    return choose_split(spec, project.data().frame[spec.data.target],
                        time_column=profiled.get("time_column"),
                        group_column=profiled.get("group_column"),
                        time_ordered=bool(profiled.get("time_ordered")))


def run_split(folder: str | Path | Project = ".", *, resplit: bool = False) -> SplitOutcome:
    """Cut the holdout (profiling first if no profile was made), or reuse the one cut.

    Raises :class:`DataError` when the data changed since the holdout was cut, unless
    ``resplit`` asks for a new one.
    """
    project = Project.open(folder)
    if resplit or not project.paths.split_record.exists():
        # MLflow opens in its own process beside the read and the cut, and scikit-learn
        # (for the stratified draw) imports while Arrow reads the file
        project.open_tracker_early()
        project.import_early("sklearn.model_selection")
    outcome = _cut_holdout(project, resplit=resplit)
    if not outcome.reused:
        _log_split(project, outcome)
    return outcome


def ensure_split(project: Project) -> None:
    """Cut the holdout when none was cut yet (what ``baseline`` and ``train`` need)."""
    if not project.paths.split_record.exists():
        run_split(project)


def read_split(project: Project) -> dict[str, Any]:
    """The recorded split (``split.json``), or a clear error when none was cut yet."""
    path = project.paths.split_record
    if not path.exists():
        raise DataError(f"{project.paths.root}: no holdout has been cut yet; run "
                        "'mlsprint split' first")
    return json.loads(path.read_text(encoding="utf-8"))


def load_train(project: Project) -> pd.DataFrame:
    """The training rows. Training and tuning read only this file, never the holdout."""
    recorded = read_split(project)
    frame = read_side(project.paths.train_file)
    if not matches(frame, recorded["fingerprints"]["train"]):
        raise DataError(f"{project.paths.train_file}: the training rows changed since the "
                        "split was cut; run 'mlsprint split --resplit'")
    return frame


def _profiled(project: Project) -> dict[str, Any]:
    path = project.paths.state / PROFILE_STATE
    if not path.exists():
        from mlsprint.workflows.profile import run_profile

        run_profile(project)
    return json.loads(path.read_text(encoding="utf-8"))


def _cut_holdout(project: Project, *, resplit: bool) -> SplitOutcome:
    table = project.data()
    if project.paths.split_record.exists() and not resplit:
        recorded = read_split(project)
        if matches(table.frame, recorded["fingerprints"]["data"], current=table.fingerprint):
            return SplitOutcome(SplitPlan(**recorded["plan"]), recorded["train_rows"],
                                recorded["holdout_rows"], recorded["fingerprints"], True)
        raise DataError(
            f"the data changed since the holdout was cut (was {recorded['fingerprints']['data']}"
            f", now {table.fingerprint}); run 'mlsprint split --resplit' to cut a new holdout "
            "(and 'mlsprint profile' to profile the new data)")
    plan = plan_split(project, _profiled(project))
    frame = table.frame
    train_idx, holdout_idx = split_holdout(frame, plan, target=project.spec.data.target,
                                           random_state=project.spec.seed)
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
            fps = fingerprints(frame, {side: rows for side, (rows, _) in sides.items()})
            for future in writing:
                future.result()
    except BaseException:
        for temp in temps:  # nothing half-written is left behind
            temp.unlink(missing_ok=True)
        raise
    for temp, (_, target) in zip(temps, sides.values(), strict=True):
        temp.replace(target)
    outcome = SplitOutcome(plan, len(train_idx), len(holdout_idx), fps, False)
    write_json_atomic(project.paths.split_record, outcome.to_dict())
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
