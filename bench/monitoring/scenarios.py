"""Calibration study: planted drift in real data, mlsprint's default tests vs Evidently's.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/monitoring/scenarios.py --reps 10 \
        --out bench/results/monitoring_scenarios.json

For each dataset (adult, bank_marketing), size n (1,000 and 20,000) and repetition, the
rows are shuffled (seeded) and cut into a reference and a current window of n rows each:
the same distribution, so every column is undrifted unless a drift is planted. Each
scenario plants one kind of drift, at one of three severities, into ONE column (the others
are the undrifted controls: "one drifted column among many"); the ``control`` scenario
plants nothing.

Kinds and severities:
  mean_shift      +0.1 / +0.25 / +0.5 reference sd (integer columns rounded back to integers)
  variance        spread around the mean x 1.1 / 1.25 / 1.5
  category_mix    10 / 25 / 50 % of rows re-drawn uniformly from the levels other than the
                  most frequent one (the mix moves away from the top level)
  new_category    1 / 5 / 10 % of rows get a level never seen in the reference
  missing_jump    +5 / +15 / +30 points of missing values

A column is *flagged* when any of its checks is at least a warning (mlsprint) or when
Evidently's default test marks it drifted. Evidently's figures come from
``mlsprint.monitoring.evidently_stats``, which the oracle tests pin to Evidently 0.7.23's
own output to 1e-9 on real data; Evidently drops missing values before testing.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mlsprint.data.contract import infer_contract
from mlsprint.monitoring import build_reference, detect_drift, evidently_stattest
from mlsprint.spec import parse_spec

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DATASETS = {
    "adult": {
        "numeric": ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss",
                    "hours-per-week"],
        "categorical": ["workclass", "education", "marital-status", "occupation",
                        "relationship", "race", "sex", "native-country"],
        "plant_numeric": ["age", "fnlwgt", "education-num", "hours-per-week"],
    },
    "bank_marketing": {
        "numeric": ["age", "balance", "day", "campaign", "pdays", "previous"],
        "categorical": ["job", "marital", "education", "default", "housing", "loan",
                        "contact", "month", "poutcome"],
        "plant_numeric": ["age", "balance", "day", "campaign"],
    },
}
SEVERITIES = {
    "mean_shift": (0.1, 0.25, 0.5),
    "variance": (1.1, 1.25, 1.5),
    "category_mix": (0.10, 0.25, 0.50),
    "new_category": (0.01, 0.05, 0.10),
    "missing_jump": (0.05, 0.15, 0.30),
}


def load(name: str) -> pd.DataFrame:
    spec = DATASETS[name]
    df = pd.read_csv(DATA / f"{name}.csv.gz")[spec["numeric"] + spec["categorical"]]
    for col in spec["categorical"]:
        df[col] = df[col].astype("object").where(df[col].notna(), None)
    return df


def plant(cur: pd.DataFrame, ref: pd.DataFrame, kind: str, severity: float, column: str,
          rng: np.random.Generator) -> pd.DataFrame:
    cur = cur.copy()
    x = cur[column]
    if kind in ("mean_shift", "variance"):
        values = x.to_numpy(dtype="float64")
        sd, mean = float(np.nanstd(ref[column])), float(np.nanmean(ref[column]))
        new = values + severity * sd if kind == "mean_shift" else mean + severity * (values - mean)
        if np.allclose(ref[column].dropna() % 1, 0):
            new = np.round(new)
        cur[column] = new
    elif kind == "category_mix":
        levels = ref[column].value_counts().index[1:].to_numpy()  # all but the top level
        move = x.notna().to_numpy() & (rng.random(len(x)) < severity)
        cur.loc[move, column] = rng.choice(levels, size=int(move.sum()))
    elif kind == "new_category":
        hit = rng.random(len(x)) < severity
        cur.loc[hit, column] = "__new_level__"
    elif kind == "missing_jump":
        hit = rng.random(len(x)) < severity
        cur.loc[hit, column] = np.nan if column in ref.select_dtypes("number") else None
    return cur


def scenario_list(name: str, rep: int) -> list[tuple[str, float, str | None]]:
    spec = DATASETS[name]
    num, cat = spec["plant_numeric"], [c for c in spec["categorical"] if c != "default"]
    out: list[tuple[str, float, str | None]] = [("control", 0.0, None)]
    for kind, levels in SEVERITIES.items():
        for level in levels:
            if kind in ("mean_shift", "variance"):
                column = num[rep % len(num)]
            elif kind == "missing_jump":
                pool = num + cat
                column = pool[rep % len(pool)]
            else:
                column = cat[rep % len(cat)]
            out.append((kind, level, column))
    return out


def run_one(ref: pd.DataFrame, cur: pd.DataFrame, contract, columns: list[str]
            ) -> tuple[dict, dict]:
    reference = build_reference(ref, contract=contract, predictions=np.zeros(len(ref)),
                                sample_rows=5000, random_state=0)
    report = detect_drift(reference, cur)
    ours = {c: any(ch.level != "ok" for ch in report.checks if ch.column == c)
            for c in columns}
    numeric = set(ref.select_dtypes("number").columns)
    theirs = {}
    for c in columns:
        r = ref[c].dropna().to_numpy()
        k = cur[c].dropna().to_numpy()
        theirs[c] = bool(evidently_stattest(r, k, numeric=c in numeric)[2]) if k.size else False
    return ours, theirs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--out", default="bench/results/monitoring_scenarios.json")
    args = parser.parse_args()
    records = []
    start = time.perf_counter()
    for name in DATASETS:
        df = load(name)
        spec = parse_spec({"name": "p", "task": {"type": "regression"},
                           "data": {"source": "d.csv", "target": "__none__"}})
        contract = infer_contract(df, spec)
        columns = list(df.columns)
        for n in map(int, args.sizes.split(",")):
            for rep in range(args.reps):
                rng = np.random.default_rng(1000 * rep + n)
                idx = rng.permutation(len(df))
                ref = df.iloc[idx[:n]].reset_index(drop=True)
                base = df.iloc[idx[n:2 * n]].reset_index(drop=True)
                for kind, severity, column in scenario_list(name, rep):
                    cur = base if column is None else plant(base, ref, kind, severity, column, rng)
                    ours, theirs = run_one(ref, cur, contract, columns)
                    records.append({"dataset": name, "n": n, "rep": rep, "kind": kind,
                                    "severity": severity, "column": column,
                                    "ours": ours, "evidently": theirs})
        print(f"{name} done after {time.perf_counter() - start:.0f}s", flush=True)
    summary = summarise(records)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"summary": summary, "reps": args.reps,
                                          "seconds": time.perf_counter() - start}, indent=1))
    print(json.dumps(summary, indent=1))
    return 0


def summarise(records: list[dict]) -> dict:
    out: dict = {"false_alarm": {}, "recall": {}}
    for tool in ("ours", "evidently"):
        for n in sorted({r["n"] for r in records}):
            rows = [r for r in records if r["n"] == n]
            flags = [flag for r in rows for c, flag in r[tool].items() if c != r["column"]]
            controls = [flag for r in rows if r["kind"] == "control" for flag in r[tool].values()]
            out["false_alarm"][f"{tool}/n={n}"] = {
                "all_undrifted_columns": round(float(np.mean(flags)), 4),
                "control_scenarios": round(float(np.mean(controls)), 4),
                "columns_checked": len(flags)}
            for kind, levels in SEVERITIES.items():
                for level in levels:
                    hits = [r[tool][r["column"]] for r in rows
                            if r["kind"] == kind and r["severity"] == level]
                    out["recall"][f"{tool}/n={n}/{kind}/{level}"] = round(float(np.mean(hits)), 3)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
