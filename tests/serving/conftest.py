"""Serving fixtures: the german_credit bundle, an in-process client and a real uvicorn."""

from __future__ import annotations

from pathlib import Path

import pytest

from .serving_helpers import Server, TestClient, ready_client, records, start_server  # noqa: F401


@pytest.fixture(scope="session")
def server(bundle_path, tmp_path_factory):
    srv = start_server(bundle_path, tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(bundle_path, tmp_path_factory):
    """An in-process app (TestClient), ready, with its own prediction log."""
    from mlsprint.serving import ServingSettings, create_app

    db = tmp_path_factory.mktemp("inproc") / "p.db"
    app = create_app(ServingSettings(model=str(bundle_path), admin_token="s3cret",
                                     prediction_log_url=f"sqlite:///{db}"))
    with TestClient(app) as c:
        ready_client(c)
        yield c


def pytest_collection_modifyitems(items):
    """Starlette's TestClient warns that it prefers httpx2 (not installed here)."""
    here = Path(__file__).parent
    mark = pytest.mark.filterwarnings(
        "ignore::starlette.exceptions.StarletteDeprecationWarning")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(mark)
