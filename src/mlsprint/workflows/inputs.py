"""What every model-fitting phase reads: the training rows, contract, plan, groups, weights.

Only training rows are read here; the holdout stays in its own folder until validation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.data.contract import DataContract, infer_contract
from mlsprint.data.split import SplitPlan
from mlsprint.workflows.context import Project
from mlsprint.workflows.split import PROFILE_STATE, ensure_split, load_train, read_split

__all__ = ["TrainingInputs", "split_xy", "training_inputs"]


@dataclass(frozen=True)
class TrainingInputs:
    X: pd.DataFrame
    y: pd.Series
    contract: DataContract
    plan: SplitPlan
    groups: np.ndarray | None
    sample_weight: np.ndarray | None
    fingerprints: dict[str, str]
    excluded: tuple[str, ...]


def split_xy(frame: pd.DataFrame, contract: DataContract) -> tuple[pd.DataFrame, pd.Series]:
    """Model inputs (every column a request carries) and the target."""
    return frame[contract.input_columns], frame[contract.target]


def _excluded(project: Project) -> tuple[str, ...]:
    path = project.paths.state / PROFILE_STATE
    if not path.exists():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8")).get("excluded_columns", ()))


def training_inputs(project: Project) -> TrainingInputs:
    """The training side of the split (cut first when none was), with the contract
    frozen from it."""
    ensure_split(project)
    recorded = read_split(project)
    train = load_train(project)
    excluded = _excluded(project)
    contract = infer_contract(train, project.spec, exclude=excluded)
    plan = SplitPlan(**recorded["plan"])
    X, y = split_xy(train, contract)
    groups = train[plan.column].to_numpy() if plan.strategy == "group" else None
    weight = project.spec.data.weight_column
    sample_weight: Any = train[weight].to_numpy(dtype="float64") if weight else None
    return TrainingInputs(X, y, contract, plan, groups, sample_weight,
                          recorded["fingerprints"], excluded)
