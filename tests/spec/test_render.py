"""render_spec writes a commented mlsprint.yaml that parses back to the intended spec."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest
import yaml

from conftest import read_dataset
from mlsprint.data.roles import infer_roles
from mlsprint.errors import SpecError
from mlsprint.spec import ProjectSpec, parse_spec
from mlsprint.spec.model import ProjectSpec as Model
from mlsprint.spec.render import render_spec, scalar

dataset = cache(read_dataset)


def render(name: str, target: str, **kwargs) -> str:
    roles = infer_roles(dataset(name), target, task=kwargs.pop("task", None))
    return render_spec(name=name, data_source=f"data/{name}.csv.gz", target=target,
                       roles=roles, **kwargs)


def test_adult_spec_equals_the_intended_values():
    text = render("adult", "income")
    spec = parse_spec(yaml.safe_load(text))
    protected = ["age", "marital-status", "race", "sex", "native-country"]
    intended = ProjectSpec.model_validate({
        "name": "adult",
        "task": {"type": "binary", "positive_class": ">50K", "primary_metric": "roc_auc",
                 "secondary_metrics": ["average_precision", "log_loss", "f1", "accuracy",
                                       "brier"]},
        "data": {"source": "data/adult.csv.gz", "target": "income",
                 "columns": {"protected": [{"name": n, "inferred": True} for n in protected]}},
    })
    assert spec == intended


def test_seed_thresholds_are_written_out_explicitly():
    raw = yaml.safe_load(render("german_credit", "class"))
    assert raw["gate"]["min_improvement_over_baseline"] == 0.10
    assert raw["gate"]["latency_p95_ms"] == 500
    assert raw["gate"]["fairness"]["min_demographic_parity_ratio"] == 0.8
    assert raw["monitoring"]["latency_p95_ms"] == {"warning": 500, "critical": 1000}
    assert raw["monitoring"]["error_rate"] == {"warning": 0.01, "critical": 0.05}
    assert raw["monitoring"]["psi"] == {"warning": 0.1, "critical": 0.2}
    assert raw["monitoring"]["metric_drop"] == {"warning": 0.05, "critical": 0.10}
    assert set(raw) == set(Model.model_fields), "a section for every phase"
    assert raw["business"]["cost_matrix"] is None
    assert raw["tracking"] == {"uri": None, "optuna_storage": None}


def test_human_fields_and_inferred_roles_are_marked():
    text = render("adult", "income")
    problem = text.split("\nproblem:")[1].split("\n\n")[0].splitlines()[1:]
    assert len(problem) == 5 and all("# TO BE COMPLETED" in line for line in problem)
    for name in ["sex", "race", "age", "marital-status", "native-country"]:
        assert f'- name: "{name}"' in text
        line = next(x for x in text.splitlines() if f'- name: "{name}"' in x)
        assert "# inferred: confirm" in line
    assert '# weight_column: "fnlwgt"' in text  # suggested, commented out
    assert "#   false_negative_cost:" in text  # the cost matrix example


@pytest.mark.parametrize(("name", "target", "options"), [
    ("ames_housing", "SalePrice", {"na_values": [""], "keep_default_na": False}),
    ("diabetes_130us", "readmitted", {"na_values": ["?"], "keep_default_na": False}),
    ("bike_sharing_hourly", "cnt", {}),
    ("compas", "two_year_recid", {}),
    ("dry_bean", "Class", {}),
])
def test_every_inferred_role_round_trips(name, target, options):
    roles = infer_roles(dataset(name), target)
    text = render_spec(name=name, data_source=f"data/{name}.csv.gz", target=target,
                       roles=roles, **options)
    spec = parse_spec(yaml.safe_load(text))
    cols = spec.data.columns
    assert spec.task.type == roles.task and spec.task.primary == {
        "binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}[roles.task]
    assert (tuple(cols.id), tuple(cols.time), tuple(cols.constant)) == (
        roles.id, roles.time, roles.constant)
    assert cols.group == roles.group == ("patient_nbr" if name == "diabetes_130us" else None)
    assert tuple(spec.protected_names) == roles.protected
    assert spec.data.na_values == options.get("na_values")
    assert spec.data.keep_default_na == options.get("keep_default_na", True)


def test_regression_spec_shows_cost_per_unit_error_and_no_positive_class():
    text = render("bike_sharing_hourly", "cnt")
    assert "#   cost_per_unit_error:" in text and "positive_class" not in text
    assert yaml.safe_load(text)["task"]["primary_metric"] == "rmse"


def test_awkward_names_stay_strings():
    names = ["Churn ", "yes", "null", "1", "a: b", "# x", "Größe", 'say "hi"', ">50K"]
    df = pd.DataFrame({n: [0, 1] * 10 for n in names[1:]})
    df["Churn "] = ["no", "yes"] * 10
    roles = infer_roles(df, "Churn ")
    spec = parse_spec(yaml.safe_load(render_spec(
        name="p", data_source="d.csv", target="Churn ", roles=roles)))
    assert spec.data.target == "Churn " and spec.task.positive_class == "yes"
    assert [scalar(v) for v in ("yes", 1, True, None, 2.5)] == ['"yes"', "1", "true",
                                                               "null", "2.5"]


def test_positive_class_keeps_its_type():
    df = pd.DataFrame({"x": range(20), "y": [0, 1] * 10})
    spec = parse_spec(yaml.safe_load(render_spec(
        name="p", data_source="d.csv", target="y", roles=infer_roles(df, "y"))))
    assert spec.task.positive_class == 1 and isinstance(spec.task.positive_class, int)


def test_primary_metric_override_and_errors():
    df = dataset("german_credit")
    roles = infer_roles(df, "class")
    text = render_spec(name="g", data_source="g.csv", target="class", roles=roles,
                       primary_metric="average_precision")
    spec = parse_spec(yaml.safe_load(text))
    assert spec.task.primary == "average_precision"
    assert "average_precision" not in spec.task.secondary
    with pytest.raises(SpecError, match=r"metric 'rmse' does not fit a binary task"):
        render_spec(name="g", data_source="g.csv", target="class", roles=roles,
                    primary_metric="rmse")
    with pytest.raises(SpecError, match=r"name: 'my project' is not a valid name"):
        render_spec(name="my project", data_source="g.csv", target="class", roles=roles)
    with pytest.raises(ValueError, match=r"roles were inferred for 'class', not 'age'"):
        render_spec(name="g", data_source="g.csv", target="age", roles=roles)


def test_rendering_is_deterministic():
    assert render("german_credit", "class") == render("german_credit", "class")


def test_boolean_target_round_trips_as_boolean():
    df = pd.DataFrame({"x": range(20), "churned": [True, False, False, False] * 5})
    roles = infer_roles(df, "churned")
    assert (roles.task, roles.target_kind, roles.positive_class) == ("binary", "boolean", True)
    spec = parse_spec(yaml.safe_load(render_spec(name="b", data_source="b.csv",
                                                 target="churned", roles=roles)))
    assert spec.task.positive_class is True
