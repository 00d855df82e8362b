"""One benchmark run in one process: load a dataset, split 75/25 (seeded), fit, score.

Runs inside the virtualenv of the system it measures (mlsprint's .venv, or a peer's under
bench/.envs/), so it needs only pandas, numpy and scikit-learn besides that system.
Prints one JSON object on its last stdout line. Called by bench/automl/run.py:

    python bench/automl/worker.py SYSTEM DATASET BUDGET_SECONDS [--preset P] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score, root_mean_squared_error
from sklearn.model_selection import train_test_split

DATA = Path(os.environ.get("MLSPRINT_BENCH_DATA",
                           Path(__file__).resolve().parents[3] / "shared" / "data"))

# name: (task, target, positive class, columns dropped (ids, leakage), read options)
DATASETS: dict[str, tuple[str, str, Any, list[str], dict[str, Any]]] = {
    "german_credit": ("binary", "class", "bad", [], {}),
    "adult": ("binary", "income", ">50K", ["fnlwgt"], {}),
    "bank_marketing": ("binary", "y", "yes", ["duration"], {}),
    "credit_default": ("binary", "default_payment_next_month", 1, ["ID"], {}),
    "elec2": ("binary", "class", "UP", [], {}),
    "compas": ("binary", "two_year_recid", 1,
               ["id", "is_recid", "r_case_number", "r_charge_degree", "r_days_from_arrest",
                "r_offense_date", "r_charge_desc", "r_jail_in", "r_jail_out",
                "violent_recid", "is_violent_recid", "vr_case_number", "vr_charge_degree",
                "vr_offense_date", "vr_charge_desc", "event", "start", "end",
                "decile_score.1", "priors_count.1"], {}),
    "dry_bean": ("multiclass", "Class", None, [], {}),
    "diabetes_130us": ("multiclass", "readmitted", None, ["encounter_id", "patient_nbr"],
                       {"keep_default_na": False, "na_values": ["?"]}),
    "bike_sharing_hourly": ("regression", "cnt", None,
                            ["instant", "casual", "registered", "dteday"], {}),
    "ames_housing": ("regression", "SalePrice", None, ["Order", "PID"],
                     {"keep_default_na": False, "na_values": [""]}),
}
METRIC = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}


def load(name: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, str, str, Any]:
    """The seeded 75/25 split every system sees (stratified for classification)."""
    task, target, positive, drop, options = DATASETS[name]
    df = pd.read_csv(DATA / f"{name}.csv.gz", low_memory=False, **options)
    df = df.drop(columns=[c for c in drop if c in df.columns])
    df = df[df[target].notna()].reset_index(drop=True)
    strat = df[target] if task != "regression" else None
    train, test = train_test_split(df, test_size=0.25, random_state=seed, stratify=strat)
    return train.reset_index(drop=True), test.reset_index(drop=True), task, target, positive


def score(task: str, y_true: pd.Series, proba_or_pred: Any, classes: list[Any],
          positive: Any) -> float:
    if task == "regression":
        return float(root_mean_squared_error(y_true, np.asarray(proba_or_pred, dtype=float)))
    proba = np.asarray(proba_or_pred, dtype=float)
    names = [str(c) for c in classes]
    if task == "binary":
        pos = names.index(str(positive))
        return float(roc_auc_score((y_true.astype(str) == str(positive)).astype(int),
                                   proba[:, pos]))
    return float(log_loss(y_true.astype(str), proba, labels=names))


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("str", "string"):
            out[col] = out[col].astype("category")
    return out


def _align(train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    test = test.copy()
    for col in train.columns:
        if isinstance(train[col].dtype, pd.CategoricalDtype):
            test[col] = pd.Categorical(test[col], categories=train[col].cat.categories)
    return test


def run_lightgbm(train, test, task, target, positive, budget, preset, seed):
    import lightgbm as lgb

    X, y = _categorical(train.drop(columns=[target])), train[target]
    Xt = _align(X, test.drop(columns=[target]))
    cls = lgb.LGBMRegressor if task == "regression" else lgb.LGBMClassifier
    start = time.perf_counter()
    model = cls(n_jobs=2, random_state=seed, verbose=-1).fit(X, y)
    fit = time.perf_counter() - start
    out = model.predict(Xt) if task == "regression" else model.predict_proba(Xt)
    return out, list(getattr(model, "classes_", [])), fit, {"lightgbm": lgb.__version__}


def run_flaml(train, test, task, target, positive, budget, preset, seed):
    import flaml
    from flaml import AutoML

    X, y = _categorical(train.drop(columns=[target])), train[target]
    Xt = _align(X, test.drop(columns=[target]))
    automl = AutoML()
    start = time.perf_counter()
    automl.fit(X, y, task="regression" if task == "regression" else "classification",
               metric={"binary": "roc_auc", "multiclass": "log_loss",
                       "regression": "rmse"}[task],
               time_budget=budget, n_jobs=2, seed=seed, verbose=0)
    fit = time.perf_counter() - start
    out = automl.predict(Xt) if task == "regression" else automl.predict_proba(Xt)
    classes = list(automl.classes_) if task != "regression" else []
    return out, classes, fit, {"flaml": flaml.__version__, "best": automl.best_estimator}


def run_autogluon(train, test, task, target, positive, budget, preset, seed):
    import autogluon.tabular as agt
    from autogluon.tabular import TabularPredictor

    metric = {"binary": "roc_auc", "multiclass": "log_loss",
              "regression": "root_mean_squared_error"}[task]
    with tempfile.TemporaryDirectory(prefix="ag-bench-") as path:
        predictor = TabularPredictor(label=target, eval_metric=metric, path=path,
                                     verbosity=0)
        start = time.perf_counter()
        predictor.fit(train, time_limit=budget, presets=preset or "medium_quality",
                      num_cpus=2, num_gpus=0)
        fit = time.perf_counter() - start
        Xt = test.drop(columns=[target])
        if task == "regression":
            out, classes = predictor.predict(Xt).to_numpy(), []
        else:
            proba = predictor.predict_proba(Xt)
            out, classes = proba.to_numpy(), list(proba.columns)
        best = predictor.model_best
    return out, classes, fit, {"autogluon": agt.__version__, "best": best}


def mlsprint_problem(train, task, target, positive, seed):
    """The spec, contract and split plan of mlsprint's runs on the benchmark split."""
    from mlsprint.data.contract import infer_contract
    from mlsprint.data.split import SplitPlan
    from mlsprint.spec import parse_spec

    spec = parse_spec({"name": "bench", "seed": seed,
                       "task": {"type": task, "positive_class": positive},
                       "data": {"source": "bench.csv", "target": target},
                       "training": {"n_jobs": 2}})
    plan = SplitPlan("random" if task == "regression" else "stratified", None, "bench",
                     n_folds=5, stratify=task != "regression")
    return spec, infer_contract(train, spec), plan


