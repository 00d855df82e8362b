"""LightGBM's defaults on the benchmark split: native categories vs category codes as numbers.

The check behind the change that passes the tree preprocessor's category columns to
LightGBM as ``categorical_feature``: the same ``LGBMClassifier()`` defaults, fitted on
pandas categoricals (what the LightGBM peer of the benchmark does) and on mlsprint's tree
preprocessing with the codes split as ordered numbers (what mlsprint did before).

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/native_categories.py adult bank_marketing
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lightgbm as lgb  # noqa: E402
import worker  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from mlsprint.data.contract import infer_contract  # noqa: E402
from mlsprint.features import build_preprocessor  # noqa: E402
from mlsprint.spec import parse_spec  # noqa: E402


def main(datasets: list[str]) -> int:
    for name in datasets:
        train, test, task, target, positive = worker.load(name, 0)
        if task != "binary":
            raise SystemExit(f"{name}: a binary dataset is needed (ROC AUC), got {task}")
        X, y = train.drop(columns=[target]), (train[target] == positive).astype(int)
        Xt, yt = test.drop(columns=[target]), (test[target] == positive).astype(int)
        Xc = worker._categorical(X)
        native = lgb.LGBMClassifier(n_jobs=2, random_state=0, verbose=-1).fit(Xc, y)
        auc_native = roc_auc_score(yt, native.predict_proba(worker._align(Xc, Xt))[:, 1])
        spec = parse_spec({"name": "check", "seed": 0,
                           "task": {"type": task, "positive_class": positive},
                           "data": {"source": "check.csv", "target": target}})
        pre = build_preprocessor(infer_contract(train, spec), spec, for_model="tree")
        codes = lgb.LGBMClassifier(n_jobs=2, random_state=0, verbose=-1).fit(
            pre.fit_transform(X, y), y)
        auc_codes = roc_auc_score(yt, codes.predict_proba(pre.transform(Xt))[:, 1])
        print(f"{name}: ROC AUC native categories {auc_native:.4f}, "
              f"codes split as numbers {auc_codes:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["adult", "bank_marketing"]))
