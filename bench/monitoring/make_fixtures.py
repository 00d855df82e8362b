"""Write the golden JSON fixtures that pin mlsprint's Evidently-compatible statistics and
CBPE to Evidently 0.7.23 and NannyML 0.13.1.

Run inside the peer environment (``bash bench/monitoring/make_envs.sh`` creates it):

    bench/.envs/evidently/bin/python bench/monitoring/make_fixtures.py

It first cuts small real-data samples into ``tests/fixtures/monitoring/*.csv`` (committed;
the tests read only those), then runs Evidently and NannyML on them and writes
``tests/fixtures/monitoring/golden_evidently.json`` and ``golden_cbpe.json``.
Rerun it whenever the statistics change.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "tests" / "fixtures" / "monitoring"

# name -> (file, numeric columns, categorical columns, how to cut reference / current)
DATASETS = {
    "adult": ("adult.csv.gz",
              ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss",
               "hours-per-week"],
              ["workclass", "education", "marital-status", "occupation", "relationship",
               "race", "sex", "native-country"]),
    "bank_marketing": ("bank_marketing.csv.gz",
                       ["age", "balance", "day", "campaign", "pdays", "previous"],
                       ["job", "marital", "education", "default", "housing", "loan",
                        "contact", "month", "poutcome"]),
    "bike_sharing_hourly": ("bike_sharing_hourly.csv.gz",
                            ["temp", "atemp", "hum", "windspeed", "hr", "cnt"],
                            ["season", "weathersit", "weekday", "workingday"]),
}
SIZES = {"small": (800, 500), "large": (3000, 2000)}  # <= 1000 and > 1000 reference rows
METHODS_NUM = ["psi", "ks", "wasserstein", "jensenshannon"]
METHODS_CAT = ["psi", "chisquare", "z", "jensenshannon"]


def cut_samples() -> None:
    """Reference: a seeded sample of the early rows; current: of the late rows (real drift)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (file, num, cat) in DATASETS.items():
        df = pd.read_csv(DATA / file)
        if name == "bike_sharing_hourly":
            for col in ("season", "weathersit", "weekday", "workingday"):
                df[col] = df[col].astype(str)
        cols = num + cat
        half = len(df) // 2
        ref = df.iloc[:half].sample(SIZES["large"][0], random_state=1)[cols]
        cur = df.iloc[half:].sample(SIZES["large"][1], random_state=2)[cols]
        ref.to_csv(OUT / f"{name}_reference.csv", index=False)
        cur.to_csv(OUT / f"{name}_current.csv", index=False)


def read_pair(name: str, size: str) -> tuple[pd.DataFrame, pd.DataFrame, list, list]:
    """The committed samples as the tests read them (categories as strings)."""
    _, num, cat = DATASETS[name]
    n_ref, n_cur = SIZES[size]
    ref = pd.read_csv(OUT / f"{name}_reference.csv", dtype={c: str for c in cat}).head(n_ref)
    cur = pd.read_csv(OUT / f"{name}_current.csv", dtype={c: str for c in cat}).head(n_cur)
    return ref, cur, num, cat


def _metric_values(snapshot) -> dict[str, float]:
    out = {}
    for item in snapshot.dict()["metrics"]:
        out[item["metric_name"]] = item["value"]
    return out


def evidently_golden() -> dict:
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import DriftedColumnsCount, ValueDrift

    golden: dict = {"evidently": __import__("evidently").__version__, "cases": {}}
    for name in DATASETS:
        for size in SIZES:
            ref, cur, num, cat = read_pair(name, size)
            definition = DataDefinition(numerical_columns=num, categorical_columns=cat)
            metrics, keys = [DriftedColumnsCount()], []
            for col in num + cat:
                metrics.append(ValueDrift(column=col))
                keys.append((col, "auto"))
                methods = METHODS_NUM if col in num else METHODS_CAT
                for method in methods:
                    if method == "z" and pd.concat([ref[col], cur[col]]).nunique() > 2:
                        continue
                    metrics.append(ValueDrift(column=col, method=method))
                    keys.append((col, method))
            snap = Report(metrics).run(Dataset.from_pandas(cur, data_definition=definition),
                                       Dataset.from_pandas(ref, data_definition=definition))
            items = snap.dict()["metrics"]
            share = items[0]["value"]["share"]
            columns: dict = {}
            for (col, method), item in zip(keys, items[1:], strict=True):
                value = float(item["value"])
                label = item["metric_name"]
                threshold = float(item["config"]["threshold"])
                p_test = "p_value" in label
                drifted = value <= threshold if "K-S" in label else (
                    value < threshold if p_test else value >= threshold)
                columns.setdefault(col, {})[method] = {
                    "value": value, "drifted": bool(drifted), "label": label}
            golden["cases"][f"{name}/{size}"] = {
                "dataset": name, "size": size, "numeric": num, "categorical": cat,
                "drift_share": share, "columns": columns}
    return golden


def cbpe_golden() -> dict:
    """A logistic model on bank_marketing's early rows; reference = next rows (labelled),
    analysis = the last rows. Scores are made over-confident so calibration matters."""
    import nannyml as nml
    from sklearn.linear_model import LogisticRegression

    df = pd.read_csv(DATA / "bank_marketing.csv.gz")
    num = ["age", "balance", "day", "campaign", "pdays", "previous"]
    X = (df[num] - df[num].mean()) / df[num].std()
    X["housing"] = (df["housing"] == "yes").astype(float)
    X["loan"] = (df["loan"] == "yes").astype(float)
    y = (df["y"] == "yes").astype(int)
    model = LogisticRegression(max_iter=1000).fit(X.iloc[:10000], y.iloc[:10000])
    logit = model.decision_function(X)
    score = 1 / (1 + np.exp(-(1.8 * logit + 0.6)))  # deliberately miscalibrated
    frame = pd.DataFrame({"y_pred_proba": np.round(score, 10), "y_true": y})
    frame["y_pred"] = (frame["y_pred_proba"] >= 0.5).astype(int)
    reference = frame.iloc[10000:20000].reset_index(drop=True)
    analysis = frame.iloc[35000:40000].reset_index(drop=True)
    reference.to_csv(OUT / "cbpe_reference.csv", index=False)
    analysis.to_csv(OUT / "cbpe_analysis.csv", index=False)
    reference = pd.read_csv(OUT / "cbpe_reference.csv")
    analysis = pd.read_csv(OUT / "cbpe_analysis.csv")
    est = nml.CBPE(y_pred_proba="y_pred_proba", y_pred="y_pred", y_true="y_true",
                   problem_type="classification_binary", metrics=["roc_auc", "f1", "accuracy"],
                   chunk_number=1)
    est.fit(reference)
    result = est.estimate(analysis.drop(columns=["y_true"])).filter(period="analysis").to_df()
    values = {m: float(result[(m, "value")].iloc[0]) for m in ("roc_auc", "f1", "accuracy")}
    realized = {
        "accuracy": float((analysis["y_pred"] == analysis["y_true"]).mean()),
    }
    return {"nannyml": nml.__version__, "needs_calibration": bool(est.needs_calibration),
            "estimates": values, "realized": realized, "threshold": 0.5}


def main() -> int:
    warnings.filterwarnings("ignore")
    cut_samples()
    (OUT / "golden_evidently.json").write_text(json.dumps(evidently_golden(), indent=1))
    (OUT / "golden_cbpe.json").write_text(json.dumps(cbpe_golden(), indent=1))
    print("wrote", sorted(p.name for p in OUT.iterdir()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
