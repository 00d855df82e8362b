"""LightGBM's defaults on the benchmark split with a fixed number of boosting rounds.

Shows how much a dataset gains from rounds alone (elec2: ROC AUC 0.954 with 100 rounds,
0.986 with 2,000), with and without extremely randomised split thresholds (``extra_trees``).

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/boosting_rounds.py elec2
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lightgbm as lgb  # noqa: E402
import worker  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

ROUNDS = (100, 300, 1000, 2000)


def main(name: str) -> int:
    train, test, task, target, positive = worker.load(name, 0)
    if task != "binary":
        raise SystemExit(f"{name}: a binary dataset is needed (ROC AUC), got {task}")
    X, y = worker._categorical(train.drop(columns=[target])), train[target] == positive
    Xt = worker._align(X, test.drop(columns=[target]))
    for extra in (False, True):
        for rounds in ROUNDS:
            model = lgb.LGBMClassifier(n_estimators=rounds, extra_trees=extra,
                                       colsample_bytree=0.8, n_jobs=2, random_state=0,
                                       verbose=-1).fit(X, y)
            auc = roc_auc_score(test[target] == positive, model.predict_proba(Xt)[:, 1])
            print(f"{name}: extra_trees={extra} rounds={rounds}: ROC AUC {auc:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "elec2"))
