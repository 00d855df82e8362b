"""Candidate model families: their search spaces, their defaults and how to build them.

A family knows which preprocessor it wants (``"linear"``: scaled, one-hot; ``"tree"``:
ordinal/target encoded), a prior relative cost used for cost-aware allocation (cheap
families are explored first), its default configuration (the first trial of each
family), an Optuna search space and the tasks it serves. Heavy libraries (lightgbm,
xgboost, catboost) are imported only when a model of theirs is built.

The multilayer perceptron is there for the ensemble more than for itself: AutoGluon's
ensembles lean on their neural networks on dry_bean and german_credit
(``bench/automl/autogluon_leaderboard.py``), and with it the 60 s benchmark's dry_bean log
loss went from 0.1937 to 0.1734, german_credit's ROC AUC from 0.8329 to 0.8395
(docs/benchmarks-automl.md). It serves classification only: regression would need a
scaled target, and scikit-learn's perceptron scored bike_sharing's RMSE 43.5 against the
boosters' 38.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlsprint.errors import SpecError
from mlsprint.training.estimators import EncodedClassifier

__all__ = ["FAMILIES", "Family", "build_estimator", "fit_threads", "fold_workers",
           "refit_rounds", "select_families"]

MAX_BOOSTING_ROUNDS = 2000
MAX_EPOCHS = 200  # of the perceptron, which stops early on its fold's validation loss
ALL_TASKS = ("binary", "multiclass", "regression")
# fit time ~ rows ** exponent: boosters sublinear (fixed per-fit costs; measured 0.79-0.86
# on diabetes_130us from 5k to 61k rows), linear models, forests and the perceptron linear
BOOSTER_ROWS_EXPONENT = 0.85
# OpenMP threads per booster fit. Two threads pay only on large fits: on 2 cores with
# OpenMP's default wait policy, 1 thread tied 2 up to 8k rows and lost 1.3-1.7x from 20k
# rows (adult, diabetes_130us; LightGBM, XGBoost, HistGradientBoosting); with
# OMP_WAIT_POLICY=PASSIVE (sleeping threads woken at every parallel region) 2 threads were
# 2-17x *slower* up to diabetes_130us' 76k rows (XGBoost broke even there).
SMALL_FIT_ROWS = 20_000
PASSIVE_SMALL_FIT_ROWS = 200_000
# the boosting rounds early stopping picks grow with the training rows (LightGBM's
# defaults, 1k rows to all: slope of log rounds on log rows 0.14-1.11, median 0.45 over
# eight datasets, elec2 1.11; bench/automl/rounds_scaling.py): a refit on more rows than
# its folds' scales them by (rows ratio) ** 0.5
BOOSTER_ROUNDS_EXPONENT = 0.5


@dataclass(frozen=True, slots=True)
class Family:
    """One family of candidate models.

    ``early_stopping``: its fold fits stop on the fold's validation loss, and the refit
    runs the rounds (epochs) they chose times (refit rows / fold rows) **
    ``rounds_exponent`` (0 for epochs: an epoch of more rows already takes more steps).
    ``openmp``: it fits with OpenMP threads (:func:`fit_threads` decides how many).
    ``variants``: configurations tried right after the defaults, before the sampler's own.
    ``concurrent_folds``: its one-thread fold fits gain from running side by side in
    threads (:func:`fold_workers`).
    """

    name: str
    for_model: str
    cost: float
    early_stopping: bool
    defaults: Callable[[str], dict[str, Any]]
    suggest: Callable[[Any, str], dict[str, Any]]
    tasks: tuple[str, ...] = ALL_TASKS
    rows_exponent: float = 1.0
    rounds_exponent: float = 0.0
    openmp: bool = False
    variants: Callable[[str], list[dict[str, Any]]] = lambda task: []  # noqa: ARG005
    concurrent_folds: bool = False


def refit_rounds(family: Family, rounds: float, fitted_rows: float, refit_rows: float) -> int:
    """Boosting rounds (epochs) for a refit of ``family`` on ``refit_rows`` rows, from the
    ``rounds`` early stopping chose on folds of ``fitted_rows`` training rows.

    >>> refit_rounds(FAMILIES["lightgbm"], 100, 5_000, 20_000)
    200
    >>> refit_rounds(FAMILIES["mlp"], 30, 5_000, 20_000)
    30
    """
    ratio = max(refit_rows, 1.0) / max(fitted_rows, 1.0)
    return max(1, int(round(rounds * ratio ** family.rounds_exponent)))


def fit_threads(family: Family, n_jobs: int, rows: float) -> int:
    """Threads for one fit of ``family`` on ``rows`` training rows: ``n_jobs``, except an
    OpenMP booster on too few rows for a second thread to pay, which gets one.

    >>> fit_threads(FAMILIES["lightgbm"], 2, 5_000), fit_threads(FAMILIES["linear"], 2, 5_000)
    (1, 2)
    """
    if not family.openmp or n_jobs <= 1:
        return n_jobs
    passive = os.environ.get("OMP_WAIT_POLICY", "").strip().upper() == "PASSIVE"
    return n_jobs if rows >= (PASSIVE_SMALL_FIT_ROWS if passive else SMALL_FIT_ROWS) else 1


def fold_workers(family: Family, n_jobs: int, rows: float) -> int:
    """Folds of ``family`` fitted at once, each in its own thread: ``n_jobs`` when its fits
    on ``rows`` training rows run on one thread (:func:`fit_threads`) and two of them side
    by side pay, else 1. LightGBM and XGBoost release the GIL while they boost: two
    one-thread fold fits in threads finished 1.82-1.96x sooner than one after the other
    (adult, 30k rows; dry_bean, 10k); HistGradientBoosting (0.98-1.34x), the perceptron
    (1.1-1.24x) and the linear models (0.6-1.6x) hold the GIL too much to gain; forests
    already fit on ``n_jobs`` threads.

    >>> fold_workers(FAMILIES["lightgbm"], 2, 5_000), fold_workers(FAMILIES["mlp"], 2, 5_000)
    (2, 1)
    """
    if not family.concurrent_folds or n_jobs <= 1 or fit_threads(family, n_jobs, rows) > 1:
        return 1
    return n_jobs


def _linear_defaults(task: str) -> dict[str, Any]:
    if task == "regression":
        return {"kind": "ridge", "alpha": 1.0}
    return {"C": 1.0, "class_weight": "none"}


def _linear_suggest(trial: Any, task: str) -> dict[str, Any]:
    if task == "regression":
        kind = trial.suggest_categorical("kind", ["ridge", "elasticnet"])
        if kind == "ridge":
            return {"kind": kind, "alpha": trial.suggest_float("alpha", 1e-3, 1e3, log=True)}
        return {"kind": kind,
                "alpha": trial.suggest_float("en_alpha", 1e-4, 10.0, log=True),
                "l1_ratio": trial.suggest_float("l1_ratio", 0.05, 1.0)}
    return {"C": trial.suggest_float("C", 1e-3, 1e2, log=True),
            "class_weight": trial.suggest_categorical("class_weight", ["none", "balanced"])}


def _forest_defaults(task: str) -> dict[str, Any]:
    return {"n_estimators": 200, "max_features": "sqrt" if task != "regression" else 0.5,
            "min_samples_leaf": 2, "class_weight": "none"}


def _forest_suggest(trial: Any, task: str) -> dict[str, Any]:
    params = {
        "n_estimators": trial.suggest_int("n_estimators", 100, 300, step=50),
        "max_features": trial.suggest_categorical("max_features", ["sqrt", 0.3, 0.5, 0.8]),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 30, log=True),
        "class_weight": "none",
    }
    if task != "regression":
        params["class_weight"] = trial.suggest_categorical(
            "class_weight", ["none", "balanced_subsample"])
    return params


def _hgb_defaults(task: str) -> dict[str, Any]:
    return {"learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 20,
            "l2_regularization": 1e-6, "max_features": 1.0, "class_weight": "none"}


def _hgb_suggest(trial: Any, task: str) -> dict[str, Any]:
    params = {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 8, 128, log=True),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 5, 200, log=True),
        "l2_regularization": trial.suggest_float("l2_regularization", 1e-6, 10.0, log=True),
        "max_features": trial.suggest_float("max_features", 0.4, 1.0),
        "class_weight": "none",
    }
    if task != "regression":
        params["class_weight"] = trial.suggest_categorical("class_weight", ["none", "balanced"])
    return params


def _lgbm_defaults(task: str) -> dict[str, Any]:
    return {"learning_rate": 0.1, "num_leaves": 31, "min_child_samples": 20,
            "subsample": 1.0, "colsample_bytree": 0.8, "reg_lambda": 1e-3,
            "extra_trees": False, "class_weight": "none"}


def _lgbm_variants(task: str) -> list[dict[str, Any]]:
    # extremely randomised split thresholds: AutoGluon's "LightGBMXT" scored dry_bean's
    # log loss 0.182 against LightGBM's 0.205 on the benchmark split, german_credit's ROC
    # AUC 0.843 against 0.805, and errs differently from the plain booster (ensembles).
    # Then a slow learner from AutoGluon's zero-shot portfolio (its "_r131"): the best
    # single model of a 300 s adult search, out of fold 0.9295 against the defaults'
    # 0.9291 (the extra-trees variant and the sampler's first draw: 0.9230, 0.9221)
    return [{**_lgbm_defaults(task), "extra_trees": True},
            {**_lgbm_defaults(task), "learning_rate": 0.02, "num_leaves": 53,
             "min_child_samples": 14, "colsample_bytree": 0.7}]


def _lgbm_suggest(trial: Any, task: str) -> dict[str, Any]:
    params = {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.2, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 8, 255, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 200, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.3, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-6, 10.0, log=True),
        "extra_trees": trial.suggest_categorical("extra_trees", [False, True]),
        "class_weight": "none",
    }
    if task != "regression":
        params["class_weight"] = trial.suggest_categorical("class_weight", ["none", "balanced"])
    return params


def _xgb_defaults(task: str) -> dict[str, Any]:
    return {"learning_rate": 0.1, "max_depth": 6, "min_child_weight": 1.0,
            "subsample": 0.8, "colsample_bytree": 0.8, "reg_lambda": 1.0,
            "class_weight": "none"}


def _xgb_suggest(trial: Any, task: str) -> dict[str, Any]:
    params = {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.2, log=True),
        "max_depth": trial.suggest_int("max_depth", 2, 10),
        "min_child_weight": trial.suggest_float("min_child_weight", 0.1, 20.0, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.3, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
        "class_weight": "none",
    }
    if task != "regression":
        params["class_weight"] = trial.suggest_categorical("class_weight", ["none", "balanced"])
    return params


def _catboost_defaults(task: str) -> dict[str, Any]:
    return {"learning_rate": 0.08, "depth": 6, "l2_leaf_reg": 3.0, "random_strength": 1.0,
            "class_weight": "none"}


def _catboost_suggest(trial: Any, task: str) -> dict[str, Any]:
    params = {
        "learning_rate": trial.suggest_float("learning_rate", 0.03, 0.2, log=True),
        "depth": trial.suggest_int("depth", 4, 8),
        "l2_leaf_reg": trial.suggest_float("l2_leaf_reg", 1.0, 30.0, log=True),
        "random_strength": trial.suggest_float("random_strength", 0.1, 10.0, log=True),
        "class_weight": "none",
    }
    if task != "regression":
        params["class_weight"] = trial.suggest_categorical("class_weight", ["none", "balanced"])
    return params


def _mlp_defaults(task: str) -> dict[str, Any]:
    return {"hidden": "128-64", "alpha": 1e-3, "learning_rate_init": 3e-3,
            "batch_size": 256}


def _mlp_suggest(trial: Any, task: str) -> dict[str, Any]:
    return {
        "hidden": trial.suggest_categorical(
            "hidden", ["64", "128", "256", "128-64", "256-128", "512-256"]),
        "alpha": trial.suggest_float("alpha", 1e-5, 1e-1, log=True),
        "learning_rate_init": trial.suggest_float("learning_rate_init", 1e-4, 1e-2, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [64, 128, 256, 512]),
    }


FAMILIES: dict[str, Family] = {
    f.name: f for f in (
        Family("linear", "linear", 1.0, False, _linear_defaults, _linear_suggest),
        Family("lightgbm", "tree", 3.0, True, _lgbm_defaults, _lgbm_suggest,
               rows_exponent=BOOSTER_ROWS_EXPONENT,
               rounds_exponent=BOOSTER_ROUNDS_EXPONENT, openmp=True, variants=_lgbm_variants,
               concurrent_folds=True),
        Family("hist_gradient_boosting", "tree", 4.0, True, _hgb_defaults, _hgb_suggest,
               rows_exponent=BOOSTER_ROWS_EXPONENT,
               rounds_exponent=BOOSTER_ROUNDS_EXPONENT, openmp=True),
        Family("xgboost", "tree", 5.0, True, _xgb_defaults, _xgb_suggest,
               rows_exponent=BOOSTER_ROWS_EXPONENT,
               rounds_exponent=BOOSTER_ROUNDS_EXPONENT, openmp=True, concurrent_folds=True),
        Family("mlp", "linear", 3.5, True, _mlp_defaults, _mlp_suggest,
               tasks=("binary", "multiclass")),
        Family("extra_trees", "tree", 6.0, False, _forest_defaults, _forest_suggest),
        Family("random_forest", "tree", 8.0, False, _forest_defaults, _forest_suggest),
        # its own thread pool scales to both cores (adult, 29k rows: 1.7x on 2 threads)
        Family("catboost", "tree", 10.0, True, _catboost_defaults, _catboost_suggest,
               rows_exponent=BOOSTER_ROWS_EXPONENT,
               rounds_exponent=BOOSTER_ROUNDS_EXPONENT),
    )
}


def select_families(names: list[str] | None, task: str | None = None) -> list[Family]:
    """The families to search, cheapest first; ``None`` means all of them that serve
    ``task`` (every family when ``task`` is None). Named families must serve ``task``."""
    if names is None:
        return sorted((f for f in FAMILIES.values() if task is None or task in f.tasks),
                      key=lambda f: f.cost)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown or not names:
        raise SpecError(
            f"training.families holds unknown names {unknown or names!r}; expected a "
            f"non-empty subset of {sorted(FAMILIES)}"
        )
    unfit = [n for n in names if task is not None and task not in FAMILIES[n].tasks]
    if unfit:
        raise SpecError(
            f"training.families names {unfit!r}, which do not serve a {task} task; remove "
            f"them or pick from {sorted(n for n, f in FAMILIES.items() if task in f.tasks)}"
        )
    return sorted((FAMILIES[n] for n in dict.fromkeys(names)), key=lambda f: f.cost)


def _cw(params: dict[str, Any]) -> Any:
    value = params.get("class_weight", "none")
    return None if value == "none" else value


def build_estimator(family: str, params: dict[str, Any], *, task: str, n_jobs: int,
                    random_state: int, n_estimators: int | None = None) -> Any:
    """An unfitted estimator of ``family`` with ``params``.

    ``n_estimators`` fixes the number of boosting rounds (a refit after early stopping);
    without it boosters get ``MAX_BOOSTING_ROUNDS`` and are meant to stop early.
    """
    builder = _BUILDERS[family]
    return builder(params, task=task, n_jobs=n_jobs, random_state=random_state,
                   n_estimators=n_estimators)


def _build_linear(params: dict[str, Any], *, task: str, n_jobs: int, random_state: int,
                  n_estimators: int | None) -> Any:
    from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge

    if task == "regression":
        if params.get("kind") == "elasticnet":
            return ElasticNet(alpha=params["alpha"], l1_ratio=params["l1_ratio"],
                              max_iter=5000, random_state=random_state)
        return Ridge(alpha=params["alpha"])
    return LogisticRegression(C=params["C"], class_weight=_cw(params), max_iter=300)


def _build_forest(params: dict[str, Any], *, task: str, n_jobs: int, random_state: int,
                  n_estimators: int | None, extra: bool) -> Any:
    from sklearn import ensemble

    kind = ("ExtraTrees" if extra else "RandomForest") + (
        "Regressor" if task == "regression" else "Classifier")
    kwargs: dict[str, Any] = dict(
        n_estimators=params["n_estimators"], max_features=params["max_features"],
        min_samples_leaf=params["min_samples_leaf"], n_jobs=n_jobs,
        random_state=random_state)
    if task != "regression":
        kwargs["class_weight"] = _cw(params)
    return getattr(ensemble, kind)(**kwargs)


def _build_hgb(params: dict[str, Any], *, task: str, n_jobs: int, random_state: int,
               n_estimators: int | None) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    kwargs: dict[str, Any] = dict(
        learning_rate=params["learning_rate"], max_leaf_nodes=params["max_leaf_nodes"],
        min_samples_leaf=params["min_samples_leaf"],
        l2_regularization=params["l2_regularization"], max_features=params["max_features"],
        max_iter=n_estimators or MAX_BOOSTING_ROUNDS, random_state=random_state,
        early_stopping=n_estimators is None, n_iter_no_change=30, scoring="loss")
    if task == "regression":
        return HistGradientBoostingRegressor(**kwargs)
    return HistGradientBoostingClassifier(class_weight=_cw(params), **kwargs)


def _build_lgbm(params: dict[str, Any], *, task: str, n_jobs: int, random_state: int,
                n_estimators: int | None) -> Any:
    import lightgbm as lgb

    kwargs: dict[str, Any] = dict(
        n_estimators=n_estimators or MAX_BOOSTING_ROUNDS,
        learning_rate=params["learning_rate"], num_leaves=params["num_leaves"],
        min_child_samples=params["min_child_samples"], subsample=params["subsample"],
        subsample_freq=1 if params["subsample"] < 1.0 else 0,
        colsample_bytree=params["colsample_bytree"], reg_lambda=params["reg_lambda"],
        extra_trees=bool(params.get("extra_trees", False)), n_jobs=n_jobs,
        random_state=random_state, deterministic=True, force_row_wise=True, verbose=-1)
    if task == "regression":
        return lgb.LGBMRegressor(**kwargs)
    return lgb.LGBMClassifier(class_weight=_cw(params), **kwargs)


def _build_xgb(params: dict[str, Any], *, task: str, n_jobs: int, random_state: int,
               n_estimators: int | None) -> Any:
    import xgboost as xgb

    kwargs: dict[str, Any] = dict(
        n_estimators=n_estimators or MAX_BOOSTING_ROUNDS,
        learning_rate=params["learning_rate"], max_depth=params["max_depth"],
        min_child_weight=params["min_child_weight"], subsample=params["subsample"],
        colsample_bytree=params["colsample_bytree"], reg_lambda=params["reg_lambda"],
        tree_method="hist", n_jobs=n_jobs, random_state=random_state,
        early_stopping_rounds=None if n_estimators else 50)
    if task == "regression":
        return xgb.XGBRegressor(**kwargs)
    return EncodedClassifier(xgb.XGBClassifier(**kwargs), class_weight=_cw(params))


def _build_catboost(params: dict[str, Any], *, task: str, n_jobs: int, random_state: int,
                    n_estimators: int | None) -> Any:
    import catboost

    from mlsprint.training.catboost_codes import CatBoostCodesClassifier, CatBoostCodesRegressor

    kwargs: dict[str, Any] = dict(
        iterations=n_estimators or MAX_BOOSTING_ROUNDS, learning_rate=params["learning_rate"],
        depth=params["depth"], l2_leaf_reg=params["l2_leaf_reg"],
        random_strength=params["random_strength"], thread_count=n_jobs,
        random_seed=random_state, verbose=0, allow_writing_files=False)
    if n_estimators is None:  # fold fits stop on their validation loss
        kwargs.update(od_type="Iter", od_wait=50)
    if task == "regression":
        return CatBoostCodesRegressor(catboost.CatBoostRegressor(**kwargs))
    if _cw(params) == "balanced":
        kwargs["auto_class_weights"] = "Balanced"
    return CatBoostCodesClassifier(catboost.CatBoostClassifier(**kwargs))


def _build_mlp(params: dict[str, Any], *, task: str, n_jobs: int, random_state: int,
               n_estimators: int | None) -> Any:
    from sklearn.neural_network import MLPClassifier

    # fold fits run one epoch per partial_fit and stop on the fold's validation loss
    # (mlsprint.training.fitting); a refit runs the n_estimators epochs they chose, all
    # of them: the training-loss stopping rule (n_iter_no_change) is switched off
    epochs = n_estimators or MAX_EPOCHS
    return MLPClassifier(
        hidden_layer_sizes=tuple(int(n) for n in str(params["hidden"]).split("-")),
        alpha=params["alpha"], learning_rate_init=params["learning_rate_init"],
        batch_size=params["batch_size"], max_iter=epochs, n_iter_no_change=epochs + 1,
        early_stopping=False, random_state=random_state)


_BUILDERS: dict[str, Callable[..., Any]] = {
    "linear": _build_linear,
    "random_forest": lambda p, **kw: _build_forest(p, extra=False, **kw),
    "extra_trees": lambda p, **kw: _build_forest(p, extra=True, **kw),
    "hist_gradient_boosting": _build_hgb,
    "lightgbm": _build_lgbm,
    "xgboost": _build_xgb,
    "mlp": _build_mlp,
    "catboost": _build_catboost,
}
