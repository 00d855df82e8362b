"""Tables of the prediction log and how to connect (SQLite in WAL mode, or PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["BATCH_COLUMNS", "WRITE_COLUMNS", "batch_table", "feedback_table", "insert_sql",
           "make_engine", "metadata", "prediction_table"]

metadata = sa.MetaData()

prediction_table = sa.Table(
    "mlsprint_predictions", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("request_id", sa.String(128), nullable=False, index=True),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("ts", sa.Float, nullable=False, index=True),
    sa.Column("model_name", sa.String(128), nullable=False),
    sa.Column("model_version", sa.String(64), nullable=False),
    sa.Column("variant", sa.String(32), nullable=False),
    sa.Column("served", sa.Boolean, nullable=False),
    sa.Column("inputs", sa.Text),
    sa.Column("outputs", sa.Text),
    sa.Column("latency_ms", sa.Float),
    sa.Column("error_kind", sa.String(64)),
    sa.Column("fallback", sa.String(32)),
)

# A large request is one row here: its inputs and outputs as Parquet, one column per field.
# Encoding 10,000 rows as Parquet costs ~10x less CPU than one JSON row per predicted row.
batch_table = sa.Table(
    "mlsprint_prediction_batches", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("request_id", sa.String(128), nullable=False, index=True),
    sa.Column("ts", sa.Float, nullable=False, index=True),
    sa.Column("model_name", sa.String(128), nullable=False),
    sa.Column("model_version", sa.String(64), nullable=False),
    sa.Column("variant", sa.String(32), nullable=False),
    sa.Column("served", sa.Boolean, nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("inputs", sa.LargeBinary),
    sa.Column("outputs", sa.LargeBinary),
    sa.Column("latency_ms", sa.Float),
    sa.Column("error_kind", sa.String(64)),
    sa.Column("fallback", sa.String(32)),
)

feedback_table = sa.Table(
    "mlsprint_feedback", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("request_id", sa.String(128), nullable=False, index=True),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - SQLAlchemy hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine with the tables created (idempotent; safe from several processes)."""
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        metadata.create_all(engine, checkfirst=True)
    except sa.exc.OperationalError as exc:  # another worker created them first
        if "already exists" not in str(exc):
            raise
    except sa.exc.IntegrityError:
        pass
    return engine


WRITE_COLUMNS = ("request_id", "ts", "model_name", "model_version", "variant", "served", "row",
                 "inputs", "outputs", "latency_ms", "error_kind", "fallback")


BATCH_COLUMNS = ("request_id", "ts", "model_name", "model_version", "variant", "served",
                 "n_rows", "inputs", "outputs", "latency_ms", "error_kind", "fallback")


def insert_sql(engine: Engine, table: sa.Table = prediction_table,
               columns: tuple[str, ...] = WRITE_COLUMNS) -> str:
    """A positional INSERT of ``columns`` in the driver's parameter style."""
    mark = "?" if engine.dialect.paramstyle in ("qmark", "numeric") else "%s"
    names = ", ".join(f'"{c}"' for c in columns)
    return (f'INSERT INTO "{table.name}" ({names}) '
            f"VALUES ({', '.join([mark] * len(columns))})")
