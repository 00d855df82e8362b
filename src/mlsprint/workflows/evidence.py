"""The holdout evidence of a candidate: what ``mlsprint validate`` records.

Holdout metrics with bootstrap intervals and the paired improvement over the baseline,
calibration (recalibrated when that helps out of fold), fairness, business value,
explanations, edge cases and latency become the evidence that the gate and the model
card are computed from. The validated bundle freezes that evidence with the model and
the reference statistics that monitoring compares against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.fingerprint import matches
from mlsprint.errors import BundleError, DataError
from mlsprint.stores.split_files import read_side
from mlsprint.workflows.baseline import baseline_dir, load_baseline
from mlsprint.workflows.context import Project
from mlsprint.workflows.inputs import split_xy
from mlsprint.workflows.split import PROFILE_STATE, load_train, read_split

__all__ = ["Holdout", "ValidationEvidence", "collect_evidence", "latest_candidate",
           "read_holdout", "shipped_thresholds"]


@dataclass(frozen=True)
class Holdout:
    """The holdout rows as the candidate sees them."""

    frame: pd.DataFrame
    X: pd.DataFrame
    y: pd.Series


@dataclass(frozen=True)
class ValidationEvidence:
    """What validation produced: the evidence dict, the model to ship, its reference."""

    evidence: dict[str, Any]
    pipeline: Any
    reference: dict[str, Any]
    recalibration: str
    candidate: Any  # the loaded candidate bundle
    input_example: pd.DataFrame


def latest_candidate(project: Project, ref: str | None) -> Path:
    """``--model PATH`` or the newest trained candidate bundle."""
    if ref:
        path = Path(ref)
        if not (path / "MLmodel").is_file():
            raise BundleError(f"--model {ref}: not a candidate bundle (no MLmodel file)")
        return path
    folder = project.paths.candidates
    found = [p for p in folder.iterdir() if (p / "MLmodel").is_file()] if folder.is_dir() else []
    if not found:
        raise DataError(f"{project.paths.root}: no trained candidate; run 'mlsprint train' first")
    return max(found, key=lambda p: (p / "MLmodel").stat().st_mtime)


def read_holdout(project: Project, contract: Any) -> Holdout:
    """The holdout, checked against the fingerprint recorded when it was cut."""
    recorded = read_split(project)
    frame = read_side(project.paths.holdout_file)
    if not matches(frame, recorded["fingerprints"]["holdout"]):
        raise DataError(f"{project.paths.holdout_file}: the holdout changed since it was cut; "
                        "run 'mlsprint split --resplit' and train again")
    X, y = split_xy(frame, contract)
    return Holdout(frame, X, y)


def _positive_scores(proba: np.ndarray, classes: list[Any], positive: Any) -> np.ndarray:
    from mlsprint.artifacts.outputs import positive_position

    return proba[:, positive_position(classes, positive)]


def _scores(model: Any, X: pd.DataFrame, task: str, classes: list[Any] | None,
            positive: Any) -> np.ndarray:
    """What the metrics take: positive-class probability, a probability matrix, values."""
    if task == "regression":
        return np.asarray(model.predict(X), dtype="float64")
    proba = np.asarray(model.predict_proba(X), dtype="float64")
    return _positive_scores(proba, classes or [], positive) if task == "binary" else proba


@dataclass(frozen=True)
class OutOfFold:
    """The training out-of-fold predictions saved beside the candidate, one per training
    row (NaN where no fold validated the row, as in the first block of a temporal split)."""

    y: np.ndarray
    values: np.ndarray  # binary: positive-class probability; else one column per class

    @classmethod
    def read(cls, candidate: Path) -> OutOfFold:
        frame = pd.read_parquet(candidate.with_suffix(".oof.parquet"))
        y = frame.pop("y").to_numpy()
        values = frame.to_numpy(dtype="float64")
        return cls(y, values[:, 0] if values.shape[1] == 1 else values)

    @property
    def kept(self) -> np.ndarray:
        return ~np.isnan(self.values.reshape(len(self.values), -1)).any(axis=1)


def _proba_matrix(oof: np.ndarray, task: str, classes: list[Any], positive: Any) -> np.ndarray:
    """OOF predictions as a matrix in ``classes`` order (binary OOF is one column)."""
    if task != "binary" or oof.ndim == 2:
        return oof
    from mlsprint.artifacts.outputs import positive_position

    matrix = np.empty((len(oof), 2))
    pos = positive_position(classes, positive)
    matrix[:, pos], matrix[:, 1 - pos] = oof, 1 - oof
    return matrix


def _calibrate(pipeline: Any, y_oof: np.ndarray, p_oof: np.ndarray, positive: Any,
               seed: int) -> tuple[Any, dict[str, Any]]:
    """Recalibrate (isotonic or Platt) only when that helps out of fold."""
    from mlsprint.evaluation import RecalibratedClassifier, choose_recalibration

    choice = choose_recalibration(y_oof, p_oof, positive_class=positive, random_state=seed)
    if choice.method == "none":
        return pipeline, choice.to_dict()
    recalibrated = RecalibratedClassifier(pipeline, method=choice.method)
    recalibrated.fit(None, y_oof, oof_proba=p_oof)
    return recalibrated, choice.to_dict()


def _baseline_scores(project: Project) -> dict[str, Any]:
    summary = json.loads((baseline_dir(project) / "baseline.json").read_text(encoding="utf-8"))
    return {name: model["cv_mean"] for name, model in summary["models"].items()}


def _profile_summary(project: Project) -> dict[str, Any] | None:
    path = project.paths.state / PROFILE_STATE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    findings = [{"level": f["severity"], "message": f["message"], "rule": f["rule"]}
                for f in data.get("findings", [])]
    return {"n_rows": data.get("n_rows"), "n_columns": data.get("n_columns"),
            "findings": findings, "excluded_columns": data.get("excluded_columns", [])}


def _fairness(project: Project, holdout: Holdout, labels: np.ndarray, scores: np.ndarray,
              threshold: float, *, bundle: Any, fit_scores: np.ndarray, mitigate: bool
              ) -> dict[str, Any] | None:
    """The audit of the model as it ships: mitigated when the spec asks for it (then the
    audit before mitigation is kept beside it), as trained otherwise."""
    from mlsprint.fairness import audit_fairness

    spec = project.spec
    names = [n for n in spec.protected_names if n in holdout.frame.columns]
    if spec.task.type != "binary" or not names:
        return None
    bins = {p.name: p.bins for p in spec.data.columns.protected}
    report = audit_fairness(
        holdout.y.to_numpy(), labels, scores, holdout.frame[names],
        positive_class=spec.task.positive_class, spec_fairness=spec.gate.fairness,
        primary=spec.task.primary, threshold=threshold, bins=bins, random_state=spec.seed)
    found = report.to_dict()
    if not (mitigate or spec.gate.fairness.mitigate):
        return found
    mitigation = _mitigation(project, holdout, names, bins, threshold, scores,
                             fit_scores=fit_scores)
    missing = [n for n in names if n not in bundle.columns]
    if spec.gate.fairness.mitigate and missing:
        mitigation["not_shipped_because"] = (
            f"the protected columns {missing} are not model inputs, so the group "
            "thresholds could not be applied at prediction time")
    elif spec.gate.fairness.mitigate:
        return {**mitigation["after"], "mitigation": {**mitigation, "shipped": True}}
    return {**found, "mitigation": mitigation}


def _mitigation(project: Project, holdout: Holdout, names: list[str], bins: Any,
                threshold: float, scores: np.ndarray, *, fit_scores: np.ndarray
                ) -> dict[str, Any]:
    """Fairlearn's ThresholdOptimizer fitted on the training rows' out-of-fold scores,
    judged on the holdout: before and after side by side. It ships (the bundle carries
    the group thresholds) only when the spec's ``gate.fairness.mitigate`` is true."""
    from mlsprint.fairness import mitigate_scores

    spec = project.spec
    train = load_train(project)
    keep = ~np.isnan(fit_scores)
    result = mitigate_scores(fit_scores[keep], train[spec.data.target].to_numpy()[keep],
                             train[names][keep], scores, holdout.y.to_numpy(),
                             holdout.frame[names], positive_class=spec.task.positive_class,
                             spec_fairness=spec.gate.fairness, threshold=threshold,
                             primary=spec.task.primary, bins=bins, random_state=spec.seed)
    return {**result.to_dict(), "side_by_side": result.side_by_side(), "shipped": False,
            "fit_rows": int(keep.sum())}


