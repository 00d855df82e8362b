"""Fixtures of the training tests: small real datasets with their spec, contract and plan."""

from __future__ import annotations

import os

# Budgeted searches are timed: with the default (active) OpenMP wait policy a LightGBM or
# XGBoost fit on a busy 2-core machine spins and runs 10-30x slower (measured: 0.4 s vs
# 3-10 s). `make test` exports it too; this covers a direct `pytest tests/training`, as
# long as nothing loaded the OpenMP runtime before this file.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from tests.conftest import read_dataset

from mlsprint.data.contract import DataContract, infer_contract
from mlsprint.data.split import SplitPlan
from mlsprint.spec import ProjectSpec, parse_spec


@dataclass(frozen=True)
class Problem:
    X: pd.DataFrame
    y: pd.Series
    spec: ProjectSpec
    contract: DataContract
    plan: SplitPlan

    def kwargs(self) -> dict[str, Any]:
        return {"contract": self.contract, "spec": self.spec, "plan": self.plan}


def scoring_context(y: Any, scorer: Any, task: str) -> SimpleNamespace:
    """What ``CandidatePool.choose`` and ``final_pipeline`` read of a ``CVContext``, for
    pools of made-up out-of-fold predictions."""
    return SimpleNamespace(cache=SimpleNamespace(y=y), scorer=scorer, sample_weight=None,
                           task=task, n_jobs=1, random_state=0)


def make_problem(df: pd.DataFrame, spec_dict: dict[str, Any], plan: SplitPlan) -> Problem:
    spec = parse_spec(spec_dict)
    contract = infer_contract(df, spec)
    target = spec.data.target
    return Problem(df.drop(columns=[target]), df[target], spec, contract, plan)


def german_spec(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "german", "seed": 7,
        "task": {"type": "binary", "positive_class": "bad"},
        "data": {"source": "german_credit.csv.gz", "target": "class"},
        "training": {"families": ["linear", "lightgbm", "xgboost"], "n_jobs": 2},
    }
    base.update(extra)
    return base


STRATIFIED = SplitPlan("stratified", None, "test", n_folds=3, stratify=True)


@pytest.fixture(scope="session")
def german() -> Problem:
    return make_problem(read_dataset("german_credit"), german_spec(), STRATIFIED)


@pytest.fixture(scope="session")
def ames() -> Problem:
    df = read_dataset("ames_housing").sample(600, random_state=0).reset_index(drop=True)
    spec = {"name": "ames", "task": {"type": "regression"},
            "data": {"source": "ames.csv.gz", "target": "SalePrice",
                     "columns": {"id": ["Order", "PID"]}},
            "training": {"families": ["linear", "lightgbm"]}}
    return make_problem(df, spec, SplitPlan("random", None, "test", n_folds=3))


@pytest.fixture(scope="session")
def beans() -> Problem:
    df = read_dataset("dry_bean").sample(500, random_state=0).reset_index(drop=True)
    spec = {"name": "beans", "task": {"type": "multiclass"},
            "data": {"source": "dry_bean.csv.gz", "target": "Class"},
            "training": {"families": ["linear", "hist_gradient_boosting"]}}
    return make_problem(df, spec, STRATIFIED)


@pytest.fixture(scope="session")
def german_result(german: Problem) -> Any:
    from mlsprint.training import search

    return search(german.X, german.y, n_trials=5, **german.kwargs())
