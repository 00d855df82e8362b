"""The metric registry against sklearn.metrics (oracle) on real labels."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
from sklearn import metrics as skm

from conftest import read_dataset
from mlsprint.errors import DataError, SpecError
from mlsprint.evaluation.metrics import (
    GREATER_IS_BETTER,
    LOSSES,
    error_of,
    greater_is_better,
    score,
    scores,
)
from mlsprint.spec.model import METRICS

# pandas 3 deprecations (Pandas4Warning) are DeprecationWarnings: fail on them here
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


@cache
def german() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Real labels, a real-valued score (risk rises with duration) and real weights."""
    df = read_dataset("german_credit")
    z = (df["duration"] - df["duration"].mean()) / df["duration"].std()
    weight = df["installment_commitment"].to_numpy(dtype=float)
    return df["class"].to_numpy(), _sigmoid(z.to_numpy() - 0.8), weight


@cache
def beans() -> tuple[np.ndarray, np.ndarray, list[str]]:
    df = read_dataset("dry_bean").sample(2000, random_state=0)
    classes = sorted(df["Class"].unique())
    centroids = df.groupby("Class")[["Area", "Compactness"]].mean()
    feats = df[["Area", "Compactness"]].to_numpy()
    scale = df[["Area", "Compactness"]].std().to_numpy()
    dist = np.stack([(((feats - centroids.loc[c].to_numpy()) / scale) ** 2).sum(axis=1)
                     for c in classes], axis=1)
    proba = np.exp(-dist)
    proba = (proba + 1e-3) / (proba + 1e-3).sum(axis=1, keepdims=True)
    return df["Class"].to_numpy(), proba, classes


@cache
def ames() -> tuple[np.ndarray, np.ndarray]:
    df = read_dataset("ames_housing")
    y = df["SalePrice"].to_numpy(dtype=float)
    slope = np.polyfit(df["Gr Liv Area"], y, 1)
    return y, np.polyval(slope, df["Gr Liv Area"].to_numpy(dtype=float))


def binary_oracle(metric: str, y01, proba, weight):
    label = (proba >= 0.5).astype(int)
    return {
        "roc_auc": lambda: skm.roc_auc_score(y01, proba, sample_weight=weight),
        "average_precision": lambda: skm.average_precision_score(y01, proba,
                                                                 sample_weight=weight),
        "log_loss": lambda: skm.log_loss(y01, proba, sample_weight=weight),
        "brier": lambda: skm.brier_score_loss(y01, proba, sample_weight=weight),
        "f1": lambda: skm.f1_score(y01, label, sample_weight=weight),
        "precision": lambda: skm.precision_score(y01, label, sample_weight=weight),
        "recall": lambda: skm.recall_score(y01, label, sample_weight=weight),
        "accuracy": lambda: skm.accuracy_score(y01, label, sample_weight=weight),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(y01, label,
                                                                 sample_weight=weight),
    }[metric]()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("metric", sorted(METRICS["binary"]))
def test_binary_metrics_match_sklearn(metric: str, weighted: bool) -> None:
    y, proba, weight = german()
    w = weight if weighted else None
    y01 = (y == "bad").astype(int)
    expected = binary_oracle(metric, y01, proba, w)
    got = score(metric, y, proba, task="binary", positive_class="bad", sample_weight=w)
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("decimals", [1, 2, 6])
def test_unweighted_roc_auc_counts_tied_scores_half_as_sklearn_does(decimals: int) -> None:
    # the unweighted ROC AUC is computed from mid-ranks; rounded scores make many ties
    y, proba, _ = german()
    y01 = (y == "bad").astype(int)
    tied = np.round(proba, decimals)
    got = score("roc_auc", y, tied, task="binary", positive_class="bad")
    assert got == pytest.approx(skm.roc_auc_score(y01, tied), rel=1e-12)


def test_binary_positive_class_matters_and_classes_name_it() -> None:
    y, proba, _ = german()
    bad = score("roc_auc", y, proba, task="binary", positive_class="bad")
    good = score("roc_auc", y, proba, task="binary", positive_class="good")
    assert bad == pytest.approx(1 - good)
    assert score("roc_auc", y, proba, task="binary", classes=["good", "bad"]) == bad
    two_columns = np.column_stack([1 - proba, proba])
    assert score("roc_auc", y, two_columns, task="binary", positive_class="bad") == bad


def test_binary_threshold_moves_threshold_metrics_only() -> None:
    y, proba, _ = german()
    y01 = (y == "bad").astype(int)
    got = score("recall", y, proba, task="binary", positive_class="bad", threshold=0.3)
    assert got == pytest.approx(skm.recall_score(y01, (proba >= 0.3).astype(int)))
    assert got > score("recall", y, proba, task="binary", positive_class="bad")
    auc = [score("roc_auc", y, proba, task="binary", positive_class="bad", threshold=t)
           for t in (0.1, 0.9)]
    assert auc[0] == auc[1]


