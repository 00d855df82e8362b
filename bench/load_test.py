"""A 60 s loopback load test of ``mlsprint serve`` at the highest rate the machine sustains.

Usage::

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/load_test.py [--seconds 60] [--concurrency 4]

A closed loop of ``--concurrency`` keep-alive clients sends single-row ``POST /predict``
requests as fast as answers come back (so the rate is the most the server sustains with
the client on the same cores), for ``--seconds``. Prints and writes the rate, latency p50 /
p99 and the count of failed requests (anything but 200, or a transport error). The client
is ``wrk`` when installed (``apt-get install wrk``; a Python client would take more of the
2 cores than the server), else httpx. After a graceful stop (SIGTERM) it counts the rows
of the prediction log: every answered request must be there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving_bench import ROOT, _wrk, build_bundle, start_mlsprint, stop  # noqa: E402


async def _run(url: str, bodies: list[bytes], concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures: list[str] = []
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker(k: int) -> None:
            i = k
            while time.perf_counter() < stop_at:
                t = time.perf_counter()
                try:
                    r = await client.post(url, content=bodies[i % len(bodies)],
                                          headers={"content-type": "application/json"})
                    if r.status_code != 200:
                        failures.append(f"{r.status_code}")
                except httpx.HTTPError as exc:
                    failures.append(type(exc).__name__)
                latencies.append(time.perf_counter() - t)
                i += concurrency
        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - started
    lat = np.array(latencies) * 1000
    return {"seconds": elapsed, "requests": len(lat), "rate_per_s": len(lat) / elapsed,
            "p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
            "max_ms": float(lat.max()), "failed": len(failures),
            "failure_kinds": sorted(set(failures))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "load.json"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mlsprint-load-"))
    proc = None
    try:
        trained = build_bundle(Path(), tmp / "bundle")
        X = trained.test.drop(columns="class")
        bodies = [json.dumps(r).encode() for r in json.loads(X.to_json(orient="records"))]
        proc, url = start_mlsprint(tmp / "bundle", tmp, f"sqlite:///{tmp / 'p.db'}")
        if shutil.which("wrk"):
            found = _wrk(url + "/predict", bodies, args.concurrency, int(args.seconds),
                         warm_up=False)
            result = {"seconds": args.seconds, "requests": found["n"],
                      "rate_per_s": found["n"] / args.seconds, "p50_ms": found["p50_ms"],
                      "p90_ms": found["p90_ms"], "p99_ms": found["p99_ms"], "failed": 0,
                      "client": found["client"]}  # _wrk raises on any failed request
        else:
            result = asyncio.run(_run(url + "/predict", bodies, args.concurrency,
                                      args.seconds))
            result["client"] = "httpx"
        result.update(concurrency=args.concurrency, load_average=os.getloadavg(),
                      OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY"))
        stop(proc)
        proc = None
        from mlsprint.stores import PredictionLog

        with PredictionLog(tmp / "p.db") as log:
            result["logged_rows_after_sigterm"] = log.count()
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
