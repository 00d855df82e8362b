"""Each rule fires on a planted effect and stays quiet without it (synthetic data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlsprint.data.profiling import THRESHOLDS, profile
from mlsprint.data.profiling.findings import quality_findings
from mlsprint.data.profiling.leakage import name_hints, pure_subsets, reconstructions
from mlsprint.data.profiling.summary import summarize_column, summarize_target
from mlsprint.errors import DataError
from mlsprint.spec import parse_spec

N = 3000
rng = np.random.default_rng(1)


def spec(task="binary", positive=1, target="y", **columns):
    return parse_spec({"name": "t", "task": {"type": task, "positive_class": positive},
                       "data": {"source": "t.csv", "target": target, "columns": columns}})


def base_frame(n=N) -> pd.DataFrame:
    x = rng.normal(size=n)
    y = (x + rng.normal(size=n) > 0.8).astype(int)  # about 25 % positive, AUC ~0.8
    return pd.DataFrame({"x": x, "c": rng.choice(list("abcd"), n), "y": y})


def rules(report, rule):
    return [f for f in report.findings if f.rule == rule]


def test_clean_frame_has_no_critical_or_leakage_findings():
    report = profile(base_frame(), spec())
    assert not report.by_severity("critical")
    assert not [f for f in report.findings if f.rule.startswith("leakage")]
    assert report.excluded_columns == ()


def test_a_copy_of_the_target_is_critical_and_excluded():
    df = base_frame()
    df["leak"] = df["y"] * 3 + rng.normal(scale=0.01, size=N)
    report = profile(df, spec())
    single = rules(report, "leakage_single_feature")
    assert [(f.columns, f.severity) for f in single] == [(("leak",), "critical")]
    assert single[0].evidence["score"] > 0.99
    assert report.excluded_columns == ("leak",)


def test_reconstruction_needs_the_exact_formula():
    a, b = rng.integers(0, 50, N), rng.integers(0, 50, N)
    X = pd.DataFrame({"a": a, "b": b, "noise": rng.normal(size=N)})
    assert [r.formula for r in reconstructions(X, pd.Series(a - b, name="t"))] == ["a - b == t"]
    assert [r.formula for r in reconstructions(X, pd.Series(a * b, name="t"))] == ["a * b == t"]
    near = pd.Series(a + b + (rng.random(N) < 0.01), name="t")  # 1 % of rows differ
    assert reconstructions(X, near) == []


def test_missingness_that_marks_the_outcome_is_a_pure_subset():
    df = base_frame()
    df["after"] = np.where(df["y"] == 1, rng.normal(size=N), np.nan)
    out = pure_subsets(df[["after", "x"]], df["y"], task="binary", positive_class=1)
    assert set(out) == {"after"}
    assert out["after"]["class_rate"] == 1.0 and out["after"]["value"] in ("present", "missing")


@pytest.mark.parametrize(("name", "target", "hit"), [
    ("is_recid", "two_year_recid", True), ("call_duration", "y", True),
    ("event", "churn", True), ("EndDate", "churn", True), ("poutcome", "y", False),
    ("Sale Type", "SalePrice", True), ("year_built", "sale_year", False),
    ("amount", "class", False),
])
def test_name_hints(name, target, hit):
    assert (name in name_hints([name], target)) is hit


def test_a_post_outcome_name_is_critical_only_with_signal():
    df = base_frame()
    df["duration"] = df["x"] * 10  # same signal as x (AUC ~0.8)
    df["outcome_code"] = rng.normal(size=N)  # a suspicious name, no signal
    report = profile(df, spec())
    named = {f.columns[0]: f.severity for f in rules(report, "leakage_name")}
    assert named == {"duration": "critical", "outcome_code": "warning"}
    assert "duration" in report.excluded_columns
    assert "outcome_code" not in report.excluded_columns


def test_quality_rules_fire_on_planted_columns():
    n = 2000
    df = pd.DataFrame({
        "const": ["k"] * n,
        "near": ["a"] * (n - 5) + ["b"] * 5,
        "miss": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
        "code": [f"c{i % 400}" for i in range(n)],
        "mixed": [str(i) if i % 10 else f"V{i}" for i in range(n)],
        "heavy": rng.lognormal(sigma=1.5, size=n),
        "y": (rng.random(n) < 0.05).astype(int),
    })
    cols = [summarize_column(df[c]) for c in df.columns if c != "y"]
    found = {(f.rule, f.columns[0], f.severity)
             for f in quality_findings(cols, summarize_target(df["y"], "binary", 1))}
    assert {("constant", "const", "warning"), ("near_constant", "near", "info"),
            ("missing_values", "miss", "warning"), ("high_cardinality", "code", "warning"),
            ("mixed_types", "mixed", "warning"), ("outliers", "heavy", "info"),
            ("skew", "heavy", "info"), ("class_imbalance", "y", "warning")} <= found
    assert not {r for r, c, _ in found if c == "code"} - {"high_cardinality"}


def test_class_imbalance_states_the_training_handling():
    df = base_frame()
    df["y"] = (rng.random(N) < 0.08).astype(int)
    f = rules(profile(df, spec()), "class_imbalance")[0]
    assert f.severity == "warning" and "class weights" in f.action
    assert "threshold" in f.action and "out-of-fold" in f.action


def test_duplicates_with_and_without_ids():
    df = base_frame(1000)
    df = pd.concat([df, df.iloc[:50]], ignore_index=True)
    df.insert(0, "row_id", np.arange(len(df)))
    report = profile(df, spec())
    dup = {f.severity: f.evidence for f in rules(report, "duplicate_rows")}
    assert dup["info"]["duplicate_rows_ignoring_ids"] == 50 and "warning" not in dup
    assert report.exclusion_reasons["row_id"] == "identifier"


def test_time_column_trend_and_order():
    n = 4000
    t = pd.date_range("2020-01-01", periods=n, freq="h")
    y = (rng.random(n) < np.linspace(0.1, 0.6, n)).astype(int)
    df = pd.DataFrame({"when": t.strftime("%Y-%m-%d %H:%M"), "x": rng.normal(size=n),
                       "y": y})
    report = profile(df, spec())
    assert report.time_column == "when" and report.time_ordered
    assert rules(report, "temporal_target_trend")[0].evidence["effect"] > 0.3
    shuffled = profile(df.sample(frac=1, random_state=0), spec())
    assert not shuffled.time_ordered
    assert rules(shuffled, "temporal_out_of_order")[0].evidence["share"] > 0.4


def test_row_order_fires_on_sorted_rows_only():
    df = base_frame()
    assert not rules(profile(df, spec()), "row_order")
    assert rules(profile(df.sort_values("y"), spec()), "row_order")


def test_spec_roles_override_detection():
    df = base_frame()
    df["shop"] = rng.integers(0, 40, N)
    df["t"] = np.arange(N)
    report = profile(df, spec(group="shop", time=["t"], exclude=["c"]))
    assert report.group_column == "shop" and report.time_column == "t"
    assert report.exclusion_reasons["c"] == "listed in data.columns.exclude"
    assert "c" not in report.feature_scores


def test_regression_and_multiclass_tasks_profile():
    df = base_frame()
    df["amount"] = df["x"] * 5 + rng.normal(size=N)
    reg = profile(df.drop(columns="y"), spec("regression", None, "amount"))
    assert reg.score_metric == "r2" and reg.feature_scores["x"] > 0.8
    df["k"] = rng.choice(["p", "q", "r"], N)
    multi = profile(df, spec("multiclass", None, "k"))
    assert multi.score_metric == "roc_auc_ovr" and 0.4 < multi.feature_scores["x"] < 0.6


def test_missing_target_column_is_a_clear_error():
    with pytest.raises(DataError, match=r"target column 'Y' .* not in the data.*'y'"):
        profile(base_frame(), spec(target="Y"))
    with pytest.raises(DataError, match="profiling needs at least 10"):
        profile(base_frame(5), spec())
    with pytest.raises(DataError, match=r"positive_class 'yes' is not a value of the target "
                                        r"'y' \(values: \['0', '1'\]\)"):
        profile(base_frame(), spec(positive="yes"))


def test_every_rule_has_a_threshold_text():
    report = profile(base_frame(), spec())
    assert set(report.thresholds) == set(THRESHOLDS)
    assert "0.95" in THRESHOLDS["leakage_single_feature"]
