"""A real trained pipeline and bundle on german_credit (artifacts, serving, bench)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SPEC = {
    "name": "german_credit",
    "task": {"type": "binary", "positive_class": "bad"},
    "data": {"source": "german_credit.csv.gz", "target": "class",
             "columns": {"protected": [{"name": "personal_status"}, {"name": "age"}]}},
}


@dataclass
class Trained:
    spec: object
    contract: object
    pipeline: object
    baseline: object
    train: pd.DataFrame
    test: pd.DataFrame


def _preprocessor(frame: pd.DataFrame):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    categorical = [c for c in frame.columns if c not in numeric]
    from sklearn.pipeline import make_pipeline

    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
    ])


def train_german_credit() -> Trained:
    """Fit LightGBM and a logistic baseline on 800 rows of german_credit."""
    from lightgbm import LGBMClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from mlsprint.data.contract import infer_contract
    from mlsprint.spec import parse_spec

    spec = parse_spec(SPEC)
    df = pd.read_csv(DATA / "german_credit.csv.gz")
    train, test = df.iloc[:800], df.iloc[800:].reset_index(drop=True)
    X, y = train.drop(columns="class"), train["class"]
    pipeline = Pipeline([
        ("pre", _preprocessor(X)),
        ("model", LGBMClassifier(n_estimators=60, num_leaves=15, verbose=-1, n_jobs=1,
                                 random_state=0)),
    ]).fit(X, y)
    baseline = Pipeline([("pre", _preprocessor(X)),
                         ("model", LogisticRegression(max_iter=1000))]).fit(X, y)
    return Trained(spec, infer_contract(train, spec), pipeline, baseline, train, test)


def write_bundle(trained: Trained, path: Path, *, threshold: float | None = 0.4,
                 group_thresholds=None) -> Path:
    from mlsprint.artifacts import save_bundle

    save_bundle(
        path, pipeline=trained.pipeline, baseline=trained.baseline,
        contract=trained.contract, spec=trained.spec,
        evidence={"holdout": {"roc_auc": 0.77}}, card_md="# Model card\n\ngerman_credit\n",
        card_html="<html><body><h1>Model card</h1></body></html>", reference=None,
        lineage={"seed": 42}, input_example=trained.train.drop(columns="class").head(3),
        threshold=threshold, group_thresholds=group_thresholds,
    )
    return path
