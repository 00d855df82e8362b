"""Serving settings: from keyword arguments, or from ``MLSPRINT_*`` environment variables.

``uvicorn --factory mlsprint.serving.app:create_app`` builds the app from the environment:

=================================  =========================================================
variable                           meaning (default)
=================================  =========================================================
``MLSPRINT_MODEL``                 bundle path or ``models:/NAME@ALIAS`` (project default)
``MLSPRINT_MODEL_VERSION``         registry version to report for a ``MLSPRINT_MODEL`` path
``MLSPRINT_CHALLENGER``            a second bundle path or ``models:/`` URI (none)
``MLSPRINT_PROJECT``               project folder, for the default model and log (cwd)
``MLSPRINT_TRACKING_URI``          MLflow tracking URI (the project's SQLite store)
``MLSPRINT_PREDICTION_LOG_URL``    SQLAlchemy URL or ``none`` (spec, else project SQLite)
``MLSPRINT_ADMIN_TOKEN``           bearer token of the admin routes (admin disabled)
``MLSPRINT_CHALLENGER_SHARE``      share of units routed to the challenger (spec)
``MLSPRINT_SHADOW``                ``true``: challenger runs in shadow mode (spec)
``MLSPRINT_MAX_BODY_BYTES``        largest request body (spec: 50 MiB)
``MLSPRINT_MAX_BATCH_ROWS``        most rows per request (spec: 1,000,000)
``MLSPRINT_REQUEST_TIMEOUT``       seconds before a request answers 504 (spec: 30)
``MLSPRINT_MAX_CONCURRENCY``       requests in flight before 503 (spec: 64)
``MLSPRINT_UNSEEN_CATEGORY``       ``accept`` (counted) or ``reject`` (spec: accept)
``MLSPRINT_EXTRA_COLUMNS``         ``reject`` or ``ignore`` unknown request columns (reject)
``MLSPRINT_FALLBACK``              ``baseline``, ``constant`` or ``none`` (spec: baseline)
``MLSPRINT_FAST_PATH``             ``true``: compiled path for small JSON requests (true)
``MLSPRINT_LOG_LEVEL``             ``info``; logs are JSON lines on stderr
``PROMETHEUS_MULTIPROC_DIR``       set it with several workers: metrics add up correctly
=================================  =========================================================

Fields left ``None`` take the value of the bundle spec's ``serving`` section.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ServingSettings"]

_ENV = {
    "model": "MLSPRINT_MODEL", "model_version": "MLSPRINT_MODEL_VERSION",
    "challenger": "MLSPRINT_CHALLENGER",
    "project": "MLSPRINT_PROJECT", "tracking_uri": "MLSPRINT_TRACKING_URI",
    "prediction_log_url": "MLSPRINT_PREDICTION_LOG_URL", "admin_token": "MLSPRINT_ADMIN_TOKEN",
    "challenger_share": "MLSPRINT_CHALLENGER_SHARE", "shadow": "MLSPRINT_SHADOW",
    "max_body_bytes": "MLSPRINT_MAX_BODY_BYTES", "max_batch_rows": "MLSPRINT_MAX_BATCH_ROWS",
    "request_timeout": "MLSPRINT_REQUEST_TIMEOUT",
    "max_concurrency": "MLSPRINT_MAX_CONCURRENCY",
    "unseen_category": "MLSPRINT_UNSEEN_CATEGORY", "extra_columns": "MLSPRINT_EXTRA_COLUMNS",
    "fallback": "MLSPRINT_FALLBACK", "fast_path": "MLSPRINT_FAST_PATH",
    "log_level": "MLSPRINT_LOG_LEVEL",
}


class ServingSettings(BaseModel):
    """How the prediction service runs. ``None`` means: take it from the bundle's spec."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str | None = None
    model_version: str | None = None
    challenger: str | None = None
    project: str | None = None
    tracking_uri: str | None = None
    prediction_log_url: str | None = None
    admin_token: str | None = None
    challenger_share: Annotated[float, Field(ge=0, le=1)] | None = None
    shadow: bool | None = None
    max_body_bytes: Annotated[int, Field(gt=0)] | None = None
    max_batch_rows: Annotated[int, Field(gt=0)] | None = None
    request_timeout: Annotated[float, Field(gt=0)] | None = None
    max_concurrency: Annotated[int, Field(gt=0)] | None = None
    unseen_category: Literal["accept", "reject"] | None = None
    extra_columns: Literal["reject", "ignore"] = "reject"
    fallback: Literal["baseline", "constant", "none"] | None = None
    fast_path: bool = True
    fast_path_max_rows: Annotated[int, Field(gt=0)] = 64
    log_level: str = "info"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServingSettings:
        """Read every ``MLSPRINT_*`` variable that is set (see the module docstring)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field, var in _ENV.items():
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            if field in ("shadow", "fast_path"):
                values[field] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[field] = raw
        return cls.model_validate(values)
