"""Pydantic models of ``mlsprint.yaml``: frozen, unknown keys rejected.

Every later phase reads its section from here; sections carry defaults so that a spec
written by ``mlsprint init`` for an early phase stays valid when later phases arrive.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "BusinessSpec",
    "ColumnsSpec",
    "ContractPolicy",
    "CostMatrix",
    "DataSpec",
    "FairnessSpec",
    "FeaturesSpec",
    "GateSpec",
    "MonitoringSpec",
    "ProblemSpec",
    "ProjectSpec",
    "ProtectedAttribute",
    "ServingSpec",
    "SplitSpec",
    "SqlSource",
    "TaskSpec",
    "Thresholds",
    "TrackingSpec",
    "TrainingSpec",
]

TaskType = Literal["binary", "multiclass", "regression"]
Level = Literal["reject", "warn", "ignore"]
Fraction = Annotated[float, Field(gt=0, lt=1)]

PRIMARY_METRIC = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}
SECONDARY_METRICS = {
    "binary": ["average_precision", "log_loss", "f1", "accuracy", "brier"],
    "multiclass": ["accuracy", "f1_macro", "roc_auc_ovr"],
    "regression": ["mae", "r2"],
}
METRICS = {
    "binary": {"roc_auc", "average_precision", "log_loss", "f1", "accuracy", "brier",
               "precision", "recall", "balanced_accuracy"},
    "multiclass": {"log_loss", "accuracy", "f1_macro", "roc_auc_ovr", "balanced_accuracy"},
    "regression": {"rmse", "mae", "r2", "mape"},
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Thresholds(_Frozen):
    """A warning and a critical level for one monitored quantity."""

    warning: float
    critical: float

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.critical < self.warning:
            raise ValueError(
                f"critical ({self.critical}) must be at least warning ({self.warning}); "
                "swap the two values"
            )
        return self


class ProblemSpec(_Frozen):
    """The human fields of the project: filled by people, shown in the model card."""

    business_objective: str | None = None
    kpi: str | None = None
    intended_use: str | None = None
    out_of_scope_uses: list[str] = []
    stakeholders: list[str] = []


class TaskSpec(_Frozen):
    type: TaskType
    positive_class: str | int | bool | None = None
    primary_metric: str | None = None
    secondary_metrics: list[str] | None = None

    @model_validator(mode="after")
    def _metrics_fit_task(self) -> TaskSpec:
        allowed = METRICS[self.type]
        for metric in [self.primary_metric, *(self.secondary_metrics or [])]:
            if metric is not None and metric not in allowed:
                raise ValueError(
                    f"metric {metric!r} does not fit a {self.type} task; "
                    f"expected one of {sorted(allowed)}"
                )
        if self.type == "binary" and self.positive_class is None:
            raise ValueError("a binary task needs task.positive_class (the class to detect)")
        return self

    @property
    def primary(self) -> str:
        return self.primary_metric or PRIMARY_METRIC[self.type]

    @property
    def secondary(self) -> list[str]:
        if self.secondary_metrics is not None:
            return list(self.secondary_metrics)
        return [m for m in SECONDARY_METRICS[self.type] if m != self.primary]


class SqlSource(_Frozen):
    """A SQLAlchemy URL plus a table name or a query."""

    url: str
    table: str | None = None
    query: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SqlSource:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of sql.table or sql.query")
        return self


class ProtectedAttribute(_Frozen):
    """A column audited for fairness; numeric ones are cut into bins or quantile bands."""

    name: str
    inferred: bool = False
    bins: list[float] | None = None


class ColumnsSpec(_Frozen):
    """Roles of columns. Columns not named here are features."""

    id: list[str] = []
    time: list[str] = []
    group: str | None = None
    protected: list[ProtectedAttribute] = []
    text: list[str] = []
    constant: list[str] = []
    exclude: list[str] = []
    keep: list[str] = Field(
        default=[], description="columns kept for training even if flagged as leakage"
    )

    @field_validator("protected", mode="before")
    @classmethod
    def _names_as_shorthand(cls, value: object) -> object:
        """``protected: [sex, race]`` is short for ``[{name: sex}, {name: race}]``."""
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value


class ContractPolicy(_Frozen):
    """What a contract violation does at predict time."""

    missing_column: Level = "reject"
    extra_column: Level = "warn"
    wrong_type: Level = "reject"
    out_of_range: Level = "warn"
    unseen_category: Level = "warn"
    unseen_null: Level = "warn"


class DataSpec(_Frozen):
    source: str | None = None
    sql: SqlSource | None = None
    target: str
    weight_column: str | None = None
    na_values: list[str] | None = None
    keep_default_na: bool = True
    dtypes: dict[str, str] = {}
    columns: ColumnsSpec = ColumnsSpec()
    policy: ContractPolicy = ContractPolicy()

    @model_validator(mode="after")
    def _one_source(self) -> DataSpec:
        if (self.source is None) == (self.sql is None):
            raise ValueError("give exactly one of data.source (a file) or data.sql")
        return self


class SplitSpec(_Frozen):
    strategy: Literal["auto", "random", "stratified", "temporal", "group"] = "auto"
    holdout_fraction: Fraction = 0.2
    n_folds: Annotated[int, Field(ge=2, le=20)] = 5
    gap: Annotated[int, Field(ge=0)] = 0


class FeaturesSpec(_Frozen):
    custom: list[str] = []
    max_onehot_categories: Annotated[int, Field(ge=2)] = 15
    rare_category_min_fraction: Annotated[float, Field(ge=0, lt=1)] = 0.01


class TrainingSpec(_Frozen):
    budget_seconds: Annotated[float, Field(gt=0)] = 120
    families: list[str] | None = None
    n_jobs: Annotated[int, Field(ge=1)] = 2


class CostMatrix(_Frozen):
    """Business value of outcomes; classification uses the first three, regression the last."""

    true_positive_value: float = 0.0
    false_positive_cost: float = 0.0
    false_negative_cost: float = 0.0
    cost_per_unit_error: float | None = None


class BusinessSpec(_Frozen):
    cost_matrix: CostMatrix | None = None
    currency: str = "USD"


class FairnessSpec(_Frozen):
    min_demographic_parity_ratio: Annotated[float, Field(ge=0, le=1)] = 0.8
    max_equalized_odds_difference: Annotated[float, Field(ge=0, le=1)] = 0.1
    min_group_size: Annotated[int, Field(ge=1)] = 30
    mitigate: bool = False


class GateSpec(_Frozen):
    min_improvement_over_baseline: Annotated[float, Field(ge=0)] = 0.10
    baseline: Literal["linear", "dummy"] = "linear"
    latency_p95_ms: Annotated[float, Field(gt=0)] = 500
    fairness: FairnessSpec = FairnessSpec()


class ServingSpec(_Frozen):
    unseen_category: Literal["accept", "reject"] = "accept"
    max_body_bytes: Annotated[int, Field(gt=0)] = 50 * 1024 * 1024
    max_batch_rows: Annotated[int, Field(gt=0)] = 1_000_000
    request_timeout_seconds: Annotated[float, Field(gt=0)] = 30
    max_concurrency: Annotated[int, Field(gt=0)] = 64
    prediction_log_url: str | None = None
    fallback: Literal["baseline", "constant", "none"] = "baseline"
    challenger_share: Annotated[float, Field(ge=0, le=1)] = 0.0
    shadow: bool = False


class MonitoringSpec(_Frozen):
    psi: Thresholds = Thresholds(warning=0.1, critical=0.2)
    metric_drop: Thresholds = Thresholds(warning=0.05, critical=0.10)
    latency_p95_ms: Thresholds = Thresholds(warning=500, critical=1000)
    error_rate: Thresholds = Thresholds(warning=0.01, critical=0.05)
    reference_sample_rows: Annotated[int, Field(gt=0)] = 5000
    pushgateway_url: str | None = None


class TrackingSpec(_Frozen):
    uri: str | None = None
    optuna_storage: str | None = None


class ProjectSpec(_Frozen):
    """The whole of ``mlsprint.yaml``."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    seed: int = 42
    problem: ProblemSpec = ProblemSpec()
    task: TaskSpec
    data: DataSpec
    split: SplitSpec = SplitSpec()
    features: FeaturesSpec = FeaturesSpec()
    training: TrainingSpec = TrainingSpec()
    business: BusinessSpec = BusinessSpec()
    gate: GateSpec = GateSpec()
    serving: ServingSpec = ServingSpec()
    monitoring: MonitoringSpec = MonitoringSpec()
    tracking: TrackingSpec = TrackingSpec()

    @model_validator(mode="after")
    def _roles_consistent(self) -> ProjectSpec:
        cols = self.data.columns
        roles = {"id": cols.id, "time": cols.time, "text": cols.text, "exclude": cols.exclude}
        for role, names in roles.items():
            if self.data.target in names:
                raise ValueError(
                    f"the target {self.data.target!r} is also listed under "
                    f"data.columns.{role}; remove it from there"
                )
        return self

    @property
    def protected_names(self) -> list[str]:
        return [p.name for p in self.data.columns.protected]
