"""How the boosting rounds early stopping picks grow with training rows.

LightGBM's defaults (learning rate 0.1), early stopping (patience 50) on a fixed seeded
20 % of each benchmark dataset's training split, fitted on growing seeded subsamples of
the rest. The slope of log(rounds) on log(rows) is what a refit on more rows than the
search's folds needs to scale the rounds by.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/rounds_scaling.py elec2 adult
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
import worker  # noqa: E402

SIZES = (1_000, 2_500, 5_000, 10_000, 20_000, 40_000)


def main(names: list[str]) -> int:
    for name in names:
        train, _, task, target, positive = worker.load(name, 0)
        X = worker._categorical(train.drop(columns=[target]))
        y = train[target]
        if task == "binary":
            y = (y == positive).astype(int)
        elif task == "multiclass":
            y = y.astype("category").cat.codes
        order = np.random.default_rng(0).permutation(len(y))
        valid, rest = order[: len(y) // 5], order[len(y) // 5:]
        sizes = [n for n in SIZES if n < len(rest)] + [len(rest)]
        cls = lgb.LGBMRegressor if task == "regression" else lgb.LGBMClassifier
        points = []
        for n in sizes:
            rounds = []
            for seed in range(3):
                part = np.random.default_rng(seed).choice(rest, n, replace=False)
                model = cls(n_estimators=10_000, n_jobs=2, random_state=seed, verbose=-1)
                model.fit(X.iloc[part], y.iloc[part], eval_set=[(X.iloc[valid], y.iloc[valid])],
                          callbacks=[lgb.early_stopping(50, verbose=False)])
                rounds.append(model.best_iteration_ or 10_000)
            points.append((n, float(np.median(rounds))))
            print(f"{name}: {n:>6,} rows: best rounds {rounds} (median {points[-1][1]:.0f})",
                  flush=True)
        logs = np.log(np.array(points))
        slope = np.polyfit(logs[:, 0], logs[:, 1], 1)[0]
        print(f"{name}: slope of log(rounds) on log(rows) = {slope:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["elec2"]))
