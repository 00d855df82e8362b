"""The model card: Mitchell et al. sections filled from real evidence, in three formats."""

from __future__ import annotations

import json
import re

from mlsprint.cards import TO_BE_COMPLETED, build_card, render_validation_html
from mlsprint.evaluation import decide_gate

MITCHELL = ["model_details", "intended_use", "factors", "metrics", "evaluation_data",
            "training_data", "quantitative_analyses", "ethical_considerations",
            "caveats_and_recommendations"]


def test_card_has_every_section_and_the_verdict(evidence, card_spec):
    card = build_card(evidence, card_spec)
    keys = [s["key"] for s in card.sections]
    assert keys[:9] == MITCHELL and keys[9:] == ["go_no_go", "lineage"]
    assert card.gate.verdict == decide_gate(evidence, card_spec).verdict
    md = card.to_markdown()
    for section in card.sections:
        assert f"## {section['title']}" in md
    assert f"Go / no-go verdict: {card.gate.verdict}" in md
    assert "sha256:abc" in md and "0.1.0+g796fae9" in md and "lightgbm | 4.7.0" in md


def test_empty_human_fields_read_to_be_completed(evidence, card_spec):
    card = build_card(evidence, card_spec)
    fields = dict(card.section("intended_use")["blocks"][0]["fields"])
    assert set(fields.values()) == {TO_BE_COMPLETED}
    filled = card_spec.model_copy(update={"problem": card_spec.problem.model_copy(update={
        "business_objective": "Refuse loans likely to default",
        "out_of_scope_uses": ["employment decisions"]})})
    fields = dict(build_card(evidence, filled).section("intended_use")["blocks"][0]["fields"])
    assert fields["Business objective"] == "Refuse loans likely to default"
    assert fields["Out-of-scope uses"] == "employment decisions"
    assert fields["KPI"] == TO_BE_COMPLETED


def test_quantitative_analyses_come_from_the_evidence(evidence, card_spec):
    card = build_card(evidence, card_spec)
    md = card.to_markdown()
    roc = evidence.holdout["metrics"]["roc_auc"]
    assert f"{roc['estimate']:.4f} [{roc['low']:.4f}, {roc['high']:.4f}]" in md
    for audit in evidence.fairness["attributes"]:
        assert f"Per group: {audit['attribute']}" in md
    assert "personal_status & age" in md
    assert "EUR" in md


def test_json_and_html_forms(evidence, card_spec):
    card = build_card(evidence, card_spec)
    data = json.loads(json.dumps(card.to_dict()))
    assert data["verdict"] == card.gate.verdict and len(data["sections"]) == 11
    html = card.to_html()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert html.count("<svg") >= 4  # reliability, lift/gain, one bar chart per attribute
    assert re.search(r'(src|href)="https?:', html) is None  # nothing fetched


def test_validation_report_holds_every_part(evidence, card_spec):
    page = render_validation_html(evidence, card_spec)
    for title in ["Go / no-go", "Holdout metrics", "Calibration", "Fairness",
                  "Business value", "Explanations", "Edge cases", "Latency", "Lineage"]:
        assert f"<h2>{title}</h2>" in page
    assert page.count("<svg") >= 5
    assert "Improvement over baselines" in page


def test_card_without_evidence_still_renders(card_spec):
    card = build_card({}, card_spec)
    assert card.gate.verdict == "NO-GO"
    assert "No holdout evaluation." in card.to_markdown()
    assert "<h2>Quantitative analyses</h2>" in card.to_html()


def test_regression_evidence_renders():
    import numpy as np

    from evaluation.conftest import read_dataset
    from mlsprint.evaluation import Evidence, business_value, evaluate_holdout
    from mlsprint.spec import parse_spec
    from mlsprint.spec.model import CostMatrix

    df = read_dataset("bike_sharing_hourly", nrows=1500)
    y = df["cnt"].to_numpy(float)
    pred = np.clip(y * 0.9 + 10, 0, None)
    spec = parse_spec({"name": "bikes", "task": {"type": "regression"},
                       "data": {"source": "bike.csv.gz", "target": "cnt"},
                       "business": {"cost_matrix": {"cost_per_unit_error": 0.2}}})
    ev = Evidence(holdout=evaluate_holdout(y, pred, task="regression", metrics=["mae"],
                                           primary="rmse", baseline_pred={"linear": pred + 30},
                                           n_boot=100, random_state=0),
                  business=business_value(y, pred, cost_matrix=CostMatrix(
                      cost_per_unit_error=0.2), task="regression"))
    card = build_card(ev, spec)
    assert "No protected attribute is declared" in card.to_markdown()
    assert card.gate["business_requirements"].status == "pass"
    page = render_validation_html(ev, spec)
    assert "<h2>Business value</h2>" in page and "rmse" in page
