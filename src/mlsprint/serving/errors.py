"""Errors of a request, each becoming one 4xx JSON answer (mapped in ``app``)."""

from __future__ import annotations

from typing import Any

__all__ = ["InputError", "problem"]

MAX_LISTED = 1000


def problem(kind: str, message: str, *, row: int | None = None, column: str | None = None,
            value: Any = None, level: str = "reject") -> dict[str, Any]:
    """One problem of a request, by row and column (None when it is not about one)."""
    return {"row": row, "column": column, "kind": kind, "level": level, "message": message,
            "value": _plain(value)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return str(value)[:200]


class InputError(Exception):
    """A request the service refuses: status 400, 404, 413, 415 or 422 with its problems."""

    def __init__(self, status: int, error: str, message: str,
                 problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.problems = list(problems or [])

    def body(self, request_id: str) -> dict[str, Any]:
        listed = self.problems[:MAX_LISTED]
        return {"error": self.error, "message": self.message, "request_id": request_id,
                "problems": listed, "n_problems": len(self.problems),
                "truncated": len(self.problems) > len(listed)}
