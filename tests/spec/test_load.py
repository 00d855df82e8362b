"""load_spec: every bad spec gives one clear message naming the file and the field."""

from __future__ import annotations

import re

import pytest

from mlsprint.errors import SpecError
from mlsprint.spec import did_you_mean, load_spec

OK_TASK = "task: {type: regression}\n"
OK_DATA = "data: {source: d.csv, target: y}\n"

BAD_SPECS = {
    "bad_yaml": ("name: p\ntask: {type: binary\ndata: x\n",
                 "bad_yaml.yaml: line 3, column 5: invalid YAML: expected ',' or '}', "
                 "but got ':'; fix the syntax"),
    "tab_indent": ("name: p\n\ttask: 1\n",
                   "tab_indent.yaml: line 2, column 1: invalid YAML: found character "
                   "'\\t' that cannot start any token; fix the syntax"),
    "unknown_key": ("name: p\ntask: {type: regression, primry_metric: rmse}\n" + OK_DATA,
                    "unknown_key.yaml: task.primry_metric: unknown key (did you mean "
                    "'primary_metric'?); remove it or fix its spelling; allowed keys here: "
                    "type, positive_class, primary_metric, secondary_metrics"),
    "unknown_section": ("name: p\n" + OK_TASK + OK_DATA + "gates: {}\n",
                        "unknown_section.yaml: gates: unknown key (did you mean 'gate'?); "
                        "remove it or fix its spelling; allowed keys here: name, seed, "
                        "problem, task, data, split, features, training, business, gate, "
                        "serving, monitoring, tracking"),
    "wrong_type": ("name: p\n" + OK_TASK + OK_DATA + "split: {n_folds: many}\n",
                   "wrong_type.yaml: split.n_folds: Input should be a valid integer, unable "
                   "to parse string as an integer (got 'many')"),
    "missing_name": (OK_TASK + OK_DATA,
                     "missing_name.yaml: name: required field is missing; add it"),
    "missing_target": ("name: p\n" + OK_TASK + "data: {source: d.csv}\n",
                       "missing_target.yaml: data.target: required field is missing; add it"),
    "bad_name": ("name: 'my project'\n" + OK_TASK + OK_DATA,
                 "bad_name.yaml: name: 'my project' is not a valid name; use letters, "
                 "digits, '_', '.' and '-', starting with a letter or digit (e.g. "
                 "'churn-model')"),
    "metric_for_task": ("name: p\ntask: {type: regression, primary_metric: roc_auc}\n"
                        + OK_DATA,
                        "metric_for_task.yaml: task: metric 'roc_auc' does not fit a "
                        "regression task; expected one of ['mae', 'mape', 'r2', 'rmse']"),
    "critical_below_warning": ("name: p\n" + OK_TASK + OK_DATA
                               + "monitoring: {psi: {warning: 0.3, critical: 0.2}}\n",
                               "critical_below_warning.yaml: monitoring.psi: critical (0.2) "
                               "must be at least warning (0.3); swap the two values"),
    "sql_table_and_query": ("name: p\n" + OK_TASK + "data: {target: y, sql: {url: 'sqlite://'"
                            ", table: t, query: 'select 1'}}\n",
                            "sql_table_and_query.yaml: data.sql: give exactly one of "
                            "sql.table or sql.query"),
    "file_and_sql": ("name: p\n" + OK_TASK + "data: {source: d.csv, target: y, sql: "
                     "{url: 'sqlite://', table: t}}\n",
                     "file_and_sql.yaml: data: give exactly one of data.source (a file) or "
                     "data.sql"),
    "binary_without_positive": ("name: p\ntask: {type: binary}\n" + OK_DATA,
                                "binary_without_positive.yaml: task: a binary task needs "
                                "task.positive_class (the class to detect)"),
    "target_is_id": ("name: p\n" + OK_TASK + "data: {source: d.csv, target: y, columns: "
                     "{id: [y]}}\n",
                     "target_is_id.yaml: the target 'y' is also listed under "
                     "data.columns.id; remove it from there"),
    "unknown_task": ("name: p\ntask: {type: clustering}\n" + OK_DATA,
                     "unknown_task.yaml: task.type: Input should be 'binary', 'multiclass' "
                     "or 'regression' (got 'clustering')"),
    "not_a_mapping": ("- a\n- b\n",
                      "not_a_mapping.yaml: expected a mapping of sections (name, task, data, "
                      "...), got list; run 'mlsprint init' to write a valid spec"),
    "empty": ("", "empty.yaml: the spec is empty; run 'mlsprint init DIR --data FILE "
                  "--target COLUMN' to write one"),
    "fairness_ratio_above_one": ("name: p\n" + OK_TASK + OK_DATA + "gate: {fairness: "
                                 "{min_demographic_parity_ratio: 1.2}}\n",
                                 "fairness_ratio_above_one.yaml: gate.fairness."
                                 "min_demographic_parity_ratio: Input should be less than or "
                                 "equal to 1 (got 1.2)"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_message(tmp_path, case):
    text, message = BAD_SPECS[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match="^" + re.escape(message) + "$"):
        load_spec(path)


def test_every_error_is_listed_not_only_the_first(tmp_path):
    path = tmp_path / "mlsprint.yaml"
    path.write_text("name: p\n" + OK_TASK + OK_DATA
                    + "split: {n_folds: 1, holdout_fraction: 1.5}\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path)  # a folder means its mlsprint.yaml
    assert str(info.value).splitlines() == [
        "mlsprint.yaml: split.holdout_fraction: Input should be less than 1 (got 1.5)",
        "mlsprint.yaml: split.n_folds: Input should be greater than or equal to 2 (got 1)",
    ]


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(SpecError, match=r"no spec file here; create one with 'mlsprint init "):
        load_spec(tmp_path)


def test_protected_names_as_shorthand(tmp_path):
    path = tmp_path / "mlsprint.yaml"
    path.write_text("name: p\n" + OK_TASK + "data: {source: d.csv, target: y, columns: "
                    "{protected: [sex, {name: age, bins: [0, 30, 60]}]}}\n", encoding="utf-8")
    spec = load_spec(path)
    assert spec.protected_names == ["sex", "age"]
    assert spec.data.columns.protected[1].bins == [0, 30, 60]


@pytest.mark.parametrize(("value", "choices", "hint"), [
    ("Churn ", ["Churn", "x"], " (did you mean 'Churn'?)"),
    ("income", ["Income"], " (did you mean 'Income'?)"),
    ("incme", ["income", "age"], " (did you mean 'income'?)"),
    ("zzz", ["income", "age"], ""),
])
def test_did_you_mean(value, choices, hint):
    assert did_you_mean(value, choices) == hint
