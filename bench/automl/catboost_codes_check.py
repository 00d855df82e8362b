"""CatBoost on the benchmark split, one fit each on 2 threads: its defaults on the raw
columns (categories as text) and on mlsprint's tree preprocessor output (category codes),
for each seed given; then mlsprint's catboost family defaults (learning rate 0.08) with
the rounds one early-stopped fit on 80 % picks, grown to all rows as the search does
(seed 0). Tells whether the codes or the configuration cost what separates mlsprint's
CatBoost from CatBoost's own defaults:

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/catboost_codes_check.py adult \
        --seeds 0 1 2
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import worker  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from mlsprint.data.contract import infer_contract  # noqa: E402
from mlsprint.features import build_preprocessor  # noqa: E402
from mlsprint.spec import parse_spec  # noqa: E402
from mlsprint.training.catboost_codes import (  # noqa: E402
    CatBoostCodesClassifier,
    CatBoostCodesRegressor,
)
from mlsprint.training.estimators import category_codes  # noqa: E402
from mlsprint.training.families import FAMILIES, build_estimator, refit_rounds  # noqa: E402


def main(name: str, seeds: list[int]) -> None:
    from catboost import CatBoostClassifier, CatBoostRegressor

    train, test, task, target, positive = worker.load(name, 0)
    X, Xt, y = train.drop(columns=[target]), test.drop(columns=[target]), train[target]
    cls = CatBoostRegressor if task == "regression" else CatBoostClassifier
    common = dict(thread_count=2, verbose=0, allow_writing_files=False)

    def report(label: str, model, frame, seconds: float) -> None:
        out = model.predict(frame) if task == "regression" else model.predict_proba(frame)
        value = worker.score(task, test[target], out, list(getattr(model, "classes_", [])),
                             positive)
        print(f"{name} {label}: {worker.METRIC[task]} {value:.4f} ({seconds:.1f} s)",
              flush=True)

    raw, raw_t = X.copy(), Xt.copy()
    cats = [c for c in raw.columns if raw[c].dtype.kind not in "biuf"]
    for frame in (raw, raw_t):
        frame[cats] = frame[cats].fillna("NA").astype(str)
    spec = parse_spec({"name": "check", "seed": 0,
                       "task": {"type": task, "positive_class": positive},
                       "data": {"source": "check.csv", "target": target}})
    pre = build_preprocessor(infer_contract(train, spec), spec, for_model="tree")
    codes = pre.fit_transform(X, y)
    codes_t = pre.transform(Xt)
    columns = category_codes(pre)
    wrapper = CatBoostCodesRegressor if task == "regression" else CatBoostCodesClassifier
    for seed in seeds:  # the seed moves adult's ROC AUC by about 0.0003 either way
        began = time.perf_counter()
        model = cls(cat_features=cats, random_seed=seed, **common).fit(raw, y)
        report(f"seed {seed}, defaults, text categories", model, raw_t,
               time.perf_counter() - began)
        began = time.perf_counter()
        model = wrapper(cls(random_seed=seed, **common)).fit(codes, y, categorical=columns)
        report(f"seed {seed}, defaults, {len(columns)} code columns", model, codes_t,
               time.perf_counter() - began)

    family = FAMILIES["catboost"]
    params = family.defaults(task)
    fit_rows, valid_rows = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0,
                                            stratify=y if task != "regression" else None)
    began = time.perf_counter()
    fold = build_estimator("catboost", params, task=task, n_jobs=2, random_state=0)
    fold.fit(codes[fit_rows], y.iloc[fit_rows], categorical=columns,
             eval_set=(codes[valid_rows], y.iloc[valid_rows]))
    best = int(fold.estimator_.get_best_iteration() or 0) + 1
    rounds = refit_rounds(family, best, len(fit_rows), len(y))
    model = build_estimator("catboost", params, task=task, n_jobs=2, random_state=0,
                            n_estimators=rounds)
    model.fit(codes, y, categorical=columns)
    report(f"mlsprint defaults, best {best} rounds on 80 %, {rounds} refit rounds",
           model, codes_t, time.perf_counter() - began)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("datasets", nargs="*", default=["adult"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    for dataset in args.datasets:
        main(dataset, args.seeds)
