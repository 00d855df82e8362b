"""The bundle: an MLflow model directory plus mlsprint's contract, evidence and card.

::

    <bundle>/
      MLmodel, python_model.pkl, ...   MLflow pyfunc files (``mlflow models serve`` works)
      artifacts/pipeline.joblib        the fitted scikit-learn Pipeline
      artifacts/baseline.joblib        the baseline model, answering when the model fails
      contract.json  spec.json  reference.json  evidence.json  lineage.json
      card.md  card.html  mlsprint.json (versions, threshold(s), classes)
      MANIFEST.sha256                  sha256 of every file, checked before unpickling

``load_bundle`` verifies the manifest and the versions first; only then does it unpickle.
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.artifacts.manifest import verify_manifest, write_manifest
from mlsprint.artifacts.outputs import cutoffs, prediction_frame
from mlsprint.data.contract import DataContract
from mlsprint.errors import BundleError
from mlsprint.fairness.thresholds import GroupThresholds
from mlsprint.spec.model import ProjectSpec

__all__ = ["FORMAT_VERSION", "Bundle", "BundleInfo", "copy_bundle", "load_bundle",
           "no_integer_hint", "save_bundle"]

FORMAT_VERSION = 1
_JSON_FILES = ("evidence", "lineage", "reference")


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """Where a bundle was written and the digest that identifies its exact content."""

    path: Path
    sha256: str
    versions: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256, "versions": dict(self.versions)}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("mlsprint", "scikit-learn", "lightgbm", "xgboost-cpu", "catboost", "pandas",
                 "numpy", "mlflow"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            continue
    return out


def _dump(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, default=_jsonable),
                    encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if isinstance(value, (set, tuple, np.ndarray)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _classes(pipeline: Any, spec: ProjectSpec) -> list[Any] | None:
    if spec.task.type == "regression":
        return None
    return [c.item() if isinstance(c, np.generic) else c for c in pipeline.classes_]


def save_bundle(path: str | Path, *, pipeline: Any, baseline: Any, contract: DataContract,
                spec: ProjectSpec, evidence: dict[str, Any], card_md: str, card_html: str,
                reference: dict[str, Any] | None, lineage: dict[str, Any],
                input_example: pd.DataFrame, threshold: float | None,
                group_thresholds: GroupThresholds | None = None) -> BundleInfo:
    """Write a bundle: an MLflow pyfunc model directory plus contract, evidence and card.

    Parameters
    ----------
    path : path-like
        A directory that must not exist yet (bundles are immutable once written).
    pipeline, baseline : fitted scikit-learn estimators taking the raw feature frame.
    contract, spec : the data contract and project spec the model was trained under.
    evidence, lineage : JSON-serialisable dictionaries frozen with the model.
    card_md, card_html : the model card as validated.
    reference : monitoring reference statistics, or None for an empty placeholder.
    input_example : a few raw input rows (MLflow signature and input example).
    threshold : decision threshold on the positive class (binary), else None.
    group_thresholds : GroupThresholds, optional
        One threshold per protected group (a fairness-mitigated model); the protected
        columns must then be among the pipeline's input columns.

    Returns
    -------
    BundleInfo
    """
    import joblib
    import mlflow.models
    import mlflow.pyfunc

    path = Path(path)
    if path.exists():
        raise BundleError(f"{path} already exists; a bundle is written once: choose a new "
                          "directory or remove the old one")
    classes = _classes(pipeline, spec)
    columns = [str(c) for c in getattr(pipeline, "feature_names_in_", input_example.columns)]
    groups = None if group_thresholds is None else group_thresholds.to_dict()
    if groups is not None and (absent := set(groups["attributes"]) - set(columns)):
        raise BundleError(f"group thresholds need the protected columns {sorted(absent)} as "
                          f"model inputs; the pipeline reads {columns}")
    config = {"classes": classes, "threshold": threshold, "columns": columns,
              "positive_class": spec.task.positive_class, "group_thresholds": groups}
    example = input_example.reset_index(drop=True)
    values = (pipeline.predict(example[columns]) if classes is None
              else pipeline.predict_proba(example[columns]))
    output = prediction_frame(values, classes=classes,
                              threshold=cutoffs(example, threshold, group_thresholds),
                              positive_class=spec.task.positive_class)
    with tempfile.TemporaryDirectory() as tmp, no_integer_hint():
        joblib.dump(pipeline, Path(tmp) / "pipeline.joblib")
        joblib.dump(baseline, Path(tmp) / "baseline.joblib")
        mlflow.pyfunc.save_model(
            path=str(path), python_model=str(Path(__file__).with_name("pyfunc_entry.py")),
            artifacts={"pipeline": str(Path(tmp) / "pipeline.joblib"),
                       "baseline": str(Path(tmp) / "baseline.joblib")},
            model_config=config, signature=mlflow.models.infer_signature(example, output),
            input_example=example, pip_requirements=_requirements(),
        )
    _write_sidecars(path, contract=contract, spec=spec, evidence=evidence, card_md=card_md,
                    card_html=card_html, reference=reference, lineage=lineage,
                    threshold=threshold, classes=classes, columns=columns,
                    group_thresholds=groups)
    versions = json.loads((path / "mlsprint.json").read_text())["versions"]
    return BundleInfo(path=path, sha256=write_manifest(path), versions=versions)


@contextmanager
def no_integer_hint() -> Iterator[None]:
    """Silence MLflow's hint about integer columns. Integer columns stay integers in the
    signature (MLflow refuses int64 -> double at enforcement, so declaring doubles would
    reject clients that send integers); missing values in them are the contract's and the
    server's concern, not the signature's."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
        yield