def check_main(main) -> None:
    """Command line of the checks that run mlsprint's search on benchmark datasets:
    ``DATASET... [--budget S] [--seed N] [--results FILE]``; ``main(dataset, budget,
    seed)`` returns a JSON row, appended to FILE when given."""
    parser = argparse.ArgumentParser()
    parser.add_argument("datasets", nargs="+", choices=sorted(DATASETS))
    parser.add_argument("--budget", type=float, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", default=None)
    args = parser.parse_args()
    for dataset in args.datasets:
        row = main(dataset, args.budget, args.seed)
        print(json.dumps(row), flush=True)
        if args.results:
            with open(args.results, "a") as fh:
                fh.write(json.dumps(row) + "\n")


def run_mlsprint(train, test, task, target, positive, budget, preset, seed):
    import mlsprint
    from mlsprint.training import search

    start = time.perf_counter()
    spec, contract, plan = mlsprint_problem(train, task, target, positive, seed)
    X, y = train.drop(columns=[target]), train[target]
    # search() refits the chosen pipeline on every row it was given: all training rows,
    # as `mlsprint train --refit-full` does; the budget covers search and refit.
    used = time.perf_counter() - start
    result = search(X, y, contract=contract, spec=spec, plan=plan,
                    budget_seconds=budget - used, random_state=seed)
    fit = time.perf_counter() - start
    Xt = test.drop(columns=[target])
    model = result.pipeline
    out = model.predict(Xt) if task == "regression" else model.predict_proba(Xt)
    classes = list(getattr(model, "classes_", []))
    return out, classes, fit, {"mlsprint": mlsprint.__version__, "best": result.best,
                               "trials": result.n_trials, "oof_score": result.oof_score,
                               "search_seconds": result.search_seconds,
                               "refit_seconds": result.refit_seconds,
                               "refit_estimate_seconds": result.refit_estimate_seconds}


RUNNERS = {"lightgbm": run_lightgbm, "flaml": run_flaml, "autogluon": run_autogluon,
           "mlsprint": run_mlsprint}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("system", choices=sorted(RUNNERS))
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("budget", type=float)
    parser.add_argument("--preset", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    train, test, task, target, positive = load(args.dataset, args.seed)
    start = time.perf_counter()
    out, classes, fit, info = RUNNERS[args.system](train, test, task, target, positive,
                                                   args.budget, args.preset, args.seed)
    predict_done = time.perf_counter()
    value = score(task, test[target], out, classes, positive)
    print(json.dumps({"metric": METRIC[task], "value": value, "fit_seconds": fit,
                      "run_seconds": predict_done - start, "n_train": len(train),
                      "n_test": len(test), "task": task, "info": info}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
