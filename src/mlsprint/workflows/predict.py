"""``mlsprint predict``: score a CSV or Parquet file, streamed in chunks.

The output holds the input rows plus ``prediction`` and, for classification, one
``proba_<class>`` column per class. Input is validated against the model's contract
first; the output is written to a temporary file and renamed only when every chunk
succeeded, so a failure never leaves a half-written file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlsprint.data.contract import validate
from mlsprint.errors import DataError, SchemaMismatchError
from mlsprint.sources import read_options
from mlsprint.sources.tables import CSV_SUFFIXES, PARQUET_SUFFIXES
from mlsprint.workflows.context import Project
from mlsprint.workflows.models import open_model

__all__ = ["PredictOutcome", "run_predict"]

MAX_LISTED = 20  # violations listed in an error message; the count says how many in all


@dataclass(frozen=True, slots=True)
class PredictOutcome:
    out: Path
    rows: int
    model: str
    warnings: dict[str, int]


def _chunks(path: Path, chunk_rows: int, options: dict[str, Any]) -> Iterator[pd.DataFrame]:
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
            yield batch.to_pandas()
    elif name.endswith(CSV_SUFFIXES):
        yield from pd.read_csv(path, chunksize=chunk_rows, **options)
    else:
        raise DataError(f"--data {path}: unsupported file type; expected CSV or Parquet")


class _Writer:
    """Append chunks to a temporary CSV or Parquet file; ``commit`` renames it."""

    def __init__(self, out: Path):
        self.out = out
        self.tmp = out.with_name(f".{out.name}.tmp")
        self.parquet = out.name.lower().endswith(PARQUET_SUFFIXES)
        self._writer: Any = None
        self._first = True

    def write(self, frame: pd.DataFrame) -> None:
        if self.parquet:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._writer is None:
                self._writer = pq.ParquetWriter(self.tmp, table.schema)
            self._writer.write_table(table.cast(self._writer.schema))
        else:
            frame.to_csv(self.tmp, mode="w" if self._first else "a", header=self._first,
                         index=False)
        self._first = False

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.tmp.replace(self.out)

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.tmp.unlink(missing_ok=True)


def _check(chunk: pd.DataFrame, bundle: Any, policy: Any, offset: int,
           warnings: Counter[str]) -> None:
    problems = validate(chunk, bundle.contract, policy)
    rejects = [v for v in problems if v.level == "reject"]
    warnings.update(v.kind for v in problems if v.level == "warn")
    if rejects:
        lines = [f"row {'-' if v.row is None else v.row + offset}, column '{v.column}': "
                 f"{v.message}" for v in rejects[:MAX_LISTED]]
        more = f"\n... and {len(rejects) - MAX_LISTED} more" if len(rejects) > MAX_LISTED else ""
        raise SchemaMismatchError(f"--data does not fit the model's data contract "
                                  f"({len(rejects)} problems):\n" + "\n".join(lines) + more)


def run_predict(folder: str | Path | Project, *, data: Path, out: Path, model: str | None = None,
                chunk_rows: int = 100_000) -> PredictOutcome:
    """Score ``data`` into ``out`` with the resolved model."""
    project = Project.open(folder)
    resolved, bundle = open_model(project, model)
    spec_data = project.spec.data
    options = read_options(spec_data).csv_kwargs()
    if not Path(data).exists():
        raise DataError(f"--data {data}: file not found")
    writer, rows, warnings = _Writer(Path(out)), 0, Counter[str]()
    try:
        for chunk in _chunks(Path(data), chunk_rows, options):
            _check(chunk, bundle, spec_data.policy, rows, warnings)
            answer = bundle.predict(chunk).rename(columns={"label": "prediction",
                                                           "value": "prediction"})
            answer.index = chunk.index
            writer.write(pd.concat([chunk, answer], axis=1))
            rows += len(chunk)
        if rows == 0:
            raise DataError(f"--data {data}: the file has no rows")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return PredictOutcome(Path(out), rows, resolved.how, dict(warnings))
