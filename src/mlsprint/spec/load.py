"""Read ``mlsprint.yaml`` into a :class:`ProjectSpec` with errors that name the field."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from mlsprint.errors import SpecError
from mlsprint.spec.model import ProjectSpec

__all__ = ["SPEC_FILE", "did_you_mean", "load_spec", "parse_spec"]

SPEC_FILE = "mlsprint.yaml"


def did_you_mean(value: str, choices: list[str]) -> str:
    """A ``(did you mean 'x'?)`` hint, or an empty string when nothing is close."""
    stripped = {c.strip().lower(): c for c in choices}
    if value.strip().lower() in stripped:
        return f" (did you mean {stripped[value.strip().lower()]!r}?)"
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``X``, ``X | None`` or ``list[X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the section at ``loc`` accepts (empty when it cannot be resolved)."""
    model: type[BaseModel] | None = ProjectSpec
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(str(part))
        model = _model_of(info.annotation) if info else None
    return list(model.model_fields) if model is not None else []


def _unknown_key(error: dict[str, Any], source: str) -> str:
    loc = error["loc"]
    allowed = _allowed_keys(loc[:-1])
    hint = did_you_mean(str(loc[-1]), allowed) if allowed else ""
    listing = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
    return (f"{source}: {_field_path(loc)}: unknown key{hint}; remove it or fix its "
            f"spelling{listing}")


def _message(error: dict[str, Any], source: str) -> str:
    path = _field_path(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(error, source)
    if kind == "missing":
        return f"{source}: {path}: required field is missing; add it"
    seen = error.get("input")
    if kind == "string_pattern_mismatch" and error["loc"] == ("name",):
        return (f"{source}: name: {seen!r} is not a valid name; use letters, digits, '_', "
                "'.' and '-', starting with a letter or digit (e.g. 'churn-model')")
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error":  # our validators already name the values they saw
        return f"{source}: {message}" if not error["loc"] else f"{source}: {path}: {message}"
    seen_text = "" if isinstance(seen, dict) else f" (got {seen!r})"
    return f"{source}: {path}: {message}{seen_text}"


def parse_spec(raw: Any, *, source: str = SPEC_FILE) -> ProjectSpec:
    """Validate an already-parsed YAML document."""
    if raw is None:
        raise SpecError(f"{source}: the spec is empty; run 'mlsprint init DIR --data FILE "
                        "--target COLUMN' to write one")
    if not isinstance(raw, dict):
        raise SpecError(
            f"{source}: expected a mapping of sections (name, task, data, ...), "
            f"got {type(raw).__name__}; run 'mlsprint init' to write a valid spec"
        )
    try:
        return ProjectSpec.model_validate(raw)
    except ValidationError as exc:
        lines = [_message(e, source) for e in exc.errors(include_url=False)]
        raise SpecError("\n".join(lines)) from None


def load_spec(path: str | Path) -> ProjectSpec:
    """Load and validate a spec file; a directory means its ``mlsprint.yaml``."""
    path = Path(path)
    if path.is_dir():
        path = path / SPEC_FILE
    if not path.exists():
        raise SpecError(
            f"{path}: no spec file here; create one with "
            f"'mlsprint init {path.parent} --data FILE --target COLUMN'"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"{path.name}:{where}: invalid YAML: {problem}; fix the syntax") from None
    return parse_spec(raw, source=path.name)
