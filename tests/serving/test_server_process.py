"""A real uvicorn process: graceful SIGTERM keeps every acknowledged prediction, and
Prometheus counts add up across worker processes."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .serving_helpers import records, start_server


def _rows(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from mlsprint_predictions").fetchone()[0]


def test_sigterm_loses_no_acknowledged_prediction(bundle_path, trained, tmp_path):
    server = start_server(bundle_path, tmp_path)
    body = records(trained.test.drop(columns="class").head(2))

    def send(k: int) -> int:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            acked = 0
            for _ in range(40):
                if http.post("/predict", json=body).status_code == 200:
                    acked += len(body)
            return acked

    try:
        with ThreadPoolExecutor(4) as pool:
            acked = sum(pool.map(send, range(4)))
    finally:
        code = server.stop()  # SIGTERM right after the last answer
    assert code in (0, -15)  # uvicorn re-raises SIGTERM after its graceful shutdown
    assert acked == 320
    assert _rows(server.db) == acked
    lines = [json.loads(line) for line in server.log.read_text().splitlines()]  # JSON lines
    assert any(line["msg"] == "shutdown: prediction log flushed" for line in lines)
    requests = [line for line in lines if line["msg"] == "request"]
    assert len(requests) >= 160 and all(len(line["request_id"]) == 32 for line in requests)


def _wait_until_every_worker_is_ready(url: str, *, streak: int = 20, limit: float = 180) -> None:
    """One worker answering ready says nothing of the other, which may still be loading
    (and rightly answers 503): wait for a streak of fresh connections all ready."""
    deadline, run = time.monotonic() + limit, 0
    while run < streak:
        assert time.monotonic() < deadline, "the workers did not all become ready"
        ok = httpx.get(url + "/health/ready", timeout=10).status_code == 200
        run = run + 1 if ok else 0
        if not ok:
            time.sleep(0.2)


@pytest.mark.slow
def test_metrics_add_up_across_two_workers(bundle_path, trained, tmp_path):
    prom = tmp_path / "prom"
    prom.mkdir()
    server = start_server(bundle_path, tmp_path, workers=2,
                          env={"PROMETHEUS_MULTIPROC_DIR": str(prom)}, ready_timeout=180)
    body = records(trained.test.drop(columns="class").head(3))
    try:
        _wait_until_every_worker_is_ready(server.url)
        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda _: httpx.post(server.url + "/predict", json=body,
                                                       timeout=30).status_code, range(40)))
        assert codes == [200] * 40
        text = httpx.get(server.url + "/metrics").text
        pids = {f.name for f in prom.iterdir()}
    finally:
        server.stop()
    rows = sum(float(v) for v in re.findall(
        r'^mlsprint_predicted_rows_total\{[^}]*\} (\S+)$', text, re.M))
    assert rows == 120
    assert len({re.sub(r"\D", "", p) for p in pids if p.startswith("counter")}) >= 2
