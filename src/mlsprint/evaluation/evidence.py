"""The evidence a go/no-go decision and a model card are computed from: one place for keys.

Every field holds the JSON form (``to_dict()``) of a stage's report, so the lead's
workflows can fill it from the tracker or from ``evidence.json`` in a bundle alike.
A field left ``None`` means the evidence does not exist (yet); the gate says so.

Fields
------
profile : dict
    Data-profile findings summary: ``n_rows``, ``n_columns``, ``findings`` (list of
    ``{"level", "message"}``), optionally ``pii_columns`` (list of str) and
    ``protected_candidates`` (columns that look protected but the spec does not list).
baseline_scores : dict
    ``{baseline name: {metric: value}}`` from the baseline phase (cross-validated).
leaderboard : dict
    Training summary: ``best`` (name), ``rows`` (list of ``{"name", "score", ...}``),
    ``budget_seconds``, ``elapsed_seconds``.
holdout : dict
    :class:`~mlsprint.evaluation.holdout.HoldoutReport` ``.to_dict()``.
calibration : dict
    :class:`~mlsprint.evaluation.calibration.CalibrationReport` ``.to_dict()``,
    optionally with ``choice`` (a ``RecalibrationChoice.to_dict()``).
fairness : dict
    :class:`~mlsprint.fairness.audit.FairnessReport` ``.to_dict()``, optionally with
    ``mitigation`` (a ``MitigationResult.to_dict()``).
business : dict
    :class:`~mlsprint.evaluation.business.BusinessReport` ``.to_dict()``.
importance : dict
    :class:`~mlsprint.evaluation.explain.ImportanceReport` ``.to_dict()``.
edge_cases : dict
    :class:`~mlsprint.evaluation.edge_cases.EdgeCaseReport` ``.to_dict()``.
latency : dict
    :class:`~mlsprint.evaluation.latency.LatencyReport` ``.to_dict()``.
monitoring_configured : bool
    True when the spec's monitoring section is valid and the bundle carries reference
    statistics; False when either is missing.
lineage : dict
    ``data_fingerprints`` (``{"train": ..., "holdout": ...}``), ``code_version``,
    ``seed``, ``package_versions`` (``{package: version}``), ``run_ids``
    (``{phase: run id}``), ``model_name``, ``model_version``, ``created_at``.
ab_test : dict
    Later evidence: ``{"positive": bool, "summary": str}`` from the A/B phase.
signoff : dict
    Later evidence: ``{"by": str, "at": str, "note": str}``.
retraining_configured : bool
    Later evidence: a retraining policy is in place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["EVIDENCE_KEYS", "Evidence"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything the gate and the card read (see the module docstring for each field)."""

    profile: dict[str, Any] | None = None
    baseline_scores: dict[str, Any] | None = None
    leaderboard: dict[str, Any] | None = None
    holdout: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None
    fairness: dict[str, Any] | None = None
    business: dict[str, Any] | None = None
    importance: dict[str, Any] | None = None
    edge_cases: dict[str, Any] | None = None
    latency: dict[str, Any] | None = None
    monitoring_configured: bool | None = None
    lineage: dict[str, Any] | None = None
    ab_test: dict[str, Any] | None = None
    signoff: dict[str, Any] | None = None
    retraining_configured: bool | None = None

    def __post_init__(self) -> None:
        for f in fields(self):  # accept report objects: keep their JSON form
            value = getattr(self, f.name)
            if hasattr(value, "to_dict"):
                object.__setattr__(self, f.name, value.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | Evidence) -> Evidence:
        """Build from a dict; report objects with ``to_dict()`` are converted.

        Raises
        ------
        ValueError
            On a key that is not an evidence field (a typo would otherwise be ignored).
        """
        if isinstance(data, Evidence):
            return data
        unknown = sorted(set(data) - set(EVIDENCE_KEYS))
        if unknown:
            raise ValueError(f"unknown evidence key(s) {unknown}; expected some of "
                             f"{list(EVIDENCE_KEYS)}")
        return cls(**data)


EVIDENCE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Evidence))
