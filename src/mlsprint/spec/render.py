"""Write a commented ``mlsprint.yaml`` from what ``infer_roles`` found.

The text is built from a template so that every line can carry a comment (PyYAML drops
comments). Default values are read from the spec models, so the file always shows the
thresholds the code would use; the result is parsed back before it is returned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import yaml

from mlsprint.spec.load import SPEC_FILE, parse_spec
from mlsprint.spec.model import (
    METRICS,
    PRIMARY_METRIC,
    SECONDARY_METRICS,
    ContractPolicy,
    FeaturesSpec,
    GateSpec,
    MonitoringSpec,
    ServingSpec,
    SplitSpec,
    TrainingSpec,
)

__all__ = ["RolesLike", "render_spec", "scalar"]


class RolesLike(Protocol):
    """What ``render_spec`` reads of :class:`mlsprint.data.roles.InferredRoles`.

    A protocol, because ``spec`` sits below ``data`` in the layers and cannot import it.
    """

    target: str
    task: str
    target_kind: str
    classes: tuple[Any, ...]
    positive_class: Any
    id: tuple[str, ...]
    time: tuple[str, ...]
    constant: tuple[str, ...]
    protected: tuple[str, ...]
    text: tuple[str, ...]
    weight: str | None
    group: str | None
    reasons: Mapping[str, str]
    notes: tuple[str, ...]

TODO = "# TO BE COMPLETED"
CONFIRM = "# inferred: confirm"
COMMENT_COLUMN = 38


def scalar(value: Any) -> str:
    """A YAML scalar: strings double-quoted (JSON rules), numbers, booleans and null.

    Examples
    --------
    >>> scalar(">50K"), scalar(1), scalar(0.5), scalar(None), scalar(True), scalar(500.0)
    ('">50K"', '1', '0.5', 'null', 'true', '500')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _flow(values: Sequence[Any]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def _line(indent: int, text: str, comment: str = "") -> str:
    body = " " * indent + text
    if not comment:
        return body
    return body.ljust(COMMENT_COLUMN) + " " + comment


def _header(source: str) -> list[str]:
    return [
        "# mlsprint.yaml: the project spec. Every command reads it; `mlsprint check`",
        f"# validates it together with the data ({source}).",
        f'# "{TODO[2:]}": for you to fill in.  "{CONFIRM[2:]}": guessed from the',
        "# data; check it. Every other value is a default written out so you can see it.",
        "",
    ]


def _problem() -> list[str]:
    return [
        _line(0, "problem:", "# the human side, shown in the model card"),
        _line(2, "business_objective: null", f"{TODO}: the decision this model supports"),
        _line(2, "kpi: null", f"{TODO}: the business number it should move"),
        _line(2, "intended_use: null", f"{TODO}: who uses the predictions, and how"),
        _line(2, "out_of_scope_uses: []", f"{TODO}: uses it must not serve"),
        _line(2, "stakeholders: []", f"{TODO}: owners, users, people affected"),
        "",
    ]


def _class_note(roles: RolesLike) -> str:
    shown = ", ".join(repr(c) for c in roles.classes[:8])
    more = ", ..." if len(roles.classes) > 8 else ""
    return f"{len(roles.classes)} classes: {shown}{more}"


def _task(roles: RolesLike, primary: str | None) -> list[str]:
    task = roles.task
    primary = primary or PRIMARY_METRIC[task]
    secondary = [m for m in SECONDARY_METRICS[task] if m != primary]
    about = _class_note(roles) if roles.classes else f"{roles.target_kind} values"
    lines = ["task:", _line(2, f"type: {task}", f"# inferred from {roles.target!r} ({about})")]
    if task == "binary":
        lines.append(_line(2, f"positive_class: {scalar(roles.positive_class)}",
                           f"{CONFIRM} (the class to detect)"))
    alternatives = ", ".join(sorted(METRICS[task] - {primary}))
    lines += [
        _line(2, f"primary_metric: {primary}", "# chooses the model"),
        f"  # other metrics for a {task} task: {alternatives}",
        _line(2, f"secondary_metrics: [{', '.join(secondary)}]", "# reported, not optimised"),
        "",
    ]
    return lines


def _role_list(key: str, names: Sequence[str], about: str, reasons: Mapping[str, str]) -> list[str]:
    if not names:
        return [_line(4, f"{key}: []", about)]
    lines = [_line(4, f"{key}:", about)]
    for name in names:
        lines.append(_line(6, f"- {scalar(name)}", f"{CONFIRM}: {reasons.get(name, '')}"))
    return lines


def _protected(roles: RolesLike) -> list[str]:
    about = "# audited for fairness (still features)"
    if not roles.protected:
        return [_line(4, "protected: []", about + "; add - name: COLUMN")]
    lines = [_line(4, "protected:", about)]
    for name in roles.protected:
        lines.append(_line(6, f"- name: {scalar(name)}", f"{CONFIRM}: {roles.reasons[name]}"))
        lines.append(_line(8, "inferred: true", "# set false once confirmed; delete to skip"))
    return lines


def _weight(roles: RolesLike) -> list[str]:
    about = "# a column of sample weights (optional)"
    if roles.weight is None:
        return [_line(2, "weight_column: null", about)]
    return [
        _line(2, "weight_column: null", about),
        _line(2, f"# weight_column: {scalar(roles.weight)}",
              f"# suggested: {roles.reasons.get(roles.weight, '')}"),
    ]


def _columns(roles: RolesLike) -> list[str]:
    r = dict(roles.reasons)
    group_note = (f"{CONFIRM}: its values repeat; a group stays in one fold" if roles.group
                  else "# rows sharing it stay in one fold, e.g. a customer id")
    return [
        _line(2, "columns:", "# roles; every other column is a feature"),
        *_role_list("id", roles.id, "# identifiers: never features", r),
        *_role_list("time", roles.time, "# first = the time axis of a temporal split", r),
        _line(4, f"group: {scalar(roles.group)}", group_note),
        *_protected(roles),
        *_role_list("text", roles.text, "# free text", r),
        *_role_list("constant", roles.constant, "# a single value: dropped", r),
        _line(4, "exclude: []", "# dropped, e.g. leakage known only after the outcome"),
        _line(4, "keep: []", "# kept even if flagged as leakage"),
    ]


def _data(roles: RolesLike, source: str, na_values: Sequence[str] | None,
          keep_default_na: bool) -> list[str]:
    policy = ContractPolicy()
    na = _flow(na_values) if na_values is not None else "null"
    return [
        "data:",
        _line(2, f"source: {scalar(source)}", "# CSV (.csv, .csv.gz) or Parquet; or use sql:"),
        "  # sql: {url: \"postgresql+psycopg://user@host/db\", table: \"t\"}  # or query: ...",
        _line(2, f"target: {scalar(roles.target)}", "# the column to predict"),
        *_weight(roles),
        _line(2, f"na_values: {na}", "# extra strings read as missing"),
        _line(2, f"keep_default_na: {scalar(keep_default_na)}",
              "# false: only na_values are missing"),
        _line(2, "dtypes: {}", "# e.g. {zip: str}"),
        *_columns(roles),
        _line(2, "policy:", "# what a contract violation does at predict time"),
        *(_line(4, f"{k}: {v}") for k, v in policy.model_dump().items()),
        "",
    ]


def _section(title: str, model: Any, comments: dict[str, str], indent: int = 0) -> list[str]:
    lines = [" " * indent + f"{title}:"] if title else []
    for key, value in model.model_dump().items():
        if isinstance(value, dict):
            inner = getattr(model, key)
            lines.append(_line(indent + 2, f"{key}:", comments.get(key, "")))
            lines += [_line(indent + 4, f"{k}: {_value(v)}", comments.get(f"{key}.{k}", ""))
                      for k, v in inner.model_dump().items()]
        else:
            lines.append(_line(indent + 2, f"{key}: {_value(value)}", comments.get(key, "")))
    return lines


def _value(value: Any) -> str:
    if isinstance(value, list):
        return _flow(value)
    reserved = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}
    if isinstance(value, str) and value.isidentifier() and value.lower() not in reserved:
        return value  # enum words read better bare: auto, linear, reject, ...
    return scalar(value)


