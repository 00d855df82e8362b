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


def TestClient(app):  # noqa: N802 - stands in for starlette's class
    """Starlette's TestClient, imported without its httpx2 deprecation warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient as _TestClient
    return _TestClient(app)
