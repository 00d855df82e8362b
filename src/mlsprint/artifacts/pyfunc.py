"""The MLflow ``PythonModel`` inside every bundle, so ``mlflow models serve`` works on it.

Saved as "models from code" (``pyfunc_entry.py``), so a bundle holds no pickled wrapper:
its only pickles are the pipeline and the baseline, and ``load_context`` verifies the
bundle's manifest before it unpickles them. Its ``predict`` returns the same frame as
:meth:`mlsprint.artifacts.Bundle.predict`. Imported only by MLflow and ``save_bundle``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd

from mlsprint.artifacts.outputs import cutoffs, prediction_frame
from mlsprint.fairness.thresholds import GroupThresholds

__all__ = ["MlsprintPyfunc"]


class MlsprintPyfunc(mlflow.pyfunc.PythonModel):
    """Label plus class probabilities (classification) or value (regression)."""

    def __init__(self) -> None:
        self.pipeline: Any = None
        self.config: dict[str, Any] = {}
        self.groups: GroupThresholds | None = None

    def load_context(self, context: Any) -> None:
        import joblib

        from mlsprint.artifacts.manifest import MANIFEST, verify_manifest

        artifact = Path(context.artifacts["pipeline"])
        root = artifact.parent.parent
        if (root / MANIFEST).is_file():
            verify_manifest(root)
        self.config = dict(context.model_config or {})
        groups = self.config.get("group_thresholds")
        self.groups = None if groups is None else GroupThresholds.from_dict(groups)
        self.pipeline = joblib.load(artifact)

    def predict(self, context: Any, model_input: pd.DataFrame,
                params: dict[str, Any] | None = None) -> pd.DataFrame:
        frame = pd.DataFrame(model_input)
        columns = self.config["columns"]
        X = frame[[c for c in columns if c in frame.columns]]
        classes = self.config.get("classes")
        values = self.pipeline.predict(X) if classes is None else self.pipeline.predict_proba(X)
        threshold = cutoffs(X, self.config.get("threshold"), self.groups)
        return prediction_frame(values, classes=classes, threshold=threshold,
                                positive_class=self.config.get("positive_class"))
