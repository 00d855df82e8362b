"""Greedy ensemble selection against a stacked logistic regression, on the same search's
candidates. After one search (the benchmark's split and budget), every candidate whose
out-of-fold predictions the pool kept is refitted on all training rows and scores the
test split; then the test score of: the search's choice; greedy selection averaging
probabilities arithmetically (``greedy_proba``) and geometrically, as log-odds
(``greedy_logit``); a logistic regression on the candidates' log-odds (its C chosen by
cross-validation on the out-of-fold rows). The check behind the search's geometric
average, and behind not stacking (docs/benchmarks-automl.md):

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/stacking_check.py adult --budget 300
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import worker  # noqa: E402
from sklearn.linear_model import LogisticRegressionCV  # noqa: E402

from mlsprint.features import build_preprocessor  # noqa: E402
from mlsprint.training import candidates  # noqa: E402
from mlsprint.training.cv import _predict  # noqa: E402
from mlsprint.training.ensemble import average_predictions, greedy_selection  # noqa: E402
from mlsprint.training.estimators import fit_estimator  # noqa: E402

search_module = importlib.import_module("mlsprint.training.search")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p)) if p.ndim == 1 else np.log(p)


def main(name: str, budget: float, seed: int) -> dict:
    train, test, task, target, positive = worker.load(name, seed)
    spec, contract, plan = worker.mlsprint_problem(train, task, target, positive, seed)
    X, y = train.drop(columns=[target]), train[target]
    Xt = test.drop(columns=[target])
    seen = {}
    original = candidates.CandidatePool.choose

    def choose(self, ctx, deadline, factory):
        seen["pool"], seen["ctx"] = self, ctx
        return original(self, ctx, deadline, factory)

    candidates.CandidatePool.choose = choose
    result = search_module.search(X, y, contract=contract, spec=spec, plan=plan,
                                  budget_seconds=budget, random_state=seed)
    candidates.CandidatePool.choose = original
    pool, ctx = seen["pool"], seen["ctx"]
    classes = list(ctx.classes)

    def test_score(pred: np.ndarray) -> float:
        if task == "binary":
            pred = np.column_stack([1 - pred, pred]) if ctx.positive_index == 1 else \
                np.column_stack([pred, 1 - pred])
        return worker.score(task, test[target], pred, classes, positive)

    chosen = result.pipeline.predict_proba(Xt)
    names = [r.name for r in pool.leaderboard() if r.name in pool.oofs]

    def factory(kind: str):
        return build_preprocessor(contract, spec, for_model=kind)

    tests, oofs = [], []
    for record_name in names:
        record = next(r for r in pool.records if r.name == record_name)
        pipe = candidates.final_pipeline(candidates.Choice(record.name, ((record, 1.0),),
                                                           None, 0.0, None, 0.0),
                                         ctx, factory, pool)
        fit_estimator(pipe, X, np.asarray(y), None)
        tests.append(_predict(pipe, Xt, task, ctx.classes, ctx.positive_index))
        oofs.append(pool.oofs[record_name])
    row = {"dataset": name, "budget": budget, "candidates": names,
           "singles": [test_score(t) for t in tests],
           "chosen": worker.score(task, test[target], chosen,
                                  list(result.pipeline.classes_), positive),
           "chosen_name": result.best}
    # recorded as greedy_proba and greedy_logit: the library's two averages
    for key, average in (("proba", "arithmetic"), ("logit", "geometric")):
        counts, oof_score = greedy_selection(oofs, ctx.cache.y, ctx.scorer,
                                             greater_is_better=pool.greater, average=average)
        w = counts / counts.sum()
        row[f"greedy_{key}"] = {
            "oof": oof_score,
            "test": test_score(average_predictions(tests, w, average=average)),
            "weights": dict(zip(names, w.round(3).tolist(), strict=True))}
    features = np.column_stack([_logit(o).reshape(len(o), -1) for o in oofs])
    test_features = np.column_stack([_logit(t).reshape(len(t), -1) for t in tests])
    stacker = LogisticRegressionCV(Cs=10, cv=5, scoring="neg_log_loss", max_iter=2000)
    labels = np.asarray(ctx.cache.y).astype(str)
    stacker.fit(features, labels)
    proba = stacker.predict_proba(test_features)
    order = [list(stacker.classes_).index(str(c)) for c in classes]
    proba = proba[:, order]
    row["stacked"] = {"test": test_score(proba[:, ctx.positive_index] if task == "binary"
                                         else proba), "C": float(np.atleast_1d(stacker.C_)[0])}
    return row


if __name__ == "__main__":
    worker.check_main(main)
