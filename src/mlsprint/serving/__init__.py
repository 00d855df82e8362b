"""mlsprint.serving: the prediction service (FastAPI app factory, protocols, metrics).

``create_app`` is imported lazily so that ``import mlsprint.serving`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ServingSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from mlsprint.serving.app import create_app

        return create_app
    if name == "ServingSettings":
        from mlsprint.serving.settings import ServingSettings

        return ServingSettings
    raise AttributeError(name)
