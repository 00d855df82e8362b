"""The cycle end to end on real data, through the CLI: evidence in, verdict out.

One project (german_credit, 1,000 rows) is carried through every phase once per module;
each test then checks one promise against what the phases left behind.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mlsprint.cli.app import main
from mlsprint.data.fingerprint import fingerprint

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def project(tmp_path_factory, shared_data) -> Path:
    root = tmp_path_factory.mktemp("cycle") / "german"
    (root / "data").mkdir(parents=True)
    data = root / "data" / "german_credit.csv.gz"
    shutil.copy(shared_data / "german_credit.csv.gz", data)
    assert main(["init", str(root), "--data", str(data), "--target", "class"]) == 0
    assert main(["check", "-p", str(root)]) == 0
    assert main(["profile", "-p", str(root)]) == 0
    assert not (root / ".mlsprint" / "holdout").exists(), "profiling only reads the data"
    assert main(["split", "-p", str(root)]) == 0
    # Training must not need the holdout: take it away while baseline and train run (as
    # root, permissions would not stop a read; a missing folder does), then put it back.
    holdout, hidden = root / ".mlsprint" / "holdout", root.parent / "holdout-away"
    holdout.rename(hidden)
    try:
        assert main(["baseline", "-p", str(root)]) == 0
        assert main(["train", "-p", str(root), "--trials", "4"]) == 0
        TRAINED_WITHOUT_HOLDOUT.append(not holdout.exists())
    finally:
        hidden.rename(holdout)
    return root


TRAINED_WITHOUT_HOLDOUT: list[bool] = []


def test_training_never_reads_the_holdout(project):
    assert TRAINED_WITHOUT_HOLDOUT == [True], "baseline and train ran with the holdout away"
    assert list((project / ".mlsprint" / "candidates").glob("*/MLmodel")), "a candidate"
    split = json.loads((project / ".mlsprint" / "split" / "split.json").read_text())
    holdout = pd.read_feather(project / ".mlsprint" / "holdout" / "holdout.arrow")
    assert fingerprint(holdout) == split["fingerprints"]["holdout"], "holdout untouched"


def test_the_split_is_recorded_with_fingerprints_and_reused(project, capsys):
    split = json.loads((project / ".mlsprint" / "split" / "split.json").read_text())
    assert split["plan"]["strategy"] == "stratified"
    assert split["train_rows"] + split["holdout_rows"] == 1000
    assert set(split["fingerprints"]) == {"data", "train", "holdout"}
    capsys.readouterr()
    assert main(["split", "-p", str(project)]) == 0
    assert "Reused the holdout" in capsys.readouterr().out


def test_validate_gives_a_verdict_from_evidence_and_registers(project, capsys):
    code = main(["validate", "-p", str(project), "--n-boot", "200"])
    assert code in (0, 3, 4)
    gate = json.loads((project / "reports" / "gate.json").read_text())
    assert gate["exit_code"] == code
    evidence = json.loads((project / "reports" / "evidence.json").read_text())
    for key in ("holdout", "calibration", "fairness", "importance", "edge_cases", "latency",
                "baseline_scores", "leaderboard", "lineage"):
        assert evidence[key], key
    audited = {a["attribute"] for a in evidence["fairness"]["attributes"]}
    assert {"personal_status", "age", "foreign_worker"} <= audited
    card = (project / "reports" / "card.md").read_text()
    assert "Intended use" in card and "to be completed" in card.lower()
    assert main(["gate", "-p", str(project)]) == code, "the gate recomputes the same verdict"
    capsys.readouterr()
    assert main(["status", "-p", str(project), "--json"]) == 0
    status = yaml.safe_load(capsys.readouterr().out)
    done = {i["label"] for i in status["items"] if i["done"]}
    assert {"Validated on the untouched holdout", "Go/no-go verdict computed",
            "Model documented (model card)", "Algorithms selected and compared"} <= done
    assert status["gate_verdict"] == gate["verdict"]


def test_predict_scores_a_file_with_the_resolved_model(project, tmp_path, shared_data, capsys):
    rows = pd.read_csv(shared_data / "german_credit.csv.gz").drop(columns="class").head(50)
    rows.to_csv(tmp_path / "in.csv", index=False)
    capsys.readouterr()
    assert main(["predict", "-p", str(project), "--data", str(tmp_path / "in.csv"),
                 "--out", str(tmp_path / "out.parquet"), "--chunk-rows", "20"]) == 0
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert len(out) == 50 and {"prediction", "proba_bad", "proba_good"} <= set(out.columns)
    assert (out["proba_bad"] + out["proba_good"]).sub(1).abs().max() < 1e-9
    assert set(out["prediction"]) <= {"bad", "good"}
    printed = capsys.readouterr().out
    assert "Model:" in printed


def test_predict_rejects_a_file_that_breaks_the_contract(project, tmp_path, shared_data,
                                                         capsys):
    rows = pd.read_csv(shared_data / "german_credit.csv.gz").drop(columns=["class", "age"])
    rows.head(10).to_csv(tmp_path / "bad.csv", index=False)
    capsys.readouterr()
    code = main(["predict", "-p", str(project), "--data", str(tmp_path / "bad.csv"),
                 "--out", str(tmp_path / "never.csv")])
    assert code == 2
    assert "column 'age'" in capsys.readouterr().err
    assert not (tmp_path / "never.csv").exists(), "nothing half-written"


def test_each_candidate_is_a_nested_run_of_the_train_run(project):
    from mlsprint.workflows.context import Project

    tracker = Project.open(project).tracker
    train = tracker.latest("train")
    children = list(tracker.children(train.run_id))
    assert train.metrics["n_trials"] >= len(children) >= 2
    assert {c.phase for c in children} == {"candidate"}
    for child in children:
        assert {"cv_mean", "cv_std", "fit_seconds", "predict_seconds_per_row",
                "size_bytes"} <= set(child.metrics)


def test_the_spec_can_ship_the_fairness_mitigated_model(project, shared_data):
    """gate.fairness.mitigate: true ships the group thresholds: the gate judges the
    mitigated model, and the bundle, its MLflow pyfunc and the server answer with them."""
    import mlflow.pyfunc
    import numpy as np

    from mlsprint.artifacts import load_bundle

    spec_file = project / "mlsprint.yaml"
    original = spec_file.read_text()
    spec = yaml.safe_load(original)
    spec.setdefault("gate", {}).setdefault("fairness", {})["mitigate"] = True
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False))
    try:
        code = main(["validate", "-p", str(project), "--n-boot", "200"])
    finally:
        spec_file.write_text(original)
    assert code in (0, 3, 4)
    evidence = json.loads((project / "reports" / "evidence.json").read_text())
    fairness, mitigation = evidence["fairness"], evidence["fairness"]["mitigation"]
    assert mitigation["shipped"] is True and mitigation["fit_rows"] > 500
    assert fairness["verdict"] == mitigation["after"]["verdict"], "the gate judges what ships"
    gate = json.loads((project / "reports" / "gate.json").read_text())
    bias = next(c for c in gate["criteria"] if c["key"] == "no_significant_bias")
    assert mitigation["after"]["verdict"] in bias["evidence"]

    bundles = sorted((project / ".mlsprint" / "bundles").iterdir(),
                     key=lambda p: p.stat().st_mtime)
    bundle = load_bundle(bundles[-1])
    rules = bundle.group_thresholds
    assert rules is not None and set(rules.attributes) == set(mitigation["thresholds"][
        "attributes"])
    assert len(set(rules.thresholds.values())) > 1, "the groups get different thresholds"
    rows = pd.read_csv(shared_data / "german_credit.csv.gz").drop(columns="class")
    answer = bundle.predict(rows)
    cut = rules.for_frame(rows)
    expected = np.where(answer["proba_bad"] >= cut, "bad", "good")
    assert (answer["label"].to_numpy() == expected).all()
    unmitigated = np.where(answer["proba_bad"] >= bundle.threshold, "bad", "good")
    assert (expected != unmitigated).any(), "the thresholds change some decisions"
    pyfunc = mlflow.pyfunc.load_model(str(bundle.path)).predict(rows[bundle.columns])
    assert (pyfunc["label"].to_numpy() == expected).all(), "mlflow models serve agrees"
    gate_card = (bundle.path / "card.md").read_text()
    assert "ships with these group thresholds" in gate_card
