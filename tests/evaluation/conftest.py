"""Fixtures for the evaluation tests: german_credit split, fitted pipelines (real data)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from mlsprint.data.contract import DataContract, infer_contract
from mlsprint.spec import parse_spec
from mlsprint.spec.model import ProjectSpec


def _root_conftest() -> ModuleType:
    """tests/conftest.py, loaded by path under its own name.

    ``from conftest import ...`` resolves to whichever conftest.py pytest imported last
    when a test directory without ``__init__.py`` has its own conftest.py (pytest
    re-binds the module name "conftest"); loading the root file by path avoids that.
    """
    name = "_mlsprint_tests_root_conftest"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "conftest.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


read_dataset = _root_conftest().read_dataset
unavailable = _root_conftest().unavailable


@dataclass(frozen=True)
class Credit:
    """german_credit: 700 training rows and a 300-row holdout, with spec and contract."""

    spec: ProjectSpec
    contract: DataContract
    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series


def credit_spec(**extra: Any) -> ProjectSpec:
    raw = {"name": "credit", "task": {"type": "binary", "positive_class": "good"},
           "data": {"source": "german_credit.csv.gz", "target": "class",
                    "columns": {"protected": [{"name": "personal_status"}, {"name": "age"}]}}}
    raw.update(extra)
    return parse_spec(raw)


@pytest.fixture(scope="session")
def credit() -> Credit:
    df = read_dataset("german_credit")
    spec = credit_spec()
    rows = np.random.default_rng(7).permutation(len(df))
    train, test = df.iloc[rows[:700]], df.iloc[rows[700:]]
    contract = infer_contract(train, spec)
    return Credit(spec, contract, train.drop(columns="class"), train["class"],
                  test.drop(columns="class"), test["class"])


def fit_pipeline(credit: Credit, kind: str, model: Any) -> Pipeline:
    from mlsprint.features.preprocessor import build_preprocessor

    pre = build_preprocessor(credit.contract, credit.spec, for_model=kind)
    return Pipeline([("pre", pre), ("model", model)]).fit(credit.X_train, credit.y_train)


@pytest.fixture(scope="session")
def lgbm_pipeline(credit: Credit) -> Pipeline:
    from lightgbm import LGBMClassifier

    return fit_pipeline(credit, "tree", LGBMClassifier(n_estimators=60, num_leaves=15,
                                                       n_jobs=1, verbose=-1, random_state=0))


@pytest.fixture(scope="session")
def linear_pipeline(credit: Credit) -> Pipeline:
    from sklearn.linear_model import LogisticRegression

    return fit_pipeline(credit, "linear", LogisticRegression(max_iter=2000))
