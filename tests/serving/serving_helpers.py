"""Small helpers shared by serving tests."""

from __future__ import annotations

import time


def ready_client(c, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if c.get("/health/ready").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"not ready: {c.get('/health/ready').json()}")
