"""Shared fixtures: the real datasets, a throwaway PostgreSQL database, CI-aware skips.

A test that needs a service or a browser skips with a visible reason on a laptop without
it, but fails under ``CI=true``: CI installs and starts everything the tests need.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
POSTGRES_ADMIN_URL = os.environ.get(
    "MLSPRINT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

READ_OPTIONS = {
    "ames_housing": {"keep_default_na": False, "na_values": [""]},
    "diabetes_130us": {"keep_default_na": False, "na_values": ["?"]},
}


def unavailable(reason: str) -> None:
    """Skip with ``reason`` locally; fail under CI, where every dependency must be present."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def read_dataset(name: str, nrows: int | None = None) -> pd.DataFrame:
    """A dataset of ../shared/data with the read options its README gives."""
    path = SHARED_DATA / f"{name}.csv.gz"
    if not path.exists():
        unavailable(f"{path} not found (tests read ../shared/data beside the checkout)")
    return pd.read_csv(path, nrows=nrows, low_memory=False, **READ_OPTIONS.get(name, {}))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        unavailable(f"{SHARED_DATA} not found")
    return SHARED_DATA


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database on the local server, dropped afterwards."""
    import sqlalchemy as sa

    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"mlsprint_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc.orig}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def trained():
    """A real german_credit pipeline (ColumnTransformer + LightGBM), trained once a session
    for the artifacts and serving tests."""
    from artifacts.bundle_fixtures import train_german_credit

    return train_german_credit()


@pytest.fixture(scope="session")
def bundle_path(trained, tmp_path_factory) -> Path:
    from artifacts.bundle_fixtures import write_bundle

    return write_bundle(trained, tmp_path_factory.mktemp("bundles") / "gc")