def shipped_thresholds(evidence: dict[str, Any]) -> Any:
    """The group thresholds the validated model ships with, or None."""
    from mlsprint.fairness import GroupThresholds

    mitigation = (evidence.get("fairness") or {}).get("mitigation") or {}
    return GroupThresholds.from_dict(mitigation["thresholds"]) if mitigation.get(
        "shipped") else None


def _fit_scores(pipeline: Any, oof: OutOfFold, task: str) -> np.ndarray:
    """The positive-class out-of-fold scores of the training rows as the shipped model
    would give them (through its recalibration map, if any); NaN where no fold scored."""
    from mlsprint.evaluation import RecalibratedClassifier

    values = np.asarray(oof.values, dtype="float64")
    if task != "binary" or values.ndim != 1:
        return values
    if isinstance(pipeline, RecalibratedClassifier):
        out = np.full(len(values), np.nan)
        out[oof.kept] = pipeline.calibrate(values[oof.kept])
        return out
    return values


def collect_evidence(project: Project, candidate: Path, *, n_boot: int = 1000,
                     mitigate: bool = False) -> ValidationEvidence:
    """Every piece of holdout evidence for ``candidate``: pure stages, composed here."""
    from mlsprint.artifacts import load_bundle

    spec = project.spec
    bundle = load_bundle(candidate)
    if not bundle.lineage.get("validatable", True):
        raise BundleError(f"{candidate.name} was refitted on every row (train --refit-full), "
                          "holdout included, so it cannot be validated; train without "
                          "--refit-full")
    holdout = read_holdout(project, bundle.contract)
    oof = OutOfFold.read(candidate)
    y_oof, p_oof = oof.y[oof.kept], oof.values[oof.kept]
    pipeline, recalibration = bundle.pipeline, {"method": "none"}
    if spec.task.type == "binary":
        pipeline, recalibration = _calibrate(pipeline, y_oof, p_oof, spec.task.positive_class,
                                             spec.seed)
    evidence = _performance(project, bundle, pipeline, holdout, recalibration, n_boot=n_boot,
                            mitigate=mitigate,
                            fit_scores=_fit_scores(pipeline, oof, spec.task.type))
    evidence.update(_behaviour(project, bundle, pipeline, holdout))
    reference = _reference(project, bundle, oof, evidence["importance"]["permutation"])
    evidence.update(
        profile=_profile_summary(project), baseline_scores=_baseline_scores(project),
        leaderboard=bundle.evidence.get("leaderboard"), monitoring_configured=True,
        lineage={**bundle.lineage, "data_fingerprints": read_split(project)["fingerprints"],
                 "code_version": bundle.lineage.get("git_commit"),
                 "package_versions": bundle.lineage.get("packages"),
                 "candidate": candidate.name})
    return ValidationEvidence(evidence, pipeline, reference, recalibration["method"], bundle,
                              holdout.X.head(5))


