"""mlsprint.stores: the prediction log and feedback (SQLite WAL by default, PostgreSQL)."""

from mlsprint.stores.predictions import LogRecord, PredictionLog

__all__ = ["LogRecord", "PredictionLog"]
