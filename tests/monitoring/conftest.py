"""Fixtures of the monitoring tests: the committed real-data samples and references built
from them (small, so the whole area runs in well under a minute)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlsprint.data.contract import infer_contract
from mlsprint.monitoring import build_reference
from mlsprint.spec import parse_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "monitoring"
GOLDEN = json.loads((FIXTURES / "golden_evidently.json").read_text())
SIZES = {"small": (800, 500), "large": (3000, 2000)}


def read_pair(dataset: str, size: str = "large") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and current samples, read exactly as ``make_fixtures.py`` reads them."""
    case = GOLDEN["cases"][f"{dataset}/large"]
    dtypes = {c: str for c in case["categorical"]}
    n_ref, n_cur = SIZES[size]
    ref = pd.read_csv(FIXTURES / f"{dataset}_reference.csv", dtype=dtypes).head(n_ref)
    cur = pd.read_csv(FIXTURES / f"{dataset}_current.csv", dtype=dtypes).head(n_cur)
    return ref, cur


def make_reference(frame: pd.DataFrame, *, sample_rows: int = 5000, predictions=None,
                   importance=None, task: str = "regression", target: str = "__none__",
                   target_values=None, classes_from=None) -> tuple[dict, object]:
    """A reference of ``frame`` with every column a feature (as the lead's workflow does)."""
    spec_task = {"type": task}
    if task == "binary":
        spec_task["positive_class"] = "1"
    spec = parse_spec({"name": "p", "task": spec_task,
                       "data": {"source": "d.csv", "target": target}})
    data = frame if classes_from is None else frame.assign(**{target: classes_from})
    contract = infer_contract(data, spec)
    preds = np.zeros(len(frame)) if predictions is None else predictions
    ref = build_reference(frame, contract=contract, predictions=preds, target=target_values,
                          importance=importance, sample_rows=sample_rows, random_state=0)
    return ref, contract


@pytest.fixture(scope="session")
def adult_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_pair("adult")
