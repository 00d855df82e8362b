"""One monitoring window's verdict, and how a log is cut into windows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlsprint.monitoring.drift import DriftReport
from mlsprint.monitoring.levels import EXIT_CODES, worst
from mlsprint.monitoring.performance import CBPEReport, PerformanceReport, ServingHealth

__all__ = ["MonitoringReport", "split_windows", "worst_exit_code"]


@dataclass(frozen=True, slots=True)
class MonitoringReport:
    """Everything checked for one window; ``exit_code`` is 0 ok, 5 warning, 6 critical."""

    window: str
    start: str | None = None
    end: str | None = None
    drift: DriftReport | None = None
    performance: PerformanceReport | None = None
    estimated_performance: CBPEReport | None = None
    serving: ServingHealth | None = None

    @property
    def parts(self) -> dict[str, Any]:
        return {k: v for k, v in (("drift", self.drift), ("performance", self.performance),
                                  ("estimated_performance", self.estimated_performance),
                                  ("serving", self.serving)) if v is not None}

    @property
    def worst(self) -> str:
        """The most severe level of any check in the window."""
        return worst(part.level for part in self.parts.values())

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.worst]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"window": self.window, "start": self.start, "end": self.end,
                               "level": self.worst, "exit_code": self.exit_code}
        for name, part in self.parts.items():
            out[name] = part.to_dict()
        return out


def worst_exit_code(reports: list[MonitoringReport]) -> int:
    """The exit code of the worst window (0 when there is none)."""
    return EXIT_CODES[worst(r.worst for r in reports)]


def split_windows(df: pd.DataFrame, window: str | int, time_column: str | None = None
                  ) -> list[tuple[str, pd.DataFrame]]:
    """Cut rows into consecutive windows: ``"1d"``/``"7d"`` (calendar, by ``time_column``)
    or an int (that many rows each, in the given order; the last may be shorter).

    Returns ``(label, rows)`` pairs in time order, empty windows left out.

    Examples
    --------
    >>> import pandas as pd
    >>> [label for label, _ in split_windows(pd.DataFrame({"x": range(5)}), 2)]
    ['rows 0-1', 'rows 2-3', 'rows 4-4']
    """
    if isinstance(window, int) or (isinstance(window, str) and window.isdigit()):
        size = int(window)
        if size <= 0:
            raise ValueError(f"window must be a positive number of rows. Got {size} instead.")
        return [(f"rows {i}-{min(i + size, len(df)) - 1}", df.iloc[i:i + size])
                for i in range(0, len(df), size)]
    if window not in ("1d", "7d"):
        raise ValueError(f"window must be '1d', '7d' or a number of rows. Got {window!r} "
                         "instead.")
    if time_column is None or time_column not in df.columns:
        raise ValueError(f"a {window} window needs a time column; got {time_column!r}, "
                         f"columns are {list(df.columns)[:10]}")
    stamps = pd.to_datetime(df[time_column], errors="coerce", utc=True)
    if stamps.isna().all():
        raise ValueError(f"column {time_column!r} holds no parseable timestamps")
    freq = "1D" if window == "1d" else "7D"
    keys = stamps.dt.floor("1D") if window == "1d" else (
        stamps.min().floor("1D") + ((stamps - stamps.min().floor("1D")) // pd.Timedelta(freq))
        * pd.Timedelta(freq))
    out = []
    for key, rows in df.groupby(keys.to_numpy(), sort=True):
        out.append((pd.Timestamp(key).strftime("%Y-%m-%d"), rows))
    return out
