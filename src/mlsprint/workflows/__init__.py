"""The shell: the only layer that composes stages, reads and writes files and calls the
tracker. One ``run_<verb>`` per command.

The names are imported on first use (PEP 562): ``mlsprint profile`` must not pay for
importing LightGBM, XGBoost and Optuna, which only training needs (about 2 s).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "plan_serving": "serve",
    "run_baseline": "baseline",
    "run_check": "check",
    "run_cycle": "cycle",
    "run_export_config": "monitor",
    "run_gate": "gate",
    "run_init": "init",
    "run_monitor": "monitor",
    "run_package": "serve",
    "run_predict": "predict",
    "run_profile": "profile",
    "run_promote": "registry",
    "run_rollback": "registry",
    "run_split": "split",
    "run_status": "status",
    "run_train": "train",
    "run_validate": "validate",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
