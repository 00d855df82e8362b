"""``mlsprint init``: infer what can be inferred and write a commented ``mlsprint.yaml``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsprint.data.roles import InferredRoles, infer_roles
from mlsprint.errors import DataError, SpecError
from mlsprint.sources import ReadOptions, load_table
from mlsprint.spec import did_you_mean
from mlsprint.spec.paths import ProjectPaths
from mlsprint.spec.render import render_spec
from mlsprint.workflows.files import write_text_atomic

__all__ = ["InitResult", "run_init"]


@dataclass(frozen=True, slots=True)
class InitResult:
    spec_path: Path
    roles: InferredRoles
    written: bool
    fingerprint: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {"spec_path": str(self.spec_path), "written": self.written,
                "fingerprint": self.fingerprint, "rows": self.rows}


def _source_text(data: Path, root: Path) -> str:
    """The data path as the spec stores it: relative to the project when possible."""
    try:
        return os.path.relpath(data.resolve(), root)
    except ValueError:  # another drive on Windows
        return str(data.resolve())


def run_init(folder: str | Path, *, data: str | Path, target: str, task: str | None = None,
             name: str | None = None, force: bool = False,
             na_values: list[str] | None = None, keep_default_na: bool = True) -> InitResult:
    """Infer task, metrics and column roles from ``data`` and write the spec.

    An existing spec that differs from what would be written is kept unless ``force``.
    """
    paths = ProjectPaths.of(folder)
    options = ReadOptions(na_values=tuple(na_values) if na_values else None,
                          keep_default_na=keep_default_na)
    table = load_table(Path(data), options=options)
    if target not in table.frame.columns:
        raise DataError(f"--target: column {target!r} is not in {data}"
                        f"{did_you_mean(target, list(table.frame.columns))}; "
                        "pass one of its columns")
    roles = infer_roles(table.frame, target, task=task)
    text = render_spec(
        name=name or _default_name(paths.root), data_source=_source_text(Path(data), paths.root),
        target=target, roles=roles, na_values=na_values, keep_default_na=keep_default_na,
    )
    written = _write_spec(paths.spec, text, force=force)
    return InitResult(paths.spec, roles, written, table.fingerprint, len(table.frame))


def _default_name(root: Path) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_.-" else "-" for c in root.name).strip("-.")
    return cleaned or "project"


def _write_spec(path: Path, text: str, *, force: bool) -> bool:
    if path.exists() and not force:
        if path.read_text(encoding="utf-8") == text:
            return False
        raise SpecError(f"{path}: a spec already exists and differs from what init would "
                        "write (your edits are kept); pass --force to overwrite it")
    write_text_atomic(path, text)
    return True
