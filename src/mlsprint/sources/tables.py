"""Read a table from CSV (also gzipped), Parquet or SQL, with the spec's read options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mlsprint.data.fingerprint import Factorized, fingerprints
from mlsprint.errors import DataError
from mlsprint.spec.model import DataSpec

__all__ = ["LoadedTable", "ReadOptions", "load_table", "read_options"]

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    na_values: tuple[str, ...] | None = None
    keep_default_na: bool = True
    dtypes: tuple[tuple[str, str], ...] = ()

    def csv_kwargs(self) -> dict[str, Any]:
        """The keywords ``pandas.read_csv`` takes for these options."""
        kwargs: dict[str, Any] = {"keep_default_na": self.keep_default_na,
                                  "dtype": dict(self.dtypes) or None, "low_memory": False}
        if self.na_values is not None:
            kwargs["na_values"] = list(self.na_values)
        return kwargs


@dataclass(frozen=True, slots=True)
class LoadedTable:
    """A loaded frame with where it came from and its content hash.

    The hash is computed on first use, so a command that fingerprints the table together
    with parts of it (cutting a holdout) hashes each column once.
    """

    frame: pd.DataFrame
    source: str
    known_fingerprint: str | None = field(default=None, repr=False, compare=False)

    @property
    def fingerprint(self) -> str:
        return self.fingerprint_reusing({})

    def fingerprint_reusing(self, factorized: Mapping[Any, Factorized]) -> str:
        """:attr:`fingerprint`, with string columns hashed through ``factorized`` (their
        factorisation by the profile): the same value, hashing distinct values only."""
        if self.known_fingerprint is None:
            object.__setattr__(self, "known_fingerprint",
                               fingerprints(self.frame, factorized=factorized)["data"])
        return str(self.known_fingerprint)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "fingerprint": self.fingerprint,
                "rows": len(self.frame), "columns": int(self.frame.shape[1])}


def read_options(data: DataSpec) -> ReadOptions:
    return ReadOptions(
        na_values=tuple(data.na_values) if data.na_values is not None else None,
        keep_default_na=data.keep_default_na,
        dtypes=tuple(sorted(data.dtypes.items())),
    )


def _read_file(path: Path, options: ReadOptions) -> pd.DataFrame:
    name = path.name.lower()
    dtypes = dict(options.dtypes) or None
    if name.endswith(PARQUET_SUFFIXES):
        frame = pd.read_parquet(path)
        return frame.astype(dtypes) if dtypes else frame
    if name.endswith(CSV_SUFFIXES):
        kwargs = options.csv_kwargs()
        if name.endswith(".tsv"):
            kwargs["sep"] = "\t"
        return pd.read_csv(path, **kwargs)
    raise DataError(
        f"{path}: unsupported file type; expected one of "
        f"{', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)}; convert the file or use data.sql"
    )


def _read_sql(url: str, table: str | None, query: str | None) -> pd.DataFrame:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # sqlalchemy raises several unrelated types for a bad URL
        raise DataError(f"data.sql.url: cannot use {url!r}: {exc}; give a SQLAlchemy URL "
                        "such as postgresql+psycopg://user@host/db") from None
    try:
        with engine.connect() as conn:
            stmt = query if query else f"SELECT * FROM {_quoted(engine, table)}"
            return pd.read_sql(sa.text(stmt), conn)
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as exc:
        # pandas wraps the SQLAlchemy error in its own DatabaseError: report the driver's
        cause = exc.__cause__ if isinstance(exc, pd.errors.DatabaseError) else exc
        cause = getattr(cause, "orig", None) or cause or exc
        what = f"table {table!r}" if table else "the query"
        reason = str(cause).strip().splitlines()[0]
        raise DataError(f"data.sql: cannot read {what} from {engine.url.render_as_string()}: "
                        f"{reason}; check the table name, query and credentials") from None
    finally:
        engine.dispose()


def _quoted(engine: Any, table: str) -> str:
    prep = engine.dialect.identifier_preparer
    return ".".join(prep.quote(part) for part in table.split("."))


def load_table(source: str | Path | None = None, *, sql: Any = None,
               options: ReadOptions | None = None, base_dir: str | Path = ".") -> LoadedTable:
    """Load a table and fingerprint it.

    ``source`` is a file path (relative to ``base_dir``); ``sql`` a ``SqlSource``-like
    object with ``url`` and ``table`` or ``query``.
    """
    options = options or ReadOptions()
    if sql is not None:
        frame = _read_sql(sql.url, sql.table, sql.query)
        where = f"sql:{sql.table or 'query'}"
    elif source is not None:
        path = Path(source)
        if not path.is_absolute():
            path = Path(base_dir) / path
        if not path.exists():
            raise DataError(f"data.source: file {str(source)!r} does not exist "
                            f"(looked in {path.parent.resolve()}); fix the path in mlsprint.yaml")
        try:
            frame = _read_file(path, options)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, DataError):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"{path.name}: cannot read the file: {first}; check that it is a "
                            "valid CSV or Parquet file and the read options in the spec") from None
        where = str(source)
    else:
        raise DataError("no data source given; set data.source or data.sql in mlsprint.yaml")
    if frame.empty:
        raise DataError(f"{where}: the table has no rows; point data.source at the real data")
    frame.columns = [str(c) for c in frame.columns]
    return LoadedTable(frame=frame, source=where)
