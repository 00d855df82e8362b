"""Optuna studies of one search: one per family, seeded, pruned, defaults and variants first."""

from __future__ import annotations

from typing import Any

from mlsprint.errors import TrackingError
from mlsprint.evaluation.metrics import greater_is_better
from mlsprint.training.families import Family

__all__ = ["open_studies", "suggest"]

TARGETS = ("raw", "log")  # a regression target modelled as is, or as log(1 + y)


def suggest(family: Family, trial: Any, task: str, log_target: bool) -> dict[str, Any]:
    """``family``'s configuration for ``trial``; with ``log_target``, also whether the
    model learns log(1 + y) (``params["target"]``, judged on the original scale)."""
    params = family.suggest(trial, task)
    if log_target:
        params["target"] = trial.suggest_categorical("target", TARGETS)
    return params


def open_studies(families: list[Family], *, storage: str | None, study_name: str,
                 metric: str, task: str, random_state: int,
                 log_target: bool = False) -> dict[str, Any]:
    """Create ``<study_name>.<family>`` for every family, its defaults and variants
    enqueued (with ``log_target``, the defaults on log(1 + y) right after the defaults).

    Raises
    ------
    TrackingError
        When a study of that name already exists in ``storage`` (a reused name would
        mix two searches and break reproducibility).
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    store: Any = None if storage is None else optuna.storages.RDBStorage(storage)
    direction = "maximize" if greater_is_better(metric) else "minimize"
    studies: dict[str, Any] = {}
    for index, family in enumerate(families):
        name = f"{study_name}.{family.name}"
        try:
            study = optuna.create_study(
                storage=store, study_name=name, direction=direction,
                sampler=optuna.samplers.TPESampler(seed=random_state + index),
                pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0),
                load_if_exists=False)
        except optuna.exceptions.DuplicatedStudyError as exc:
            raise TrackingError(
                f"the Optuna study {name!r} already exists in {storage}; give each search "
                "a new study_name (for example the run id)") from exc
        queue = [family.defaults(task), *family.variants(task)]
        if log_target:
            queue = [dict(p, target="raw") for p in queue]
            queue.insert(1, dict(queue[0], target="log"))
        for params in queue:
            study.enqueue_trial(params)
        studies[family.name] = study
    return studies
