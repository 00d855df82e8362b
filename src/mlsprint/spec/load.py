"""Read ``mlsprint.yaml`` into a :class:`ProjectSpec` with errors that name the field."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

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


def _message(error: dict[str, Any], source: str) -> str:
    path = _field_path(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _field_path(error["loc"][:-1])
        return (
            f"{source}: {path}: unknown key; remove it or check its spelling "
            f"(allowed keys are listed in the docs for {parent})"
        )
    if kind == "missing":
        return f"{source}: {path}: required field is missing; add it"
    seen = error.get("input")
    seen_text = "" if isinstance(seen, dict) else f" (got {seen!r})"
    return f"{source}: {path}: {error['msg']}{seen_text}"


def parse_spec(raw: Any, *, source: str = SPEC_FILE) -> ProjectSpec:
    """Validate an already-parsed YAML document."""
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