def _split(notes: Sequence[str]) -> list[str]:
    comments = {
        "strategy": "# auto: temporal with a time column, group with a group, "
                    "else stratified (classes) or random",
        "holdout_fraction": "# rows kept aside for the final validation",
        "gap": "# rows skipped between train and test in a temporal split",
    }
    lines = _section("split", SplitSpec(), comments)
    lines += [f"  # note: {note}" for note in notes]
    return [*lines, ""]


def _business(task: str) -> list[str]:
    if task == "regression":
        example = ["  #   cost_per_unit_error: 1.0            # cost of 1 unit of |error|"]
    else:
        example = [
            "  #   true_positive_value: 100.0          # value of a correctly detected case",
            "  #   false_positive_cost: 10.0           # cost of a false alarm",
            "  #   false_negative_cost: 50.0           # cost of a missed case",
        ]
    return [
        "business:",
        _line(2, "currency: USD"),
        _line(2, "cost_matrix: null", f"{TODO}: turns metrics into money, e.g."),
        "  # cost_matrix:",
        *example,
        "",
    ]


def _later_phases() -> list[str]:
    gate = {
        "min_improvement_over_baseline": "# beat the baseline by at least 10 %",
        "baseline": "# linear or dummy",
        "latency_p95_ms": "# p95 latency of one prediction must stay below",
        "fairness": "# over data.columns.protected",
        "fairness.min_demographic_parity_ratio": "# the four-fifths rule",
        "fairness.mitigate": "# true: ship one threshold per protected group (Fairlearn)",
    }
    monitoring = {
        "psi": "# population stability index of a feature",
        "metric_drop": "# relative drop of the primary metric",
        "latency_p95_ms": "# serving latency, milliseconds",
        "error_rate": "# share of failed requests",
    }
    serving = {"prediction_log_url": "# null: SQLite in .mlsprint/predictions.db",
               "fallback": "# answer with the baseline model if the model fails"}
    tracking = {"uri": "# null: MLflow on SQLite in .mlsprint/ (nothing to start)",
                "optuna_storage": "# null: .mlsprint/optuna.db"}
    return [
        *_section("features", FeaturesSpec(), {}), "",
        *_section("training", TrainingSpec(), {"families": "# null: every family"}), "",
        *_section("gate", GateSpec(), gate), "",
        *_section("serving", ServingSpec(), serving), "",
        *_section("monitoring", MonitoringSpec(), monitoring), "",
        "tracking:",
        *(_line(2, f"{k}: null", c) for k, c in tracking.items()),
    ]


