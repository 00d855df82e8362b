"""``mlsprint check``: the spec and the data, validated together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsprint.data.checks import check_spec_against_data
from mlsprint.errors import DataError
from mlsprint.spec import SPEC_FILE
from mlsprint.workflows.context import Project

__all__ = ["CheckResult", "run_check"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    rows: int
    columns: int
    fingerprint: str
    run_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": self.columns, "fingerprint": self.fingerprint,
                "run_id": self.run_id}


def run_check(folder: str | Path | Project = ".") -> CheckResult:
    """Raise ``SpecError``/``DataError`` listing every problem; record a ``check`` run."""
    project = Project.open(folder)
    table = project.data()
    problems = check_spec_against_data(project.spec, table.frame, spec_file=SPEC_FILE,
                                       data_name=table.source)
    if problems:
        raise DataError("\n".join(problems))
    with project.phase("check", fingerprint=table.fingerprint,
                       params={"rows": len(table.frame), "columns": table.frame.shape[1]}) as rid:
        project.tracker.log_dict(rid, table.to_dict(), "data.json")
    return CheckResult(len(table.frame), int(table.frame.shape[1]), table.fingerprint, rid)