def _performance(project: Project, bundle: Any, pipeline: Any, holdout: Holdout,
                 recalibration: dict[str, Any], *, n_boot: int, mitigate: bool,
                 fit_scores: np.ndarray) -> dict[str, Any]:
    """Holdout metrics against the baselines, calibration, fairness, business value."""
    from mlsprint.artifacts.outputs import label_from_proba
    from mlsprint.evaluation import assess_calibration, business_value, evaluate_holdout

    spec = project.spec
    task, classes, positive = spec.task.type, bundle.classes, spec.task.positive_class
    threshold = bundle.threshold if bundle.threshold is not None else 0.5
    y = holdout.y.to_numpy()
    scores = _scores(pipeline, holdout.X, task, classes, positive)
    baselines = {name: _scores(load_baseline(project, name), holdout.X, task, classes, positive)
                 for name in ("linear", "dummy")}
    found: dict[str, Any] = {"holdout": evaluate_holdout(
        y, scores, task=task, classes=classes, positive_class=positive, threshold=threshold,
        metrics=[spec.task.primary, *spec.task.secondary], primary=spec.task.primary,
        n_boot=n_boot, random_state=spec.seed, baseline_pred=baselines).to_dict()}
    if task == "binary":
        calibration = assess_calibration(y, scores, positive_class=positive,
                                         recalibration=recalibration["method"]).to_dict()
        found["calibration"] = {**calibration, "choice": recalibration}
    if task != "regression":
        labels = label_from_proba(np.asarray(pipeline.predict_proba(holdout.X)), classes,
                                  threshold=bundle.threshold, positive_class=positive)
        found["fairness"] = _fairness(project, holdout, labels, scores, threshold,
                                      bundle=bundle, fit_scores=fit_scores, mitigate=mitigate)
    if spec.business.cost_matrix is not None and task != "multiclass":
        found["business"] = business_value(
            y, scores, cost_matrix=spec.business.cost_matrix, task=task, threshold=threshold,
            positive_class=positive).to_dict()
    return found


