"""CatBoost's defaults (native categories, 2 threads) on the benchmark split: test score and
fit time of one fit, the check behind leaving CatBoost out of the 60 s search (slower
than five folds allow, and below mlsprint on four of five binary datasets). Runs in
AutoGluon's env, which has CatBoost:

    bench/.envs/autogluon/bin/python bench/automl/catboost_defaults.py german_credit compas
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worker  # noqa: E402


def main(names: list[str]) -> int:
    from catboost import CatBoostClassifier, CatBoostRegressor

    for name in names:
        train, test, task, target, positive = worker.load(name, 0)
        X, Xt = train.drop(columns=[target]), test.drop(columns=[target])
        cats = [c for c in X.columns if X[c].dtype.kind not in "biuf"]
        for frame in (X, Xt):
            frame[cats] = frame[cats].fillna("NA").astype(str)
        cls = CatBoostRegressor if task == "regression" else CatBoostClassifier
        model = cls(thread_count=2, random_seed=0, verbose=0, cat_features=cats)
        start = time.perf_counter()
        model.fit(X, train[target])
        seconds = time.perf_counter() - start
        out = model.predict(Xt) if task == "regression" else model.predict_proba(Xt)
        value = worker.score(task, test[target], out, list(getattr(model, "classes_", [])),
                             positive)
        print(f"{name}: {worker.METRIC[task]} {value:.4f}, one fit {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["german_credit", "compas", "bank_marketing",
                                           "adult", "credit_default"]))
