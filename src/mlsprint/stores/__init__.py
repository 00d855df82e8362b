"""mlsprint.stores: the prediction log and feedback (SQLite WAL by default, PostgreSQL),
and the split's side files.

Members load on first use, so that reading the split's files does not import SQLAlchemy
(a third of a second on the way to every ``mlsprint profile``).
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {"LogRecord": "predictions", "PredictionLog": "predictions"}

__all__ = ["LogRecord", "PredictionLog"]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'mlsprint.stores' has no attribute {name!r}")
    return getattr(importlib.import_module(f"mlsprint.stores.{_HOME[name]}"), name)
