"""Edge cases run against real trained pipelines; each outcome is recorded.

Documented behaviour (german_credit, mlsprint's own preprocessors):
- missing values, unseen categories, empty strings in categorical columns, wrong-case
  labels, out-of-range numbers, +-1e308 and duplicated rows: a defined prediction from
  both the tree (LightGBM) and the linear pipeline;
- an empty string in a numeric column: the contract rejects it (wrong type), so serving
  answers 422 before the model sees it;
- +-inf and +-1e308: the tree pipeline predicts; the linear pipeline raises (sklearn's
  imputer rejects infinity, and scaling 1e308 overflows to infinity), unless the
  contract policy rejects out-of-range values first.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from mlsprint.evaluation import check_edge_cases
from mlsprint.spec.model import ContractPolicy

ALWAYS_DEFINED = {"missing_value", "unseen_category", "wrong_case", "above_range",
                  "below_range", "all_missing", "duplicated_rows"}
EXTREME = {"huge", "huge_negative", "positive_infinity", "negative_infinity"}


def _by(report, name):
    return [c for c in report.cases if c.name == name]


def test_tree_pipeline_defines_every_case(credit, lgbm_pipeline):
    report = check_edge_cases(lgbm_pipeline, credit.X_test, credit.contract)
    names = {c.name for c in report.cases}
    assert ALWAYS_DEFINED | {"empty_string", "positive_infinity"} <= names
    features = {c.name for c in credit.contract.features}
    assert {c.column for c in _by(report, "missing_value")} == features
    assert report.n_failed == 0, [c for c in report.cases if not c.passed]
    numeric_empty = [c for c in _by(report, "empty_string")
                     if credit.contract[c.column].kind == "numeric"]
    assert numeric_empty and all(c.outcome == "rejected" for c in numeric_empty)
    assert "wrong_type" in numeric_empty[0].detail


def test_linear_pipeline_fails_on_infinity_unless_the_contract_rejects_it(
        credit, linear_pipeline):
    report = check_edge_cases(linear_pipeline, credit.X_test, credit.contract)
    for case in report.cases:
        if case.name in ALWAYS_DEFINED:
            assert case.outcome == "defined", case
    inf = _by(report, "positive_infinity") + _by(report, "negative_infinity")
    assert inf and all(c.outcome == "error" and "infinity" in c.detail for c in inf)
    assert {c.name for c in report.failed} <= EXTREME
    strict = check_edge_cases(linear_pipeline, credit.X_test, credit.contract,
                              policy=ContractPolicy(out_of_range="reject"))
    assert strict.n_failed == 0
    assert all(c.outcome == "rejected" for c in strict.cases if c.name in EXTREME)


class _NanWhenMissing(ClassifierMixin, BaseEstimator):
    """A deliberately broken model: NaN probabilities for rows with a missing age."""

    def fit(self, X, y):
        self.classes_ = np.array(["bad", "good"])
        return self

    def predict_proba(self, X):
        p = np.where(X["age"].isna(), np.nan, 0.3)
        return np.column_stack([1 - p, p])


def test_undefined_outputs_are_caught(credit):
    model = _NanWhenMissing().fit(credit.X_train, credit.y_train)
    report = check_edge_cases(model, credit.X_test, credit.contract)
    bad = {(c.name, c.column) for c in report.failed}
    assert ("missing_value", "age") in bad and ("all_missing", None) in bad
    assert all(c.outcome == "undefined" and "non-finite" in c.detail for c in report.failed)
