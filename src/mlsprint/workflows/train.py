"""``mlsprint train``: time-budgeted model search, ensemble, error analysis, a candidate.

The whole command keeps to its budget: the earlier phases it has to run first, the
search, the final refit and the tracker logging all come out of the same clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.errors import DataError
from mlsprint.stores.split_files import read_side
from mlsprint.workflows.context import Project
from mlsprint.workflows.files import write_text_atomic
from mlsprint.workflows.inputs import split_xy, training_inputs

__all__ = ["TrainOutcome", "run_train"]

LOGGING_RESERVE = 0.04  # share of the budget kept for writing reports and tracker runs
CANDIDATE_CARD = ("Candidate model: not validated yet. Run `mlsprint validate` for the "
                  "holdout evidence, the model card and the go/no-go verdict.")


@dataclass(frozen=True)
class TrainOutcome:
    result: Any
    candidate_dir: Path
    report: Path
    run_id: str
    seconds: float
    budget_seconds: float | None
    refit_full: bool


def _ensure_earlier_phases(project: Project) -> None:
    """Right after ``init``, ``train`` first profiles, cuts the holdout and fits baselines
    (the split profiles when no profile was made)."""
    from mlsprint.workflows.baseline import baseline_dir, run_baseline
    from mlsprint.workflows.split import ensure_split

    ensure_split(project)
    if not (baseline_dir(project) / "baseline.json").exists():
        run_baseline(project)


def run_train(folder: str | Path | Project = ".", *, budget_seconds: float | None = None,
              n_trials: int | None = None, refit_full: bool = False,
              progress: Any = None) -> TrainOutcome:
    """Search, ensemble and analyse errors on the training rows; save the candidate."""
    from mlsprint.training import RefitRows, search
    from mlsprint.training.report import render_training_html
    from mlsprint.training.slices import analyse_errors

    started = time.monotonic()
    project = Project.open(folder)
    if budget_seconds is None and n_trials is None:
        budget_seconds = project.spec.training.budget_seconds
    _ensure_earlier_phases(project)
    inputs = training_inputs(project)
    # --refit-full: the holdout rows join the final refit inside the search, whose time
    # reserve counts them, so the budget covers this refit too.
    extra = _holdout_rows(project, inputs) if refit_full else None
    remaining = None
    if budget_seconds is not None:
        spent = time.monotonic() - started
        remaining = budget_seconds * (1 - LOGGING_RESERVE) - spent
        if remaining <= 1:
            raise DataError(f"--budget {budget_seconds:g} s is spent by the earlier phases "
                            f"({spent:.0f} s); give a larger budget")
    with project.phase("train", fingerprint=inputs.fingerprints["data"],
                       params={"budget_seconds": budget_seconds, "n_trials": n_trials,
                               "refit_full": refit_full, "split": inputs.plan.strategy,
                               "excluded": list(inputs.excluded)}) as run_id:
        result = search(
            inputs.X, inputs.y, contract=inputs.contract, spec=project.spec, plan=inputs.plan,
            groups=inputs.groups, sample_weight=inputs.sample_weight,
            budget_seconds=remaining, n_trials=n_trials, storage=project.optuna_storage,
            study_name=f"{project.spec.name}-{run_id[:8]}", random_state=project.spec.seed,
            on_candidate=lambda rec: _log_candidate(project, run_id, rec), progress=progress,
            refit_extra=None if extra is None else RefitRows(*extra),
        )
        errors = analyse_errors(inputs.X, inputs.y, result.oof, contract=inputs.contract,
                                spec=project.spec, threshold=result.threshold)
        candidate = _save_candidate(project, run_id, result.pipeline, result, inputs,
                                    refit_full)
        report = write_text_atomic(project.paths.reports / "training.html",
                                   render_training_html(result, errors))
        _log_train_evidence(project, run_id, result, errors, report, refit_full)
    return TrainOutcome(result, candidate, report, run_id, time.monotonic() - started,
                        budget_seconds, refit_full)


def _holdout_rows(project: Project, inputs: Any) -> tuple[Any, Any, Any]:
    """``--refit-full``: the holdout's X, y and weights; the candidate can no longer be
    validated."""
    holdout = read_side(project.paths.holdout_file)
    X_h, y_h = split_xy(holdout, inputs.contract)
    weight = project.spec.data.weight_column
    return X_h, y_h, holdout[weight].to_numpy(float) if weight else None


def _log_candidate(project: Project, parent: str, record: Any) -> None:
    """One nested run per leaderboard row: params, CV mean/std, times, size."""
    tracker = project.tracker
    with tracker.run("candidate", parent_run_id=parent, name=record.name,
                     tags={"mlsprint.candidate": "true", "mlsprint.family": record.family}
                     ) as child:
        tracker.log_params(child, record.params)
        tracker.log_metrics(child, {"cv_mean": record.cv_mean, "cv_std": record.cv_std,
                                    "fit_seconds": record.fit_seconds,
                                    "predict_seconds_per_row": record.predict_seconds_per_row,
                                    "size_bytes": record.size_bytes})


def _save_candidate(project: Project, run_id: str, pipeline: Any, result: Any, inputs: Any,
                    refit_full: bool) -> Path:
    """The candidate is an unvalidated bundle; its out-of-fold predictions sit beside it."""
    from mlsprint.artifacts import save_bundle
    from mlsprint.workflows.baseline import load_baseline

    folder = project.paths.candidates / run_id
    folder.parent.mkdir(parents=True, exist_ok=True)
    oof = pd.DataFrame(np.asarray(result.oof).reshape(len(inputs.y), -1))
    oof.columns = [f"oof_{i}" for i in range(oof.shape[1])]
    oof["y"] = inputs.y.to_numpy()
    oof.to_parquet(folder.with_suffix(".oof.parquet"), index=False)
    lineage = {**project.lineage(), "train_run_id": run_id, "refit_full": refit_full,
               "validatable": not refit_full, "data_fingerprints": inputs.fingerprints,
               "split": inputs.plan.to_dict(), "excluded_columns": list(inputs.excluded)}
    evidence = {"leaderboard": _leaderboard_summary(result)}
    save_bundle(folder, pipeline=pipeline, baseline=load_baseline(project, "linear"),
                contract=inputs.contract, spec=project.spec, evidence=evidence,
                card_md=CANDIDATE_CARD, card_html=f"<p>{CANDIDATE_CARD}</p>", reference=None,
                lineage=lineage, input_example=inputs.X.head(5), threshold=result.threshold)
    return folder


def _leaderboard_summary(result: Any) -> dict[str, Any]:
    """The training evidence the gate and the card read."""
    return {"best": result.best, "metric": result.metric, "oof_score": result.oof_score,
            "threshold": result.threshold, "threshold_objective": result.threshold_objective,
            "n_trials": result.n_trials, "budget_seconds": result.budget_seconds,
            "elapsed_seconds": result.search_seconds + result.refit_seconds,
            "ensemble": result.ensemble.to_dict() if result.ensemble else None,
            "rows": [{"name": r.name, "family": r.family, "score": r.cv_mean, "std": r.cv_std}
                     for r in result.leaderboard]}


def _log_train_evidence(project: Project, run_id: str, result: Any, errors: Any,
                        report: Path, refit_full: bool) -> None:
    tracker = project.tracker
    families = {rec.family for rec in result.leaderboard}
    tracker.log_metrics(run_id, {
        "oof_score": result.oof_score, "n_trials": result.n_trials,
        "n_pruned": result.n_pruned, "n_families": len(families),
        "search_seconds": result.search_seconds, "refit_seconds": result.refit_seconds,
    })
    tracker.set_tags(run_id, {
        "mlsprint.best": result.best, "mlsprint.refit_full": str(refit_full).lower(),
        "mlsprint.ensemble": ("kept" if result.ensemble and result.ensemble.kept
                              else "tried" if result.ensemble else ""),
        "mlsprint.error_analysis": "true",
    })
    tracker.log_dict(run_id, result.to_dict(), "leaderboard.json")
    tracker.log_dict(run_id, errors.to_dict(), "error_analysis.json")
    tracker.log_artifact(run_id, report)
