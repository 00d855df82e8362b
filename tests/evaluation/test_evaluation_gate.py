"""The go/no-go gate: each criterion's status from evidence, the verdict and exit code."""

from __future__ import annotations

import pytest

from mlsprint.evaluation import EVIDENCE_KEYS, Evidence, decide_gate
from mlsprint.evaluation.bootstrap import Interval

from .conftest import credit_spec


def _iv(estimate, low, high):
    return Interval(estimate, low, high, 0.95, 1000).to_dict()


def _good(**overrides):
    """Evidence on which every blocking criterion passes."""
    ev = {
        "holdout": {"primary": "roc_auc", "improvement": {"linear": _iv(0.25, 0.15, 0.35)},
                    "metrics": {}, "baseline_scores": {"linear": 0.7}},
        "fairness": {"verdict": "pass", "reasons": [], "attributes": []},
        "latency": {"single_p50_ms": 5.0, "single_p95_ms": 9.0, "rows_per_second": {}},
        "monitoring_configured": True,
        "profile": {"n_rows": 1000, "pii_columns": []},
        "edge_cases": {"cases": [{"name": "missing_value", "column": "age", "passed": True}]},
    }
    ev.update(overrides)
    return ev


def test_all_good_is_go_with_pending_items_not_blocking():
    gate = decide_gate(_good(), credit_spec())
    assert gate.verdict == "GO" and gate.exit_code == 0
    assert gate["ab_test"].status == "pending"
    assert gate["stakeholder_signoff"].status == "pending"
    assert gate["business_requirements"].status == "pending"  # no cost matrix in the spec


@pytest.mark.parametrize("estimate, low, high, status", [
    (0.20, 0.11, 0.30, "pass"),     # lower bound above the 10 % margin
    (0.17, 0.05, 0.30, "review"),   # estimate above, lower bound below: a person decides
    (-0.02, -0.20, 0.13, "fail"),   # straddles, but the estimate shows no improvement
    (0.00, -0.10, 0.09, "fail"),    # wholly below the margin
    (-0.15, -0.30, -0.05, "fail"),  # worse than the baseline
])
def test_beats_baseline_is_judged_on_the_lower_bound(estimate, low, high, status):
    ev = _good(holdout={"primary": "roc_auc", "improvement": {"linear": _iv(
        estimate, low, high)}})
    gate = decide_gate(ev, credit_spec())
    assert gate["beats_baseline"].status == status
    assert gate.verdict == {"pass": "GO", "review": "REVIEW", "fail": "NO-GO"}[status]
    assert gate.exit_code == {"pass": 0, "review": 4, "fail": 3}[status]


def test_the_spec_chooses_baseline_and_margin():
    ev = _good(holdout={"primary": "roc_auc", "improvement": {
        "linear": _iv(0.02, -0.01, 0.05), "dummy": _iv(0.5, 0.4, 0.6)}})
    assert decide_gate(ev, credit_spec())["beats_baseline"].status == "fail"
    spec = credit_spec(gate={"baseline": "dummy", "min_improvement_over_baseline": 0.3})
    assert decide_gate(ev, spec)["beats_baseline"].status == "pass"


@pytest.mark.parametrize("key, value, criterion, status", [
    ("fairness", {"verdict": "fail", "reasons": ["age: fail"]}, "no_significant_bias", "fail"),
    ("fairness", {"verdict": "review", "reasons": []}, "no_significant_bias", "review"),
    ("fairness", None, "no_significant_bias", "fail"),
    ("latency", {"single_p95_ms": 650.0}, "latency", "fail"),
    ("latency", None, "latency", "fail"),
    ("monitoring_configured", False, "monitoring", "fail"),
    ("monitoring_configured", None, "monitoring", "review"),
    ("profile", {"pii_columns": ["email"]}, "data_privacy", "review"),
    ("edge_cases", {"cases": [{"name": "huge", "column": "age", "passed": False}]},
     "edge_cases", "review"),
    ("ab_test", {"positive": False}, "ab_test", "fail"),
    ("signoff", {"by": "risk office", "at": "2026-11-27"}, "stakeholder_signoff", "pass"),
    ("holdout", None, "beats_baseline", "fail"),
])
def test_each_criterion_reads_its_evidence(key, value, criterion, status):
    gate = decide_gate(_good(**{key: value}), credit_spec())
    assert gate[criterion].status == status, gate[criterion]
    expected = "NO-GO" if status == "fail" else "REVIEW" if status == "review" else "GO"
    assert gate.verdict == expected
    if status in ("fail", "review"):
        assert any(gate[criterion].title in r for r in gate.reasons)


def test_business_value_against_trivial_policies():
    spec = credit_spec(business={"cost_matrix": {"true_positive_value": 10,
                                                 "false_positive_cost": 2}})
    worse = {"task": "binary", "value": 50.0, "value_if_none": 0.0,
             "value_if_all_positive": 80.0}
    assert decide_gate(_good(business=worse), spec)["business_requirements"].status == "fail"
    better = dict(worse, value=120.0)
    assert decide_gate(_good(business=better), spec)["business_requirements"].status == "pass"
    assert decide_gate(_good(), spec)["business_requirements"].status == "fail"  # not computed


def test_no_protected_attribute_passes_unless_the_profile_suspects_one():
    spec = credit_spec(data={"source": "g.csv", "target": "class"})
    assert decide_gate(_good(fairness=None), spec)["no_significant_bias"].status == "pass"
    ev = _good(fairness=None, profile={"protected_candidates": ["age"]})
    assert decide_gate(ev, spec)["no_significant_bias"].status == "review"


def test_evidence_keys_are_checked_and_reports_converted():
    with pytest.raises(ValueError, match="unknown evidence key"):
        decide_gate({"holdot": {}}, credit_spec())
    ev = Evidence.from_dict({"latency": _LatencyLike()})
    assert ev.latency == {"single_p95_ms": 1.0}
    assert set(Evidence().to_dict()) == set(EVIDENCE_KEYS)
    assert decide_gate(Evidence(), credit_spec()).verdict == "NO-GO"  # nothing measured


class _LatencyLike:
    def to_dict(self):
        return {"single_p95_ms": 1.0}