def _requirements() -> list[str]:
    return [f"{dist}=={ver}" for dist, ver in _versions().items()
            if dist not in ("python", "mlsprint")]


def _write_sidecars(path: Path, *, contract: DataContract, spec: ProjectSpec,
                    evidence: dict[str, Any], card_md: str, card_html: str,
                    reference: dict[str, Any] | None, lineage: dict[str, Any],
                    threshold: float | None, classes: list[Any] | None,
                    columns: list[str], group_thresholds: dict[str, Any] | None) -> None:
    (path / "contract.json").write_text(contract.to_json(), encoding="utf-8")
    _dump(path / "spec.json", spec.model_dump(mode="json"))
    _dump(path / "evidence.json", evidence)
    _dump(path / "lineage.json", lineage)
    _dump(path / "reference.json", reference or {})
    (path / "card.md").write_text(card_md, encoding="utf-8")
    (path / "card.html").write_text(card_html, encoding="utf-8")
    _dump(path / "mlsprint.json", {
        "format": FORMAT_VERSION, "created": datetime.now(UTC).isoformat(),
        "versions": _versions(), "threshold": threshold, "classes": classes,
        "columns": columns, "task": spec.task.type, "name": spec.name,
        "positive_class": spec.task.positive_class, "group_thresholds": group_thresholds,
    })


