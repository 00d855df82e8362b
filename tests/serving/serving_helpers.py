"""Small helpers shared by serving tests."""

from __future__ import annotations

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


def ready_client(c, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if c.get("/health/ready").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"not ready: {c.get('/health/ready').json()}")


def TestClient(app):  # noqa: N802 - stands in for starlette's class
    """Starlette's TestClient, imported without its httpx2 deprecation warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient as _TestClient
    return _TestClient(app)


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
               "MLSPRINT_MODEL_VERSION": "3",
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
