"""The ``Tracker`` protocol served by an :class:`MlflowTracker` in a helper process.

Opening MLflow's SQLAlchemy store costs 3-4 s of CPU, nearly all of it imports (MLflow,
SQLAlchemy and its ORM mappers, Alembic) under the GIL. In a thread it slows whatever
Python the command runs beside it; in its own process, at a lower priority, it runs
beside the command's imports, read and profile, on whatever the command leaves of the
cores. Each call is a synchronous round trip over a socket (arguments and results are
small: ids, dicts, file paths), so when a call returns, its evidence is in the store, as
with the in-process tracker.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from mlsprint.errors import TrackingError

__all__ = ["ProcessTracker"]

_CALLS = frozenset({"log_params", "log_metrics", "set_tags", "log_dict", "log_text",
                    "log_artifact", "runs", "latest", "load_dict", "artifact_path",
                    "children"})


class ProcessTracker:
    """A tracker whose MLflow client lives in a child process, opened in the background.

    :meth:`start` returns at once; the first call waits until the store is open and
    raises the opening's :class:`TrackingError`, if any, as the in-process tracker would.
    """

    def __init__(self, process: subprocess.Popen[bytes], conn: Any, uri: str) -> None:
        self.uri = uri
        self._process = process
        self._conn = conn
        self._lock = threading.Lock()
        self._ready = False
        self._opening_error: BaseException | None = None
        # Closed when collected or at interpreter exit; every call has returned by then.
        self._finalizer = weakref.finalize(self, _shutdown, process, conn)

    @classmethod
    def start(cls, uri: str, experiment: str, *,
              artifact_location: Path | None = None) -> ProcessTracker:
        # A fresh interpreter, not multiprocessing: fork would copy a parent that may run
        # threads already, and spawn re-imports the caller's main module (a user's script
        # without an ``if __name__ == "__main__"`` guard would run twice).
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", "mlsprint.tracking.process", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        conn = Connection(ours.detach())
        conn.send((uri, experiment, artifact_location))
        return cls(process, conn, uri)

    def run(self, phase: str, *, tags: Mapping[str, str] | None = None,
            parent_run_id: str | None = None,
            name: str | None = None) -> AbstractContextManager[str]:
        return self._run(phase, tags=dict(tags or {}), parent_run_id=parent_run_id, name=name)

    @contextmanager
    def _run(self, phase: str, **kwargs: Any) -> Iterator[str]:
        run_id = self._call("start_run", phase, **kwargs)
        try:
            yield run_id
        except BaseException:
            self._call("end_run", run_id, failed=True)
            raise
        self._call("end_run", run_id, failed=False)

    def __getattr__(self, name: str) -> Any:
        if name not in _CALLS:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
        return lambda *args, **kwargs: self._call(name, *args, **kwargs)

    def close(self) -> None:
        """Stop the helper process (also done when this object is collected)."""
        with self._lock:
            self._finalizer()

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._opening_error is not None:
                raise self._opening_error
            try:
                if not self._ready:
                    try:
                        self._receive()  # the store is open, or why not
                    except TrackingError as exc:
                        self._opening_error = exc
                        raise
                    self._ready = True
                self._conn.send((method, args, kwargs))
                return self._receive()
            except (EOFError, OSError) as exc:
                raise TrackingError(
                    f"the tracker process ended unexpectedly (exit code "
                    f"{self._process.poll()}) during {method}: {exc!r}; its error, if "
                    "any, is printed above; rerun the command") from None

    def _receive(self) -> Any:
        ok, value = self._conn.recv()
        if not ok:
            raise value
        return value


def _shutdown(process: subprocess.Popen[bytes], conn: Any) -> None:
    if process.poll() is None:
        try:
            conn.send(("close", (), {}))
        except OSError:
            pass
    conn.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _serve(conn: Any) -> None:
    """The child's loop: open the store, then answer one call at a time."""
    from mlsprint.tracking.mlflow_tracker import MlflowTracker

    try:
        uri, experiment, artifact_location = conn.recv()
        tracker = MlflowTracker(uri, experiment, artifact_location=artifact_location)
    except BaseException as exc:
        conn.send((False, _picklable(exc)))
        return
    conn.send((True, None))
    open_runs: dict[str, AbstractContextManager[str]] = {}
    while True:
        try:
            method, args, kwargs = conn.recv()
        except EOFError:  # the parent is gone
            method = "close"
        if method == "close":
            # Every call was answered, so every write is committed: skip the second of
            # interpreter teardown (MLflow's and SQLAlchemy's modules) the parent waits on.
            os._exit(0)
        try:
            if method == "start_run":
                run = tracker.run(*args, **kwargs)
                run_id = run.__enter__()
                open_runs[run_id] = run
                result: Any = run_id
            elif method == "end_run":
                run = open_runs.pop(args[0])
                failure = RuntimeError("the command failed") if kwargs["failed"] else None
                run.__exit__(type(failure) if failure else None, failure, None)
                result = None
            else:
                result = getattr(tracker, method)(*args, **kwargs)
        except BaseException as exc:
            conn.send((False, _picklable(exc)))
        else:
            conn.send((True, result))


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (mlsprint's errors do), else a TrackingError."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return TrackingError(f"{type(exc).__name__}: {exc}")
    return exc


if __name__ == "__main__":
    from multiprocessing.connection import Connection as _Connection

    # Background work: at a lower priority, opening the store takes what the command
    # leaves of the cores instead of slowing its read and profile (1M-row profile: 5.3 s
    # against 5.7 s median wall time, 8 interleaved runs each; docs/benchmarks-profile.md).
    if hasattr(os, "nice"):
        os.nice(10)

    _serve(_Connection(int(sys.argv[1])))
