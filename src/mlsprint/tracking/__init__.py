"""Experiment tracking: the ``Tracker`` protocol and its MLflow adapter (a boundary)."""

from mlsprint.tracking.base import PHASES, RunRecord, Tracker
from mlsprint.tracking.mlflow_tracker import MlflowTracker, default_tracking_uri

__all__ = ["PHASES", "MlflowTracker", "RunRecord", "Tracker", "default_tracking_uri"]
