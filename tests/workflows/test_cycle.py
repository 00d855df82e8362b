"""The cycle end to end on real data, through the CLI: evidence in, verdict out.

One project (german_credit, 1,000 rows) is carried through every phase once per module;
each test then checks one promise against what the phases left behind.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mlsprint.cli.app import main

pytestmark = pytest.mark.slow

_opened: list[str] = []
_recording = [False]


def _audit(event: str, args: tuple) -> None:
    if _recording[0] and event == "open" and args and isinstance(args[0], (str, Path)):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one records only when asked


@pytest.fixture(scope="module")
def project(tmp_path_factory, shared_data) -> Path:
    root = tmp_path_factory.mktemp("cycle") / "german"
    (root / "data").mkdir(parents=True)
    data = root / "data" / "german_credit.csv.gz"
    shutil.copy(shared_data / "german_credit.csv.gz", data)
    assert main(["init", str(root), "--data", str(data), "--target", "class"]) == 0
    assert main(["check", "-p", str(root)]) == 0
    assert main(["profile", "-p", str(root)]) == 0
    _opened.clear()
    _recording[0] = True
    try:
        assert main(["baseline", "-p", str(root)]) == 0
        assert main(["train", "-p", str(root), "--trials", "4"]) == 0
    finally:
        _recording[0] = False
    return root


def test_training_never_opens_the_holdout(project):
    holdout = str(project / ".mlsprint" / "holdout")
    train_file = str(project / ".mlsprint" / "split" / "train.parquet")
    assert any(p.startswith(train_file) for p in _opened), "the recorder saw the train file"
    touched = [p for p in _opened if p.startswith(holdout)]
    assert touched == [], f"training read the holdout: {touched}"


def test_the_split_is_recorded_with_fingerprints_and_reused(project, capsys):
    split = json.loads((project / ".mlsprint" / "split" / "split.json").read_text())
    assert split["plan"]["strategy"] == "stratified"
    assert split["train_rows"] + split["holdout_rows"] == 1000
    assert set(split["fingerprints"]) == {"data", "train", "holdout"}
    capsys.readouterr()
    assert main(["profile", "-p", str(project)]) == 0
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
    protected = {"personal_status", "age", "foreign_worker"}
    assert protected <= set(evidence["fairness"]["attributes"]) | protected
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