def render_spec(*, name: str, data_source: str, target: str, roles: RolesLike,
                na_values: Sequence[str] | None = None, keep_default_na: bool = True,
                primary_metric: str | None = None, seed: int = 42) -> str:
    """The text of a commented ``mlsprint.yaml`` holding everything that was inferred.

    Parameters
    ----------
    name : str
        The project's and the model's name.
    data_source : str
        The data file, as the spec should store it (relative to the project).
    target : str
        The target column; must be the one ``roles`` was inferred for.
    roles : RolesLike
        From :func:`mlsprint.data.roles.infer_roles` (its ``task=`` overrides the task).
    na_values, keep_default_na
        Read options, written under ``data:``.
    primary_metric : str, optional
        Overrides the task's default primary metric.

    Raises
    ------
    SpecError
        When the result is not a valid spec (a bad name, a metric unfit for the task).
    """
    if roles.target != target:
        raise ValueError(f"roles were inferred for {roles.target!r}, not {target!r}")
    lines = [
        *_header(data_source),
        _line(0, f"name: {scalar(name)}", "# the project's and the model's name"),
        _line(0, f"seed: {seed}", "# every random choice derives from it"),
        "",
        *_problem(),
        *_task(roles, primary_metric),
        *_data(roles, data_source, na_values, keep_default_na),
        *_split(roles.notes),
        *_business(roles.task),
        *_later_phases(),
    ]
    text = "\n".join(lines) + "\n"
    parse_spec(yaml.safe_load(text), source=SPEC_FILE)
    return text
