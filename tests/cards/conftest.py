"""Evidence of a real candidate on german_credit, produced by the evaluation stages."""

from __future__ import annotations

import numpy as np
import pytest
from lightgbm import LGBMClassifier
from sklearn.linear_model import LogisticRegression

from evaluation.conftest import Credit, credit_spec, fit_pipeline, read_dataset
from mlsprint.data.contract import infer_contract
from mlsprint.evaluation import (
    Evidence,
    assess_calibration,
    business_value,
    check_edge_cases,
    evaluate_holdout,
    explain_global,
    measure_latency,
)
from mlsprint.fairness import audit_fairness

SPEC = dict(business={"cost_matrix": {"true_positive_value": 100, "false_positive_cost": 400,
                                      "false_negative_cost": 0}, "currency": "EUR"})


@pytest.fixture(scope="session")
def card_spec():
    return credit_spec(**SPEC)


@pytest.fixture(scope="session")
def evidence(card_spec) -> Evidence:
    return build_evidence(card_spec)


def build_evidence(card_spec) -> Evidence:
    """Run the evaluation stages on a german_credit candidate and collect the evidence."""
    df = read_dataset("german_credit")
    rows = np.random.default_rng(11).permutation(len(df))
    train, test = df.iloc[rows[:700]], df.iloc[rows[700:]]
    credit = Credit(card_spec, infer_contract(train, card_spec), train.drop(columns="class"),
                    train["class"], test.drop(columns="class"), test["class"])
    model = fit_pipeline(credit, "tree", LGBMClassifier(n_estimators=60, num_leaves=15,
                                                        n_jobs=1, verbose=-1))
    linear = fit_pipeline(credit, "linear", LogisticRegression(max_iter=2000))
    X, y = credit.X_test, credit.y_test
    p, pb = model.predict_proba(X)[:, 1], linear.predict_proba(X)[:, 1]
    kw = dict(positive_class="good", n_boot=200, random_state=0)
    return Evidence(
        profile={"n_rows": 700, "n_columns": 21, "pii_columns": [],
                 "findings": [{"level": "info", "message": "no missing values"}]},
        leaderboard={"best": "lightgbm", "rows": [{"name": "lightgbm", "score": 0.77}]},
        holdout=evaluate_holdout(y, p, task="binary", metrics=["accuracy", "log_loss"],
                                 primary="roc_auc", baseline_pred={"linear": pb}, **kw),
        calibration=assess_calibration(y, p, positive_class="good"),
        fairness=audit_fairness(y, np.where(p >= 0.5, "good", "bad"), p,
                                X[["personal_status", "age"]], **kw),
        business=business_value(y, p, cost_matrix=card_spec.business.cost_matrix,
                                task="binary", positive_class="good"),
        importance=explain_global(model, X, y, primary="roc_auc", task="binary",
                                  positive_class="good", n_repeats=2),
        edge_cases=check_edge_cases(model, X, credit.contract),
        latency=measure_latency(model, X, repeats=10, batch_sizes=(100, 1000)),
        monitoring_configured=True,
        lineage={"data_fingerprints": {"train": "sha256:abc", "holdout": "sha256:def"},
                 "code_version": "0.1.0+g796fae9", "seed": 42, "run_ids": {"train": "r1"},
                 "package_versions": {"scikit-learn": "1.9.1", "lightgbm": "4.7.0"}},
    )
