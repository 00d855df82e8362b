"""The perceptron's defaults on the benchmark split: five fold models, five refits on every
training row with seeds 0-4, and the averages of 2, 3 and 5 of those seeds (test log
loss; ROC AUC for a binary dataset). The check behind trying a seed-averaged refit,
which was then dropped (docs/benchmarks-automl.md):

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/automl/seed_bagging.py dry_bean adult
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import worker  # noqa: E402
from sklearn.metrics import log_loss, roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from mlsprint.data.contract import infer_contract  # noqa: E402
from mlsprint.features import build_preprocessor  # noqa: E402
from mlsprint.spec import parse_spec  # noqa: E402
from mlsprint.training.cv import Deadline  # noqa: E402
from mlsprint.training.families import FAMILIES, build_estimator  # noqa: E402
from mlsprint.training.fitting import fit_model  # noqa: E402


def main(name: str) -> None:
    train, test, task, target, positive = worker.load(name, 0)
    X, y = train.drop(columns=[target]), train[target].astype(str).to_numpy()
    Xt, yt = test.drop(columns=[target]), test[target].astype(str).to_numpy()
    spec = parse_spec({"name": "check", "seed": 0,
                       "task": {"type": task, "positive_class": positive},
                       "data": {"source": "check.csv", "target": target}})
    contract = infer_contract(train, spec)
    classes = np.unique(y)
    params = FAMILIES["mlp"].defaults(task)

    def score(proba: np.ndarray) -> float:
        if task == "binary":
            return roc_auc_score(yt == str(positive), proba[:, list(classes).index(str(positive))])
        return log_loss(yt, proba, labels=classes)

    def preprocessor():
        return build_preprocessor(contract, spec, for_model="linear")

    folds, epochs = [], []
    for i, (a, b) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)):
        pre = preprocessor().fit(X.iloc[a], y[a])
        model = build_estimator("mlp", params, task=task, n_jobs=1, random_state=0)
        model = fit_model(FAMILIES["mlp"], model, pre.transform(X.iloc[a]), y[a], None,
                          pre.transform(X.iloc[b]), y[b], None, Deadline(), preprocessor=pre)
        epochs.append(model.best_epoch_)
        folds.append(model.predict_proba(pre.transform(Xt)))
        print(f"{name} fold {i}: {model.best_epoch_} epochs, test {score(folds[-1]):.4f}")
    print(f"{name} average of the five fold models: {score(np.mean(folds, axis=0)):.4f}")
    pre = preprocessor().fit(X, y)
    Xa, Xta = pre.transform(X), pre.transform(Xt)
    refits = []
    for seed in range(5):
        began = time.perf_counter()
        model = build_estimator("mlp", params, task=task, n_jobs=1, random_state=seed,
                                n_estimators=int(round(np.mean(epochs)))).fit(Xa, y)
        refits.append(model.predict_proba(Xta))
        print(f"{name} refit, seed {seed}: {score(refits[-1]):.4f} "
              f"({time.perf_counter() - began:.1f} s)")
    for k in (2, 3, 5):
        print(f"{name} average of seeds 0-{k - 1}: {score(np.mean(refits[:k], axis=0)):.4f}")


if __name__ == "__main__":
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    for dataset in sys.argv[1:] or ["dry_bean"]:
        main(dataset)
