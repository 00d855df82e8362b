"""Progress display for long work: a spinner with elapsed time, on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from mlsprint.cli.app import err_console

__all__ = ["progress_bar", "working"]


@contextmanager
def working(message: str) -> Iterator[None]:
    """Show ``message`` with a spinner and elapsed time while the block runs."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        progress.add_task(message, total=None)
        yield


@contextmanager
def progress_bar(message: str) -> Iterator[Callable[[str, float], None]]:
    """A bar driven by ``update(description, fraction_done)`` callbacks from a workflow."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task(message, total=1.0)

        def update(description: str, fraction: float) -> None:
            progress.update(task, description=f"{message}: {description}",
                            completed=max(0.0, min(1.0, fraction)))

        yield update
