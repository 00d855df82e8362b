"""Check levels (ok < warning < critical) and the exit codes they map to."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["EXIT_CODES", "LEVELS", "level_of", "worst"]

LEVELS = ("ok", "warning", "critical")
EXIT_CODES = {"ok": 0, "warning": 5, "critical": 6}


def worst(levels: Iterable[str]) -> str:
    """The most severe of ``levels`` (``"ok"`` when empty)."""
    rank = max((LEVELS.index(level) for level in levels), default=0)
    return LEVELS[rank]


def level_of(value: float, *, warning: float, critical: float, higher_is_worse: bool = True
             ) -> str:
    """Level of ``value`` against two thresholds (NaN is ``"ok"``: nothing to judge)."""
    if value != value:
        return "ok"
    if not higher_is_worse:
        value, warning, critical = -value, -warning, -critical
    if value >= critical:
        return "critical"
    return "warning" if value >= warning else "ok"
