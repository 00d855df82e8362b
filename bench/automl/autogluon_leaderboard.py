"""AutoGluon's default preset at 60 s on the benchmark split: every model's test score and
the weights of its final ensemble (what its ensembles lean on). Runs in AutoGluon's env:

    bench/.envs/autogluon/bin/python bench/automl/autogluon_leaderboard.py german_credit dry_bean
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worker  # noqa: E402

METRIC = {"binary": "roc_auc", "multiclass": "log_loss",
          "regression": "root_mean_squared_error"}


def main(names: list[str], budget: float = 60.0) -> int:
    from autogluon.tabular import TabularPredictor

    for name in names:
        train, test, task, target, _ = worker.load(name, 0)
        with tempfile.TemporaryDirectory(prefix="ag-board-") as path:
            predictor = TabularPredictor(label=target, eval_metric=METRIC[task], path=path,
                                         verbosity=0)
            predictor.fit(train, time_limit=budget, presets="medium_quality", num_cpus=2,
                          num_gpus=0)
            board = predictor.leaderboard(test, silent=True)
            print(name)
            print(board[["model", "score_test", "score_val", "fit_time"]].to_string())
            ensemble = predictor._trainer.load_model(predictor.model_best)
            if hasattr(ensemble, "_get_model_weights"):
                weights = ensemble._get_model_weights()
                print({model: round(float(w), 3) for model, w in weights.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["german_credit", "dry_bean", "compas"]))
