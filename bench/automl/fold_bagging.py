"""Refit against bagged fold models: the same search's chosen ensemble scored on the
benchmark's test split two ways. *refit*: what the search returns (each member refitted
once on every training row). *bagged*: each member's five fold models (the ones whose
out-of-fold predictions greedy selection weighed), averaged, as AutoGluon predicts.
The check behind predicting with fold models (docs/benchmarks-automl.md):

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/fold_bagging.py adult --budget 300
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import worker  # noqa: E402

from mlsprint.features import build_preprocessor  # noqa: E402
from mlsprint.training.cv import Deadline, _fit_fold, _predict  # noqa: E402
from mlsprint.training.families import FAMILIES  # noqa: E402

# the module: the package re-exports its function under the same name
search_module = importlib.import_module("mlsprint.training.search")


def main(name: str, budget: float, seed: int) -> dict:
    train, test, task, target, positive = worker.load(name, seed)
    spec, contract, plan = worker.mlsprint_problem(train, task, target, positive, seed)
    X, y = train.drop(columns=[target]), train[target]
    Xt = test.drop(columns=[target])
    start = time.perf_counter()
    result = search_module.search(X, y, contract=contract, spec=spec, plan=plan,
                                  budget_seconds=budget, random_state=seed)
    fit_seconds = time.perf_counter() - start
    model = result.pipeline
    refit_out = model.predict(Xt) if task == "regression" else model.predict_proba(Xt)
    refit_score = worker.score(task, test[target], refit_out,
                               list(getattr(model, "classes_", [])), positive)

    def factory(kind: str):
        return build_preprocessor(contract, spec, for_model=kind)

    ctx = search_module._context(X, np.asarray(y), contract, spec, plan, None, None, seed,
                                 factory)
    weights = (result.ensemble.weights if result.ensemble is not None
               and result.ensemble.kept else {result.best: 1.0})
    records = {r.name: r for r in result.leaderboard}
    began = time.perf_counter()
    bagged, oof = 0.0, 0.0
    for member, weight in weights.items():
        record = records[member]
        family = FAMILIES[record.family]
        log = record.params.get("target") == "log"
        fit_y = np.log1p(ctx.cache.y.astype(float)) if log else ctx.cache.y
        member_out, member_oof = 0.0, np.full(len(fit_y) if task != "multiclass" else
                                              (len(fit_y), len(ctx.classes)), np.nan)
        for k in range(len(ctx.cache.folds)):
            fold = ctx.cache.fold(family.for_model, k, record.train_rows)
            fit = _fit_fold(family, record.params, ctx, fold, fit_y=fit_y,
                            deadline=Deadline(), log=log)
            member_oof[fold.valid] = fit.pred
            pred = _predict(fit.model, fold.preprocessor.transform(Xt), task, ctx.classes,
                            ctx.positive_index)
            member_out = member_out + (np.expm1(pred) if log else pred) / len(ctx.cache.folds)
        bagged = bagged + weight * member_out
        oof = oof + weight * member_oof
    bag_seconds = time.perf_counter() - began
    if task == "binary":  # worker.score takes both columns, in classes order
        bagged = np.column_stack([1 - bagged, bagged]) if ctx.positive_index == 1 else \
            np.column_stack([bagged, 1 - bagged])
    bagged_score = worker.score(task, test[target], bagged, list(ctx.classes), positive)
    return {"dataset": name, "budget": budget, "seed": seed, "best": result.best,
            "weights": weights, "oof_score": result.oof_score,
            "oof_score_again": ctx.scorer(ctx.cache.y, oof, None),
            "refit": refit_score, "bagged": bagged_score, "fit_seconds": fit_seconds,
            "refit_seconds": result.refit_seconds, "bag_seconds": bag_seconds}


if __name__ == "__main__":
    worker.check_main(main)