def test_binary_integer_labels_and_text_positive_class() -> None:
    y = np.array([0, 1, 1, 0, 1])
    p = np.array([0.1, 0.8, 0.6, 0.4, 0.3])
    assert score("accuracy", y, p, task="binary", positive_class="1") == 0.8
    assert score("accuracy", y, p, task="binary") == 0.8


@pytest.mark.parametrize("metric", sorted(METRICS["multiclass"]))
def test_multiclass_metrics_match_sklearn(metric: str) -> None:
    y, proba, classes = beans()
    pred = np.asarray(classes)[proba.argmax(axis=1)]
    expected = {
        "log_loss": lambda: skm.log_loss(y, proba, labels=classes),
        "accuracy": lambda: skm.accuracy_score(y, pred),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(y, pred),
        "f1_macro": lambda: skm.f1_score(y, pred, average="macro"),
        "roc_auc_ovr": lambda: skm.roc_auc_score(y, proba, multi_class="ovr",
                                                 labels=classes),
    }[metric]()
    got = score(metric, y, proba, task="multiclass", classes=classes)
    assert got == pytest.approx(expected, rel=1e-12)


def test_multiclass_column_order_follows_classes() -> None:
    y, proba, classes = beans()
    order = np.random.default_rng(0).permutation(len(classes))
    permuted = [classes[i] for i in order]
    same = score("log_loss", y, proba[:, order], task="multiclass", classes=permuted)
    assert same == pytest.approx(score("log_loss", y, proba, task="multiclass",
                                       classes=classes))
    wrong = score("log_loss", y, proba[:, order], task="multiclass", classes=classes)
    assert wrong > same + 0.5


@pytest.mark.parametrize("metric", sorted(METRICS["regression"]))
def test_regression_metrics_match_sklearn(metric: str) -> None:
    y, pred = ames()
    expected = {
        "rmse": skm.root_mean_squared_error, "mae": skm.mean_absolute_error,
        "r2": skm.r2_score, "mape": skm.mean_absolute_percentage_error,
    }[metric](y, pred)
    assert score(metric, y, pred, task="regression") == pytest.approx(expected, rel=1e-12)


def test_scores_returns_every_metric_as_json_floats() -> None:
    y, pred = ames()
    out = scores(["rmse", "r2"], y, pred, task="regression")
    assert list(out) == ["rmse", "r2"]
    assert json.loads(json.dumps(out)) == out


def test_direction_covers_every_spec_metric() -> None:
    every = set().union(*METRICS.values())
    assert every == GREATER_IS_BETTER | LOSSES
    assert not GREATER_IS_BETTER & LOSSES
    assert greater_is_better("roc_auc") and greater_is_better("r2")
    assert not greater_is_better("rmse") and not greater_is_better("log_loss")


@pytest.mark.parametrize(("metric", "value", "error"), [
    ("roc_auc", 0.75, 0.25), ("accuracy", 0.9, 0.1), ("r2", 0.6, 0.4),
    ("log_loss", 0.35, 0.35), ("rmse", 1234.5, 1234.5), ("brier", 0.2, 0.2),
])
def test_error_of(metric: str, value: float, error: float) -> None:
    assert error_of(metric, value) == pytest.approx(error)


def test_errors_say_what_was_wrong() -> None:
    y, proba, _ = german()
    with pytest.raises(SpecError, match="does not fit a binary task"):
        score("rmse", y, proba, task="binary", positive_class="bad")
    with pytest.raises(SpecError, match="unknown metric 'auc'"):
        greater_is_better("auc")
    with pytest.raises(SpecError, match="pass positive_class"):
        score("roc_auc", y, proba, task="binary")
    with pytest.raises(DataError, match="1000 rows but y_pred has 3"):
        score("roc_auc", y, proba[:3], task="binary", positive_class="bad")
    with pytest.raises(DataError, match="needs both classes"):
        score("roc_auc", ["a", "a"], [0.1, 0.2], task="binary", positive_class="b")
    with pytest.raises(DataError, match="one column per class"):
        score("log_loss", ["a", "b"], [[0.5, 0.5], [0.5, 0.5]], task="multiclass",
              classes=["a", "b", "c"])
    with pytest.raises(DataError, match=r"labels \['z'\] that are not in classes"):
        score("accuracy", ["a", "z"], [[1.0, 0.0], [0.5, 0.5]], task="multiclass",
              classes=["a", "b"])


def test_non_finite_predictions_are_refused() -> None:
    with pytest.raises(DataError, match="non-finite values in 1 rows"):
        score("rmse", [1.0, 2.0], [np.nan, 2.0], task="regression")
    with pytest.raises(DataError, match="non-finite values in 1 rows"):
        score("log_loss", ["a", "b"], [[np.nan, 0.5], [0.5, 0.5]], task="multiclass",
              classes=["a", "b"])
