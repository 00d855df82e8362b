"""The go/no-go gate: the seed's criteria, each judged from evidence, and one verdict.

Criteria come from the seed framework's "Go/No-Go Criteria" and "Checklist Before
Production". Each gets a status:

- ``pass`` / ``fail``: the evidence settles it;
- ``review``: the evidence is ambiguous (an interval straddles a threshold) or missing
  where a person can supply it; a person must decide;
- ``pending``: the evidence cannot exist before the first deployment (an A/B result,
  a stakeholder sign-off); it does not block.

"Beats the baseline" reads the paired bootstrap interval of the relative error reduction
against ``spec.gate.baseline``: pass when its lower bound exceeds
``spec.gate.min_improvement_over_baseline``, review when only the estimate does, fail
otherwise.

Verdict: ``NO-GO`` when any criterion fails, else ``REVIEW`` when any needs review, else
``GO``. Exit codes follow ARCHITECTURE.md: 0 GO, 3 NO-GO, 4 REVIEW.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from mlsprint.evaluation.evidence import Evidence
from mlsprint.spec.model import ProjectSpec

__all__ = ["EXIT_CODES", "Criterion", "GateReport", "decide_gate"]

EXIT_CODES = {"GO": 0, "NO-GO": 3, "REVIEW": 4}


@dataclass(frozen=True, slots=True)
class Criterion:
    """One go/no-go criterion: what it asks, the evidence seen, status and reason."""

    key: str
    title: str
    source: str
    status: str
    evidence: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class GateReport:
    """Every criterion and the verdict with its reasons."""

    criteria: tuple[Criterion, ...]
    verdict: str
    reasons: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def __getitem__(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {"criteria": [c.to_dict() for c in self.criteria], "verdict": self.verdict,
                "reasons": list(self.reasons), "exit_code": self.exit_code}


Result = tuple[str, str, str]  # status, evidence, reason


def _beats_baseline(ev: Evidence, spec: ProjectSpec) -> Result:
    margin, name = spec.gate.min_improvement_over_baseline, spec.gate.baseline
    if ev.holdout is None:
        return "fail", "none", "no holdout evaluation; run `mlsprint validate`"
    improvements = ev.holdout.get("improvement", {})
    iv = improvements.get(name) or improvements.get("baseline")
    if iv is None:
        return "fail", f"baselines {sorted(improvements)}", (
            f"the holdout report has no improvement over the {name!r} baseline")
    metric = ev.holdout.get("primary", "primary metric")
    text = (f"{metric} error reduction vs {name} baseline: {iv['estimate']:+.1%} "
            f"[{iv['low']:+.1%}, {iv['high']:+.1%}]")
    if iv["low"] > margin:
        return "pass", text, f"the lower bound exceeds the required {margin:.0%}"
    if iv["estimate"] > margin:
        return "review", text, (f"the estimate exceeds the required {margin:.0%} but the "
                                "lower bound does not")
    return "fail", text, f"the estimate is at or below the required {margin:.0%}"


def _fairness(ev: Evidence, spec: ProjectSpec) -> Result:
    if not spec.protected_names:
        candidates = (ev.profile or {}).get("protected_candidates") or []
        if candidates:
            return "review", f"candidates {candidates}", (
                "the profile found columns that look protected but the spec lists none "
                "under data.columns.protected")
        return "pass", "no protected attributes", (
            "the spec declares no protected attribute and the profile found none")
    if ev.fairness is None:
        return "fail", "none", "protected attributes declared but no fairness audit ran"
    verdict = ev.fairness.get("verdict", "review")
    reasons = "; ".join(ev.fairness.get("reasons", [])) or "every judged disparity in bounds"
    status = {"pass": "pass", "fail": "fail"}.get(verdict, "review")
    return status, f"fairness verdict {verdict}", reasons


def _latency(ev: Evidence, spec: ProjectSpec) -> Result:
    budget = spec.gate.latency_p95_ms
    if ev.latency is None:
        return "fail", "none", "latency was not measured"
    p95 = float(ev.latency["single_p95_ms"])
    text = f"single-row p95 {p95:.1f} ms (budget {budget:g} ms)"
    return ("pass", text, "within budget") if p95 < budget else ("fail", text, "over budget")


def _monitoring(ev: Evidence, spec: ProjectSpec) -> Result:
    if ev.monitoring_configured is True:
        return "pass", "reference statistics in the bundle", "monitoring section valid"
    if ev.monitoring_configured is False:
        return "fail", "no reference statistics", (
            "the bundle carries no reference statistics or the monitoring section is invalid")
    return "review", "unknown", "no evidence yet that reference statistics were computed"


def _business(ev: Evidence, spec: ProjectSpec) -> Result:
    cm = spec.business.cost_matrix
    if cm is None:
        return "pending", "no cost matrix", (
            "the spec states no business.cost_matrix; a person confirms the metric suffices")
    if ev.business is None:
        return "fail", "none", "a cost matrix is given but business value was not computed"
    b, cur = ev.business, spec.business.currency
    if b.get("task") == "regression":
        return "pass", f"error cost {-b['value']:.4g} {cur}", "cost of errors computed"
    trivial = max(b.get("value_if_none") or 0.0, b.get("value_if_all_positive") or 0.0)
    text = f"value {b['value']:.4g} {cur} vs best trivial policy {trivial:.4g} {cur}"
    if b["value"] <= trivial:
        return "fail", text, "acting on the model is worth no more than acting on all or none"
    return "pass", text, "the model adds value over acting on all rows or none"


def _privacy(ev: Evidence, spec: ProjectSpec) -> Result:
    if ev.profile is None:
        return "review", "no profile", "no data profile evidence to check for personal data"
    pii = ev.profile.get("pii_columns") or []
    if pii:
        return "review", f"personal data in {pii}", "confirm these columns may be used"
    return "pass", "no personal identifiers found", "the profile flagged no PII column"


def _edge_cases(ev: Evidence, spec: ProjectSpec) -> Result:
    if ev.edge_cases is None:
        return "review", "none", "edge cases were not run"
    failed = [f"{c['name']}({c['column']})" for c in ev.edge_cases["cases"] if not c["passed"]]
    text = f"{len(ev.edge_cases['cases']) - len(failed)}/{len(ev.edge_cases['cases'])} defined"
    if failed:
        return "review", text, f"undefined predictions for {', '.join(failed[:8])}"
    return "pass", text, "every edge case gives a defined prediction or a contract rejection"


def _rollback(ev: Evidence, spec: ProjectSpec) -> Result:
    if spec.serving.fallback == "none":
        return "review", "serving.fallback none", "no fallback model; define a rollback plan"
    return "pass", f"fallback {spec.serving.fallback}", (
        "the bundle carries a fallback; `mlsprint rollback` restores the previous champion")


def _later(key: str, good: str) -> Callable[[Evidence, ProjectSpec], Result]:
    def judge(ev: Evidence, spec: ProjectSpec) -> Result:
        value = getattr(ev, key)
        if value is None:
            return "pending", "not yet", "evidence can only exist after deployment"
        ok = value.get("positive", True) if isinstance(value, dict) else bool(value)
        return ("pass", good, "recorded") if ok else ("fail", str(value), "negative")
    return judge


_CRITERIA: tuple[tuple[str, str, str, Callable[[Evidence, ProjectSpec], Result]], ...] = (
    ("beats_baseline", "Model outperforms baseline by the required margin", "go/no-go",
     _beats_baseline),
    ("no_significant_bias", "No significant bias detected", "go/no-go", _fairness),
    ("latency", "Latency under the p95 budget", "go/no-go", _latency),
    ("monitoring", "Monitoring implemented (reference statistics)", "go/no-go", _monitoring),
    ("ab_test", "A/B test shows positive impact", "go/no-go", _later("ab_test", "positive")),
    ("business_requirements", "Model performance meets business requirements", "checklist",
     _business),
    ("data_privacy", "Data privacy ensured", "checklist", _privacy),
    ("edge_cases", "Edge cases tested (API inputs)", "checklist", _edge_cases),
    ("retraining", "Retraining pipeline ready", "checklist",
     _later("retraining_configured", "configured")),
    ("rollback", "Rollback plan defined", "checklist", _rollback),
    ("stakeholder_signoff", "Stakeholders approved", "checklist", _later("signoff", "signed")),
)


def decide_gate(evidence: Evidence | dict[str, Any], spec: ProjectSpec) -> GateReport:
    """Judge every criterion from ``evidence`` and give the verdict.

    Parameters
    ----------
    evidence : Evidence or dict
        See :mod:`mlsprint.evaluation.evidence` for the keys.
    spec : ProjectSpec

    Returns
    -------
    GateReport
        ``verdict`` is ``"GO"``, ``"NO-GO"`` or ``"REVIEW"``; ``exit_code`` 0, 3 or 4.
    """
    ev = Evidence.from_dict(evidence)
    criteria = tuple(Criterion(key, title, source, *judge(ev, spec))
                     for key, title, source, judge in _CRITERIA)
    failed = [c for c in criteria if c.status == "fail"]
    review = [c for c in criteria if c.status == "review"]
    verdict = "NO-GO" if failed else "REVIEW" if review else "GO"
    reasons = tuple(f"{c.title}: {c.reason} ({c.evidence})" for c in (failed or review))
    if verdict == "GO":
        reasons = ("every blocking criterion passed; pending items do not block the first "
                   "deployment",)
    return GateReport(criteria, verdict, reasons)
