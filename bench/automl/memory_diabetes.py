"""Peak memory and budget keeping of ``search`` on diabetes_130us (issue #4, item 7).

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/memory_diabetes.py [--budget 300]

Loads the full file (101,766 rows x 50 columns), keeps 80 % of the patients as training
rows (group split by ``patient_nbr``, as the data phase chooses for this dataset), runs the
model search with the budget and 5-fold group cross-validation, and prints one JSON line:
the wall time of the search (which includes its final refit) against the budget, and the
peak resident memory of the process (``ru_maxrss``), which must stay under 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "diabetes_130us.csv.gz"


def main(argv: list[str]) -> int:
    from mlsprint.data.contract import infer_contract
    from mlsprint.data.split import SplitPlan
    from mlsprint.spec import parse_spec
    from mlsprint.training import search

    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=300.0)
    args = parser.parse_args(argv)
    df = pd.read_csv(DATA, keep_default_na=False, na_values=["?"], low_memory=False)
    patients = df["patient_nbr"].unique()
    rng = np.random.default_rng(0)
    holdout = set(rng.choice(patients, size=len(patients) // 5, replace=False).tolist())
    train = df[~df["patient_nbr"].isin(holdout)].reset_index(drop=True)
    spec = parse_spec({
        "name": "diabetes", "task": {"type": "multiclass"},
        "data": {"source": "diabetes_130us.csv.gz", "target": "readmitted",
                 "na_values": ["?"], "keep_default_na": False,
                 "columns": {"id": ["encounter_id"], "group": "patient_nbr"}},
        "training": {"n_jobs": 2},
    })
    contract = infer_contract(train, spec)
    plan = SplitPlan("group", "patient_nbr", "repeated patients", n_folds=5, stratify=True)
    X = train.drop(columns=["readmitted"])
    start = time.perf_counter()
    result = search(X, train["readmitted"], contract=contract, spec=spec, plan=plan,
                    groups=train["patient_nbr"].to_numpy(), budget_seconds=args.budget)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "rows": len(train), "budget_seconds": args.budget, "wall_seconds": round(wall, 1),
        "within_10_percent": wall <= 1.1 * args.budget, "peak_rss_mb": round(peak_mb),
        "under_4_gb": peak_mb < 4096, "best": result.best, "oof_log_loss": result.oof_score,
        "trials": result.n_trials, "pruned": result.n_pruned, "cut": result.n_cut,
        "refit_seconds": round(result.refit_seconds, 1),
        "refit_estimate_seconds": round(result.refit_estimate_seconds, 1),
        "stop_reason": result.stop_reason, "load_average": os.getloadavg(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
