"""Serving fixtures: the german_credit bundle, an in-process client and a real uvicorn."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

_spec = importlib.util.spec_from_file_location(
    "artifacts_conftest", Path(__file__).resolve().parents[1] / "artifacts" / "conftest.py")
_shared = importlib.util.module_from_spec(_spec)
sys.modules["artifacts_conftest"] = _shared
_spec.loader.exec_module(_shared)
train_german_credit = _shared.train_german_credit
write_bundle = _shared.write_bundle
trained = _shared.trained
bundle_path = _shared.bundle_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def records(frame) -> list[dict]:
    """Rows as a JSON client sends them."""
    return json.loads(frame.to_json(orient="records"))


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    db: Path
    log: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


def start_server(bundle: Path, tmp: Path, *, workers: int = 1, env: dict | None = None,
                 ready_timeout: float = 90) -> Server:
    port = free_port()
    db = tmp / "predictions.db"
    log = tmp / "server.log"
    environ = {**os.environ, "MLSPRINT_MODEL": str(bundle),
               "MLSPRINT_PREDICTION_LOG_URL": f"sqlite:///{db}",
               "MLSPRINT_ADMIN_TOKEN": "s3cret", "OMP_WAIT_POLICY": "PASSIVE",
               "MLFLOW_DISABLE_TELEMETRY": "true", **(env or {})}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "mlsprint.serving.app:create_app",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
           "--timeout-graceful-shutdown", "20"]
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=environ)
    server = Server(f"http://127.0.0.1:{port}", proc, db, log)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(server.url + "/health/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise RuntimeError(f"server not ready in {ready_timeout} s: {log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(bundle_path, tmp_path_factory):
    srv = start_server(bundle_path, tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(bundle_path, tmp_path_factory):
    """An in-process app (TestClient), ready, with its own prediction log."""
    from serving_helpers import TestClient

    from mlsprint.serving import ServingSettings, create_app

    db = tmp_path_factory.mktemp("inproc") / "p.db"
    app = create_app(ServingSettings(model=str(bundle_path), admin_token="s3cret",
                                     prediction_log_url=f"sqlite:///{db}"))
    with TestClient(app) as c:
        wait_ready(c)
        yield c


def wait_ready(c, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if c.get("/health/ready").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"not ready: {c.get('/health/ready').json()}")


def pytest_collection_modifyitems(items):
    """Starlette's TestClient warns that it prefers httpx2 (not installed here)."""
    here = Path(__file__).parent
    mark = pytest.mark.filterwarnings(
        "ignore::starlette.exceptions.StarletteDeprecationWarning")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(mark)
