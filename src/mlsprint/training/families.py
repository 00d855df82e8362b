"""Candidate model families: their search spaces, their defaults and how to build them.

A family knows which preprocessor it wants (``"linear"``: scaled, one-hot; ``"tree"``:
ordinal/target encoded), a prior relative cost used for cost-aware allocation (cheap
families are explored first), its default configuration (the first trial of each
family) and an Optuna search space. Heavy libraries (lightgbm, xgboost) are imported
only when a model of theirs is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlsprint.errors import SpecError
from mlsprint.training.estimators import EncodedClassifier

__all__ = ["FAMILIES", "Family", "build_estimator", "select_families"]

MAX_BOOSTING_ROUNDS = 2000


@dataclass(frozen=True, slots=True)
class Family:
    """One family of candidate models."""

    name: str
    for_model: str
    cost: float
    early_stopping: bool
    defaults: Callable[[str], dict[str, Any]]
    suggest: Callable[[Any, str], dict[str, Any]]


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
            "class_weight": "none"}


def _lgbm_suggest(trial: Any, task: str) -> dict[str, Any]:
    params = {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.2, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 8, 255, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 200, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.3, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-6, 10.0, log=True),
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


FAMILIES: dict[str, Family] = {
    f.name: f for f in (
        Family("linear", "linear", 1.0, False, _linear_defaults, _linear_suggest),
        Family("lightgbm", "tree", 3.0, True, _lgbm_defaults, _lgbm_suggest),
        Family("hist_gradient_boosting", "tree", 4.0, True, _hgb_defaults, _hgb_suggest),
        Family("xgboost", "tree", 5.0, True, _xgb_defaults, _xgb_suggest),
        Family("extra_trees", "tree", 6.0, False, _forest_defaults, _forest_suggest),
        Family("random_forest", "tree", 8.0, False, _forest_defaults, _forest_suggest),
    )
}


def select_families(names: list[str] | None) -> list[Family]:
    """The families to search, cheapest first; ``None`` means all of them."""
    if names is None:
        return sorted(FAMILIES.values(), key=lambda f: f.cost)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown or not names:
        raise SpecError(
            f"training.families holds unknown names {unknown or names!r}; expected a "
            f"non-empty subset of {sorted(FAMILIES)}"
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
        n_jobs=n_jobs, random_state=random_state, deterministic=True, force_row_wise=True,
        verbose=-1)
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


_BUILDERS: dict[str, Callable[..., Any]] = {
    "linear": _build_linear,
    "random_forest": lambda p, **kw: _build_forest(p, extra=False, **kw),
    "extra_trees": lambda p, **kw: _build_forest(p, extra=True, **kw),
    "hist_gradient_boosting": _build_hgb,
    "lightgbm": _build_lgbm,
    "xgboost": _build_xgb,
}