def _behaviour(project: Project, bundle: Any, pipeline: Any, holdout: Holdout
               ) -> dict[str, Any]:
    """How the model behaves: importance, edge cases, latency."""
    from mlsprint.evaluation import check_edge_cases, explain_global, measure_latency

    spec = project.spec
    importance = explain_global(pipeline, holdout.X, holdout.y.to_numpy(),
                                primary=spec.task.primary, task=spec.task.type,
                                positive_class=spec.task.positive_class, random_state=spec.seed)
    return {
        "importance": importance.to_dict(),
        "edge_cases": check_edge_cases(pipeline, holdout.X, bundle.contract,
                                       policy=spec.data.policy).to_dict(),
        "latency": measure_latency(pipeline, holdout.X, random_state=spec.seed).to_dict(),
    }


REFERENCE_METRICS = {"binary": ("roc_auc", "accuracy", "f1"),
                     "multiclass": ("accuracy", "log_loss"), "regression": ("rmse", "mae")}


def _oof_performance(y_oof: np.ndarray, p_oof: np.ndarray, bundle: Any, spec: Any
                     ) -> dict[str, float]:
    """Out-of-fold performance: what monitoring compares live performance against."""
    from mlsprint.evaluation import scores

    task = spec.task.type
    return scores(list(REFERENCE_METRICS[task]), y_oof, p_oof, task=task,
                  classes=bundle.classes, positive_class=spec.task.positive_class,
                  threshold=bundle.threshold if bundle.threshold is not None else 0.5)


def _reference(project: Project, bundle: Any, oof: OutOfFold,
               importance: dict[str, float]) -> dict[str, Any]:
    """Monitoring's reference: training rows and their out-of-fold predictions."""
    from mlsprint.monitoring import build_reference
    from mlsprint.monitoring.reference import fit_calibration

    spec = project.spec
    X, _ = split_xy(load_train(project), bundle.contract)
    task, positive, keep = spec.task.type, spec.task.positive_class, oof.kept
    y_oof, p_oof = oof.y[keep], oof.values[keep]
    predictions = _proba_matrix(p_oof, task, bundle.classes or [], positive)
    calibration = (fit_calibration(y_oof, p_oof, positive_class=positive)
                   if task == "binary" else None)
    return build_reference(X[keep], contract=bundle.contract, predictions=predictions,
                           target=y_oof, calibration=calibration,
                           importance=importance,
                           oof_performance=_oof_performance(y_oof, p_oof, bundle, spec),
                           sample_rows=spec.monitoring.reference_sample_rows,
                           random_state=spec.seed)
