"""Column-at-a-time work on two threads, results in column order.

Hashing, factorising and encoding a column run mostly in Arrow and NumPy, which release
the GIL, so two threads keep both cores of a small machine busy on a wide table.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["ordered_map"]

_T = TypeVar("_T")
_R = TypeVar("_R")


def ordered_map(fn: Callable[[_T], _R], items: Iterable[_T], *, workers: int = 2,
                ahead: int = 4) -> Iterator[_R]:
    """``map(fn, items)`` on ``workers`` threads, in order of ``items``.

    At most ``ahead`` results are computed before the caller takes them, so memory stays
    bounded by a few columns' worth, whatever the width of the table.

    Examples
    --------
    >>> list(ordered_map(lambda x: x * x, range(6)))
    [0, 1, 4, 9, 16, 25]
    """
    pending: deque[Future[_R]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlsprint-columns") as pool:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
