"""Where a project keeps things on disk. Naming only: nothing here reads or writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProjectPaths"]


@dataclass(frozen=True, slots=True)
class ProjectPaths:
    """The layout of a project folder.

    ::

        mlsprint.yaml                 the spec
        reports/                      HTML and JSON reports for people and machines
        .mlsprint/mlflow.db           embedded MLflow tracking + registry (SQLite)
        .mlsprint/mlartifacts/        embedded MLflow artifact store
        .mlsprint/optuna.db           Optuna studies (never the MLflow file: alembic clash)
        .mlsprint/split/              train.arrow, split.json (strategy, reason, hashes)
        .mlsprint/holdout/            holdout.arrow: read by validation only
        .mlsprint/candidates/<id>/    trained candidate pipelines awaiting validation
        .mlsprint/bundles/<id>/       validated bundles (MLflow model directories)
        .mlsprint/predictions.db      the serving prediction log (SQLite, WAL)
        .mlsprint/promotions.jsonl    champion moves: MLflow keeps no alias history
    """

    root: Path

    @classmethod
    def of(cls, root: str | Path) -> ProjectPaths:
        return cls(Path(root).resolve())

    @property
    def spec(self) -> Path:
        return self.root / "mlsprint.yaml"

    @property
    def state(self) -> Path:
        return self.root / ".mlsprint"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def tracking_db(self) -> Path:
        return self.state / "mlflow.db"

    @property
    def artifact_store(self) -> Path:
        return self.state / "mlartifacts"

    @property
    def optuna_db(self) -> Path:
        return self.state / "optuna.db"

    @property
    def split_dir(self) -> Path:
        return self.state / "split"

    @property
    def train_file(self) -> Path:
        return self.split_dir / "train.arrow"

    @property
    def split_record(self) -> Path:
        """``split.json``: the plan, row counts and fingerprints of the cut."""
        return self.split_dir / "split.json"

    @property
    def holdout_dir(self) -> Path:
        return self.state / "holdout"

    @property
    def holdout_file(self) -> Path:
        return self.holdout_dir / "holdout.arrow"

    @property
    def candidates(self) -> Path:
        return self.state / "candidates"

    @property
    def bundles(self) -> Path:
        return self.state / "bundles"

    @property
    def prediction_log(self) -> Path:
        return self.state / "predictions.db"

    @property
    def promotions(self) -> Path:
        return self.state / "promotions.jsonl"
