"""init, check and status through the real CLI entry point: output and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from mlsprint.cli.app import main


@pytest.fixture
def german(tmp_path, shared_data):
    data = tmp_path / "proj" / "data" / "german_credit.csv.gz"
    data.parent.mkdir(parents=True)
    shutil.copy(shared_data / "german_credit.csv.gz", data)
    return tmp_path / "proj", data


def test_init_writes_a_valid_commented_spec_and_keeps_user_edits(german, capsys):
    project, data = german
    assert main(["init", str(project), "--data", str(data), "--target", "class"]) == 0
    text = (project / "mlsprint.yaml").read_text()
    spec = yaml.safe_load(text)
    assert spec["task"] == {**spec["task"], "type": "binary", "positive_class": "bad"}
    assert "TO BE COMPLETED" in text and "inferred: confirm" in text
    assert main(["init", str(project), "--data", str(data), "--target", "class"]) == 0
    assert "Unchanged" in capsys.readouterr().out
    (project / "mlsprint.yaml").write_text(text.replace("kpi: null", "kpi: defaults avoided"))
    assert main(["init", str(project), "--data", str(data), "--target", "class"]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert "defaults avoided" in (project / "mlsprint.yaml").read_text(), "edit was kept"
    assert main(["init", str(project), "--data", str(data), "--target", "class",
                 "--force"]) == 0
    assert "defaults avoided" not in (project / "mlsprint.yaml").read_text()


def test_init_with_a_wrong_target_names_the_close_column(german, capsys):
    project, data = german
    assert main(["init", str(project), "--data", str(data), "--target", "Class "]) == 2
    err = capsys.readouterr().err
    assert "'Class ' is not in" in err and "did you mean 'class'?" in err
    assert "Traceback" not in err
    assert not (project / "mlsprint.yaml").exists(), "nothing half-written"


def test_check_records_evidence_that_status_ticks(german, capsys):
    project, data = german
    assert main(["init", str(project), "--data", str(data), "--target", "class"]) == 0
    capsys.readouterr()
    assert main(["status", "-p", str(project), "--json"]) == 0
    before = yaml.safe_load(capsys.readouterr().out)
    first = before["items"][0]
    assert first["label"].startswith("Problem defined") and first["done"] is False
    assert main(["check", "-p", str(project)]) == 0
    assert "spec and data agree" in capsys.readouterr().out
    assert main(["status", "-p", str(project), "--json"]) == 0
    after = yaml.safe_load(capsys.readouterr().out)
    assert after["items"][0]["done"] is True
    assert "'check' run" in after["items"][0]["evidence"]
    assert not any(i["done"] for i in after["items"][2:]), "nothing else has evidence yet"


def test_check_reports_a_bad_spec_with_field_path_and_exit_code_2(german, capsys):
    project, data = german
    assert main(["init", str(project), "--data", str(data), "--target", "class"]) == 0
    spec_file = project / "mlsprint.yaml"
    spec_file.write_text(spec_file.read_text().replace('target: "class"', 'target: "klass"'))
    assert main(["check", "-p", str(project)]) == 2
    err = capsys.readouterr().err
    assert "data.target" in err and "'klass'" in err and "did you mean 'class'" in err


def test_usage_errors_exit_2_and_version_exits_0():
    assert main(["init"]) == 2
    assert main(["--version"]) == 0
    out = subprocess.run([sys.executable, "-m", "mlsprint", "no-such-command"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "No such command" in out.stderr


def test_an_unusable_tracking_store_opened_early_is_still_a_clear_error(german, capsys):
    """profile opens the tracker in a thread while it reads the data; the store's error
    still reaches the user as a clear message and an exit code, not a traceback."""
    project, data = german
    assert main(["init", str(project), "--data", str(data), "--target", "class"]) == 0
    spec = yaml.safe_load((project / "mlsprint.yaml").read_text())
    spec.setdefault("tracking", {})["uri"] = "nosuchscheme://store/x"
    (project / "mlsprint.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    capsys.readouterr()
    code = main(["profile", "-p", str(project)])
    err = capsys.readouterr().err
    assert code != 0 and "cannot be used" in err and "tracking.uri" in err
    assert "Traceback" not in err