@dataclass(slots=True)
class Bundle:
    """A loaded, verified bundle. ``predict`` answers like the bundle's MLflow pyfunc."""

    path: Path
    pipeline: Any
    baseline: Any
    contract: DataContract
    spec: ProjectSpec
    meta: dict[str, Any]
    sha256: str
    evidence: dict[str, Any] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def classes(self) -> list[Any] | None:
        return self.meta["classes"]

    @property
    def threshold(self) -> float | None:
        return self.meta["threshold"]

    @property
    def group_thresholds(self) -> GroupThresholds | None:
        """One threshold per protected group when the model ships fairness-mitigated."""
        groups = self.meta.get("group_thresholds")
        return None if groups is None else GroupThresholds.from_dict(groups)

    def thresholds_for(self, df: pd.DataFrame) -> float | np.ndarray | None:
        """The decision threshold of each row of ``df`` (one number when not per group)."""
        return cutoffs(df, self.threshold, self.group_thresholds)

    @property
    def columns(self) -> list[str]:
        """The columns the pipeline reads, in its order."""
        return list(self.meta["columns"])

    @property
    def card_md(self) -> str:
        return (self.path / "card.md").read_text(encoding="utf-8")

    def features(self, df: pd.DataFrame) -> pd.DataFrame:
        """The pipeline's input columns of ``df``, in the order seen in training."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise BundleError(f"the frame lacks the model's input columns {missing}; "
                              f"expected all of {self.columns}")
        return df[self.columns]

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """Class probabilities (classification) or predicted values (regression)."""
        X = self.features(df)
        if self.classes is None:
            return np.asarray(self.pipeline.predict(X), dtype="float64")
        return np.asarray(self.pipeline.predict_proba(X), dtype="float64")

    def predict(self, df: pd.DataFrame, *, model: Any = None) -> pd.DataFrame:
        """Label and class probabilities, or value: the bundle's pyfunc answer."""
        model = self.pipeline if model is None else model
        X = self.features(df)
        values = model.predict(X) if self.classes is None else model.predict_proba(X)
        return prediction_frame(values, classes=self.classes, threshold=self.thresholds_for(df),
                                positive_class=self.meta.get("positive_class"),
                                index=df.index)

    def predict_baseline(self, df: pd.DataFrame) -> pd.DataFrame:
        """The fallback answer: the bundle's baseline model on the same rows."""
        return self.predict(df, model=self.baseline)

    def explain(self, df: pd.DataFrame) -> pd.DataFrame:
        """Per-row contributions to the model's raw score (see :mod:`.explain`)."""
        from mlsprint.artifacts.explain import explain_pipeline

        return explain_pipeline(self.pipeline, self.features(df))

    def update_reference(self, reference: dict[str, Any]) -> str:
        """Replace ``reference.json`` (monitoring statistics) and rewrite the manifest.

        The other files are verified first, so a tampered bundle is never re-signed.
        """
        verify_manifest(self.path)
        _dump(self.path / "reference.json", reference)
        self.reference = dict(reference)
        self.sha256 = write_manifest(self.path)
        return self.sha256


def _check_versions(path: Path, meta: dict[str, Any]) -> None:
    fmt = meta.get("format")
    if fmt != FORMAT_VERSION:
        raise BundleError(f"bundle {path} has format {fmt!r}; this mlsprint reads format "
                          f"{FORMAT_VERSION}: re-run validate with this mlsprint version")
    saved, here = meta.get("versions", {}), _versions()
    checks = {"mlsprint": 1, "scikit-learn": 2}  # compared components: major / major.minor
    for dist, depth in checks.items():
        a, b = saved.get(dist), here.get(dist)
        if a and b and a.split(".")[:depth] != b.split(".")[:depth]:
            raise BundleError(
                f"bundle {path} was saved with {dist} {a} but {b} is installed; a pickled "
                f"pipeline needs the same {dist} {'.'.join(a.split('.')[:depth])}.x: install "
                f"{dist}=={a} or retrain the bundle with {dist} {b}"
            )


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_bundle(path: str | Path) -> Bundle:
    """Verify and load a bundle: hashes and versions first, unpickling last.

    Raises
    ------
    BundleError
        The directory is not a bundle, a file was changed, or the versions differ.
    """
    import joblib

    path = Path(path)
    if not path.is_dir():
        raise BundleError(f"no bundle at {path}: expected a directory written by "
                          "mlsprint; check the path or use --model models:/NAME@ALIAS")
    digest = verify_manifest(path)
    meta = _read_json(path / "mlsprint.json")
    _check_versions(path, meta)
    contract = DataContract.from_json((path / "contract.json").read_text(encoding="utf-8"))
    spec = ProjectSpec.model_validate(_read_json(path / "spec.json"))
    extra = {name: _read_json(path / f"{name}.json") for name in _JSON_FILES}
    pipeline = joblib.load(path / "artifacts" / "pipeline.joblib")
    baseline = joblib.load(path / "artifacts" / "baseline.joblib")
    return Bundle(path=path, pipeline=pipeline, baseline=baseline, contract=contract,
                  spec=spec, meta=meta, sha256=digest, **extra)


def copy_bundle(src: str | Path, dst: str | Path) -> Path:
    """Copy a verified bundle (used by packaging)."""
    verify_manifest(src)
    shutil.copytree(src, dst)
    return Path(dst)
