"""Drift detection: per column, the prediction, the target, and the dataset as a whole.

Default tests (``tests="mlsprint"``), chosen to be calibrated at any sample size:

* **distribution** — numbers: a two-sample chi-square test of homogeneity on the
  reference-decile bins and a KS test on the raw samples, Bonferroni over the pair (KS
  alone below 100 current values); categories: the
  same test on level counts (a Z-test of proportions for two levels). A column is drifted
  when the test rejects under Holm's correction across features (family-wise 5 %) **and**
  the effect is not trivial: normed Wasserstein >= 0.1 (numbers), total variation >= 0.05
  (categories), or PSI at least the warning threshold. Drifted columns are critical when
  PSI reaches the critical threshold, else warning.
* **missing_rate** — a two-proportion Z-test of the missing share (Holm across columns),
  with a floor of 1 point; critical from 10 points.
* **new_categories** — the share of current rows in levels the reference never saw, tested
  against a padded Good-Turing estimate of unseen mass ((levels seen once or twice + 1) /
  n: new levels arrive in clusters); floor 1 %, critical from 5 %.
* **presence** — a monitored feature absent from current data is critical.
* **dataset** — share of drifted features, plain and weighted by feature importance;
  critical when the weighted share reaches 0.5.

``tests="evidently"`` swaps the distribution check for Evidently 0.7's own choice, run on
the reference sample (see :mod:`mlsprint.monitoring.evidently_stats`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlsprint.monitoring.accumulate import CurrentStats, reference_sample
from mlsprint.monitoring.checks import distribution_check, missing_check, new_category_check
from mlsprint.monitoring.levels import worst
from mlsprint.monitoring.stats import holm
from mlsprint.spec.model import MonitoringSpec

__all__ = ["DriftCheck", "DriftReport", "detect_drift", "drift_from_stats"]

ALPHA = 0.05
DATASET_CRITICAL_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class DriftCheck:
    """One check of one column (``column`` is ``"*"`` for the dataset check)."""

    column: str
    role: str
    check: str
    test: str
    statistic: float
    p_value: float | None
    effect: float
    psi: float | None
    drifted: bool
    level: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {k: _clean(v) for k, v in asdict(self).items()}


def _clean(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if value != value else (str(value) if np.isinf(value) else value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


@dataclass(frozen=True, slots=True)
class DriftReport:
    """Every drift check of one window against the reference.

    ``current_stats`` keeps the window's binned counts (for the HTML plots); it is not part
    of ``to_dict()``.
    """

    checks: tuple[DriftCheck, ...]
    n_reference: int
    n_current: int
    tests: str
    drift_share: float
    weighted_drift_share: float
    current_stats: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def level(self) -> str:
        """The worst level of any check."""
        return worst(c.level for c in self.checks)

    @property
    def drifted_features(self) -> list[str]:
        return sorted({c.column for c in self.checks if c.role == "feature" and c.drifted})

    def psi_by_column(self) -> dict[str, float]:
        return {c.column: c.psi for c in self.checks
                if c.check == "distribution" and c.psi is not None}

    def check(self, column: str, check: str = "distribution") -> DriftCheck:
        for item in self.checks:
            if item.column == column and item.check == check:
                return item
        raise KeyError(f"no {check!r} check for column {column!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level, "tests": self.tests, "n_reference": self.n_reference,
            "n_current": self.n_current, "drift_share": self.drift_share,
            "weighted_drift_share": self.weighted_drift_share,
            "drifted_features": self.drifted_features,
            "checks": [c.to_dict() for c in self.checks],
        }


def detect_drift(reference: dict[str, Any], current: pd.DataFrame, *,
                 current_predictions: Any = None, current_target: Any = None,
                 spec_monitoring: MonitoringSpec | None = None,
                 tests: Literal["mlsprint", "evidently"] = "mlsprint",
                 importance: dict[str, float] | None = None,
                 random_state: int = 0) -> DriftReport:
    """Compare one window of current rows with the reference statistics.

    Parameters
    ----------
    reference : dict
        From :func:`mlsprint.monitoring.build_reference`.
    current : DataFrame
        The window's rows (feature columns; others are ignored).
    current_predictions, current_target : array, optional
        The model's predictions (same form as at reference time) and labels, if known.
    spec_monitoring : MonitoringSpec
        PSI thresholds; defaults to 0.1 / 0.2.
    tests : {"mlsprint", "evidently"}
        Our calibrated tests, or Evidently 0.7's choice reproduced exactly.
    importance : dict, optional
        Feature importance for the weighted drift share (defaults to the reference's).

    Returns
    -------
    DriftReport
    """
    if tests not in ("mlsprint", "evidently"):
        raise ValueError(f"tests must be 'mlsprint' or 'evidently'. Got {tests!r} instead.")
    cap = None if tests == "evidently" else 50_000
    stats = CurrentStats(reference, sample_cap=cap, random_state=random_state).update(
        current, current_predictions=current_predictions, current_target=current_target)
    return drift_from_stats(reference, stats, spec_monitoring=spec_monitoring, tests=tests,
                            importance=importance)


def drift_from_stats(reference: dict[str, Any], stats: CurrentStats, *,
                     spec_monitoring: MonitoringSpec | None = None,
                     tests: str = "mlsprint",
                     importance: dict[str, float] | None = None) -> DriftReport:
    """The drift report of accumulated current statistics (the chunked path)."""
    spec = spec_monitoring or MonitoringSpec()
    columns = [name for name in reference["columns"] if name in stats.stats_]
    checks: list[DriftCheck] = []
    for role in ("feature", "prediction", "target"):
        names = [n for n in columns if reference["columns"][n]["role"] == role]
        checks += _family(reference, stats, names, role, spec, tests)
    for name, entry in reference["columns"].items():
        if entry["role"] == "feature" and name not in stats.stats_ and stats.n_rows_:
            checks.append(DriftCheck(name, "feature", "presence", "none", float("nan"), None,
                                     float("nan"), None, True, "critical",
                                     f"column {name!r} is absent from the current data"))
    share, weighted = _shares(checks, reference, importance, tests)
    checks.append(DriftCheck(
        "*", "dataset", "dataset", "share_of_drifted_features", share, None, weighted, None,
        weighted >= DATASET_CRITICAL_SHARE,
        "critical" if weighted >= DATASET_CRITICAL_SHARE else "ok",
        f"{share:.0%} of features drifted ({weighted:.0%} of importance)"))
    return DriftReport(tuple(checks), int(reference["n_rows"]), int(stats.n_rows_), tests,
                       share, weighted, current_stats=dict(stats.stats_))


def _family(reference, stats, names, role, spec, tests) -> list[DriftCheck]:
    raw = {}
    for name in names:
        ref = reference["columns"][name]
        raw[name] = [
            distribution_check(name, ref, stats.stats_[name], reference_sample(ref),
                               _sample_or_none(stats, name), tests=tests),
            missing_check(ref, stats.stats_[name]),
        ]
        if ref["kind"] == "categorical":
            raw[name].append(new_category_check(ref, stats.stats_[name]))
    out: list[DriftCheck] = []
    for index in range(3):
        group = [(n, raw[n][index]) for n in names if len(raw[n]) > index]
        rejects = holm([r["p_value"] if r["p_value"] is not None else np.nan
                        for _, r in group], alpha=ALPHA)
        for (name, result), reject in zip(group, rejects, strict=True):
            out.append(_finish(name, role, result, bool(reject), spec))
    return out


def _sample_or_none(stats: CurrentStats, name: str) -> np.ndarray | None:
    return stats.sample(name) if name in stats.samples_ else None


def _finish(name: str, role: str, result: dict[str, Any], reject: bool,
            spec: MonitoringSpec) -> DriftCheck:
    if result.get("decided") is not None:  # Evidently's own flag, no correction
        drifted = bool(result["decided"])
    else:
        big_psi = bool(result.get("psi_floor")) and (result["psi"] or 0.0) >= spec.psi.warning
        drifted = reject and (bool(result["effect_ok"]) or big_psi)
    level = "ok"
    if drifted:
        severe = result["severe"](spec)
        level = "critical" if severe else "warning"
    return DriftCheck(name, role, result["check"], result["test"], result["statistic"],
                      result["p_value"], result["effect"], result.get("psi"), drifted, level,
                      result["describe"](drifted))


def _shares(checks: list[DriftCheck], reference: dict[str, Any],
            importance: dict[str, float] | None, tests: str) -> tuple[float, float]:
    features = sorted({c.column for c in checks if c.role == "feature"})
    if not features:
        return 0.0, 0.0
    counted = ("distribution", "presence") if tests == "evidently" else (
        "distribution", "missing_rate", "new_categories", "presence")
    drifted = {c.column for c in checks
               if c.role == "feature" and c.drifted and c.check in counted}
    weights = dict(importance if importance is not None else reference.get("importance") or {})
    w = np.array([max(float(weights.get(f, 0.0)), 0.0) for f in features])
    if w.sum() <= 0:
        w = np.ones(len(features))
    hit = np.array([f in drifted for f in features])
    return float(hit.mean()), float(w[hit].sum() / w.sum())
