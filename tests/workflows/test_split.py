"""``mlsprint split``: the holdout cut once after profiling, reused, refused on new data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mlsprint.cli.app import main
from mlsprint.data.fingerprint import fingerprint
from mlsprint.workflows.context import Project


@pytest.fixture
def project(tmp_path, shared_data):
    root = tmp_path / "german"
    data = root / "data" / "german_credit.csv"
    data.parent.mkdir(parents=True)
    # a plain CSV, so the test can change the data in place
    pd.read_csv(shared_data / "german_credit.csv.gz").to_csv(data, index=False)
    assert main(["init", str(root), "--data", str(data), "--target", "class"]) == 0
    return root, data


def _split(root) -> dict:
    return json.loads((root / ".mlsprint" / "split" / "split.json").read_text())


def test_split_right_after_init_profiles_first_then_cuts_once(project, capsys):
    root, _ = project
    assert main(["split", "-p", str(root)]) == 0
    assert "Cut the holdout: stratified split" in capsys.readouterr().out
    assert (root / ".mlsprint" / "profile.json").exists(), "the split profiled first"
    recorded = _split(root)
    assert recorded["train_rows"] + recorded["holdout_rows"] == 1000
    holdout = pd.read_feather(root / ".mlsprint" / "holdout" / "holdout.arrow")
    assert fingerprint(holdout) == recorded["fingerprints"]["holdout"]
    tracker = Project.open(root).tracker
    run = tracker.latest("split")
    assert run.params["strategy"] == "stratified"
    assert run.tags["mlsprint.holdout_fingerprint"] == recorded["fingerprints"]["holdout"]
    assert tracker.latest("profile") is not None

    assert main(["split", "-p", str(root)]) == 0
    assert "Reused the holdout" in capsys.readouterr().out
    assert _split(root) == recorded


def test_new_data_is_refused_until_resplit(project, capsys):
    root, data = project
    assert main(["split", "-p", str(root)]) == 0
    before = _split(root)
    frame = pd.read_csv(data)
    frame.iloc[:-10].to_csv(data, index=False)  # ten rows fewer
    capsys.readouterr()
    assert main(["split", "-p", str(root)]) == 2
    err = capsys.readouterr().err
    assert "the data changed since the holdout was cut" in err
    assert "mlsprint split --resplit" in err and "Traceback" not in err
    assert _split(root) == before, "nothing rewritten"
    assert main(["split", "-p", str(root), "--resplit"]) == 0
    after = _split(root)
    assert after["train_rows"] + after["holdout_rows"] == 990
    assert after["fingerprints"]["data"] != before["fingerprints"]["data"]


def test_profile_only_reads_and_baseline_cuts_the_holdout_it_needs(project, capsys):
    root, _ = project
    assert main(["profile", "-p", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Split to cut: stratified" in out
    assert not (root / ".mlsprint" / "split").exists()
    assert not (root / ".mlsprint" / "holdout").exists()
    profiled = json.loads((root / "reports" / "profile.json").read_text())
    assert profiled["split"]["strategy"] == "stratified"
    assert main(["baseline", "-p", str(root)]) == 0
    assert _split(root)["plan"] == profiled["split"], "cut by the plan the profile chose"


def test_the_split_follows_the_profiles_findings_a_time_ordered_table(tmp_path, shared_data):
    root = tmp_path / "elec"
    data = root / "data" / "elec2.csv"
    data.parent.mkdir(parents=True)
    pd.read_csv(shared_data / "elec2.csv.gz", nrows=3000).to_csv(data, index=False)
    assert main(["init", str(root), "--data", str(data), "--target", "class"]) == 0
    assert main(["split", "-p", str(root)]) == 0
    assert _split(root)["plan"]["strategy"] == "temporal"
