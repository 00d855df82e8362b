"""OpenAPI request schemas generated from the data contract of the loaded model.

Column names, JSON types, nullability, allowed categories (an ``enum`` only when unseen
categories are rejected; otherwise listed as examples) and training ranges (documentation,
not limits: out-of-range values are accepted with a warning unless the spec rejects them).
"""

from __future__ import annotations

from typing import Any

from mlsprint.serving.runtime import Deployed
from mlsprint.serving.validation import ColumnRule, Rules

__all__ = ["patch_openapi", "record_schema"]

_MAX_LISTED = 50


def _column(rule: ColumnRule, rules: Rules) -> dict[str, Any]:
    if rule.kind == "numeric":
        base: dict[str, Any] = {"type": "number"}
        if rule.low is not None:
            base["description"] = f"training range [{rule.low}, {rule.high}]"
            base["x-training-range"] = [rule.low, rule.high]
    elif rule.kind == "boolean":
        base = {"type": "boolean"}
    else:
        base = {"type": "string"}
        cats = sorted(rule.categories)
        if cats:
            listed = ", ".join(cats[:_MAX_LISTED]) + (" ..." if len(cats) > _MAX_LISTED else "")
            base["description"] = f"categories seen in training: {listed}"
            if rules.category_level == "reject":
                base["enum"] = cats
            else:
                base["examples"] = cats[:5]
    if rule.nullable:
        return {"anyOf": [base, {"type": "null"}], "description": base.get("description", "")}
    return base


def record_schema(rules: Rules) -> dict[str, Any]:
    """The JSON schema of one request record."""
    props = {r.name: _column(r, rules) for r in rules.columns}
    schema: dict[str, Any] = {"type": "object", "properties": props,
                              "required": [r.name for r in rules.columns if r.required]}
    if rules.reject_extra:
        schema["additionalProperties"] = False
    return schema


def _body(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"required": True, "content": {"application/json": content}}


def patch_openapi(doc: dict[str, Any], model: Deployed) -> dict[str, Any]:
    """Put the contract's request schemas into the OpenAPI document (in place)."""
    record = record_schema(model.rules)
    doc.setdefault("components", {}).setdefault("schemas", {})["Record"] = record
    ref = {"$ref": "#/components/schemas/Record"}
    many = {"type": "array", "items": ref, "minItems": 1}
    paths = doc.get("paths", {})
    if "/predict" in paths:
        paths["/predict"]["post"]["requestBody"] = _body({"anyOf": [ref, many]})
    if "/invocations" in paths:
        paths["/invocations"]["post"]["requestBody"] = _body({
            "type": "object", "properties": {"dataframe_records": many},
            "required": ["dataframe_records"], "additionalProperties": False})
    for path in ("/predict/batch",):
        if path in paths:
            paths[path]["post"]["requestBody"] = {"required": True, "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string",
                                                              "format": "binary"}}}}
    if "/feedback" in paths:
        item = {"type": "object", "required": ["request_id", "outcome"],
                "properties": {"request_id": {"type": "string"}, "row": {"type": "integer",
                               "minimum": 0}, "outcome": {}}}
        paths["/feedback"]["post"]["requestBody"] = _body({"anyOf": [item, {
            "type": "array", "items": item, "minItems": 1}]})
    for path, item in paths.items():
        for op in item.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                if path.startswith("/v2/models/") and param.get("name") == "name":
                    param["schema"] = {"type": "string", "enum": [model.name]}
                elif path.startswith("/v2/models/") and param.get("name") == "version":
                    param["schema"] = {"type": "string", "enum": [model.version]}
    doc.setdefault("info", {})["description"] = (
        f"Serving {model.name} version {model.version} ({model.how}). Request columns, "
        "types, categories and training ranges come from the model's data contract.")
    return doc
