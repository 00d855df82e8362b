"""What a bundle answers for a frame of rows: the same for in-process, HTTP and MLflow.

Classification: a ``label`` column then one ``proba_<class>`` column per class, in the
order of the pipeline's ``classes_``. Regression: one ``value`` column. A binary label
applies the bundle's threshold to the positive class's probability: one number, or one
per row when a fairness-mitigated model has a threshold per protected group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlsprint.fairness.thresholds import GroupThresholds

__all__ = ["cutoffs", "label_from_proba", "output_columns", "positive_position", "prediction_frame",
           "proba_column"]


def proba_column(cls: Any) -> str:
    """The name of the probability column of one class."""
    return f"proba_{cls}"


def output_columns(classes: list[Any] | None) -> list[str]:
    """Column names of :func:`prediction_frame` for these classes (None: regression)."""
    if classes is None:
        return ["value"]
    return ["label", *(proba_column(c) for c in classes)]


def cutoffs(rows: pd.DataFrame | list[dict[str, Any]], threshold: float | None,
            groups: GroupThresholds | None) -> float | np.ndarray | None:
    """The threshold of each row: per protected group when ``groups`` is set."""
    if groups is None or threshold is None:
        return threshold
    if isinstance(rows, pd.DataFrame):
        return groups.for_frame(rows)
    return groups.for_records(rows)


def label_from_proba(proba: np.ndarray, classes: list[Any], *,
                     threshold: float | np.ndarray | None,
                     positive_class: Any = None) -> np.ndarray:
    """Labels from class probabilities: the threshold on the positive class for a binary
    task, the most probable class otherwise."""
    classes_arr = np.asarray(classes, dtype=object)
    if len(classes) == 2 and threshold is not None:
        pos = positive_position(classes, positive_class)
        neg = 1 - pos
        return np.where(proba[:, pos] >= threshold, classes_arr[pos], classes_arr[neg])
    return classes_arr[np.argmax(proba, axis=1)]


def positive_position(classes: list[Any], positive_class: Any) -> int:
    """The column of ``positive_class`` in ``classes`` (compared as text; 1 when unknown)."""
    if positive_class is None:
        return 1
    for i, cls in enumerate(classes):
        if cls == positive_class or str(cls) == str(positive_class):
            return i
    return 1


def prediction_frame(values: np.ndarray, *, classes: list[Any] | None,
                     threshold: float | np.ndarray | None,
                     positive_class: Any = None, index: Any = None) -> pd.DataFrame:
    """Assemble the answer frame from probabilities (classification) or values.

    Examples
    --------
    >>> import numpy as np
    >>> prediction_frame(np.array([[0.2, 0.8]]), classes=["bad", "good"], threshold=0.9,
    ...                  positive_class="good").to_dict("records")
    [{'label': 'bad', 'proba_bad': 0.2, 'proba_good': 0.8}]
    """
    if classes is None:
        return pd.DataFrame({"value": np.asarray(values, dtype="float64")}, index=index)
    proba = np.asarray(values, dtype="float64")
    labels = label_from_proba(proba, classes, threshold=threshold,
                              positive_class=positive_class)
    data: dict[str, Any] = {"label": _label_array(labels, classes)}
    for i, cls in enumerate(classes):
        data[proba_column(cls)] = proba[:, i]
    return pd.DataFrame(data, index=index)


def _label_array(labels: np.ndarray, classes: list[Any]) -> np.ndarray:
    sample = classes[0] if classes else None
    if isinstance(sample, (bool, np.bool_)):
        return labels.astype(bool)
    if isinstance(sample, (int, np.integer)):
        return labels.astype("int64")
    if isinstance(sample, (float, np.floating)):
        return labels.astype("float64")
    return labels.astype(object)
