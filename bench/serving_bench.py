"""Serving benchmark: mlsprint vs ``mlflow models serve`` on the same bundle, one run.

Usage::

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/serving_bench.py \
        [--data ../shared/data/german_credit.csv.gz] [--out bench/results/serving.json]

Trains the german_credit pipeline (ColumnTransformer + LightGBM), saves one bundle, starts
both servers (one uvicorn worker each) over loopback and measures, with the same client:

* single-row latency p50 / p99 at concurrency 1 and 8 (keep-alive connections; measured
  with ``wrk`` when it is installed, ``apt-get install wrk``, else with httpx);
* rows per second for batches of 1, 100 and 10,000 rows, JSON and Parquet bodies;
* next to the in-process ``predict_proba`` time for the same rows.

The client runs on the same machine (2 cores shared): compare ratios within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_bundle(data: Path, out: Path):
    sys.path.insert(0, str(ROOT / "tests" / "artifacts"))
    from bundle_fixtures import train_german_credit, write_bundle

    trained = train_german_credit()
    write_bundle(trained, out)
    return trained


def wait(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready in {timeout} s")


def start_mlsprint(bundle: Path, tmp: Path, log_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "MLSPRINT_MODEL": str(bundle), "MLSPRINT_PREDICTION_LOG_URL": log_url,
           "MLSPRINT_LOG_LEVEL": "warning", "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen([str(VENV_BIN / "uvicorn"), "--factory",
                             "mlsprint.serving.app:create_app", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL,
                            stderr=open(tmp / "mlsprint.log", "wb"))
    url = f"http://127.0.0.1:{port}"
    wait(url + "/health/ready", proc)
    return proc, url


def start_mlflow(bundle: Path, tmp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true",
           "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}", "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen([str(VENV_BIN / "mlflow"), "models", "serve", "-m", str(bundle),
                             "--env-manager", "local", "-p", str(port), "-h", "127.0.0.1"],
                            env=env, stdout=subprocess.DEVNULL,
                            stderr=open(tmp / "mlflow.log", "wb"), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait(url + "/ping", proc)
    return proc, url


async def _latencies(url: str, bodies: list[bytes], ctype: str, concurrency: int,
                     per_worker: int) -> list[float]:
    out: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        async def worker(k: int) -> None:
            for i in range(per_worker):
                body = bodies[(k * per_worker + i) % len(bodies)]
                t = time.perf_counter()
                r = await client.post(url, content=body, headers={"content-type": ctype})
                out.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise RuntimeError(f"{url}: {r.status_code} {r.text[:300]}")
        for k in range(concurrency):  # warm every connection
            await client.post(url, content=bodies[k % len(bodies)],
                              headers={"content-type": ctype})
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return out


def latency(url: str, bodies: list[bytes], ctype: str, concurrency: int, n: int) -> dict:
    """Percentiles with wrk when installed (a C client: the Python client spends more CPU
    per request than our server does, on the same 2 cores), else with httpx."""
    if shutil.which("wrk"):
        return _wrk(url, bodies, concurrency, seconds=WRK_SECONDS)
    lat = np.array(asyncio.run(_latencies(url, bodies, ctype, concurrency,
                                          max(1, n // concurrency)))) * 1000
    return {"p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
            "n": int(len(lat)), "client": "httpx"}


WRK_SECONDS = 10


def _wrk(url: str, bodies: list[bytes], concurrency: int, seconds: int,
         warm_up: bool = True) -> dict:
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
        f.write(b"\n".join(bodies))
    try:
        script = str(ROOT / "bench" / "wrk_post.lua")
        warm = ["wrk", "-t1", f"-c{concurrency}", "-d2s", "-s", script, url]
        env = {**os.environ, "BODIES": f.name}
        if warm_up:
            subprocess.run(warm, env=env, capture_output=True, check=True)
        run = [*warm[:3], f"-d{seconds}s", *warm[4:]]
        out = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    found = json.loads(line[5:])
    if found["errors"] or found["non2xx"]:
        raise RuntimeError(f"{url}: {found['errors']} failed and {found['non2xx']} non-2xx "
                           "answers under wrk")
    return {"p50_ms": found["p50_ms"], "p90_ms": found["p90_ms"], "p99_ms": found["p99_ms"],
            "n": found["requests"], "client": f"wrk, {seconds} s"}


def rows_per_second(url: str, body: bytes, ctype: str, rows: int, repeats: int) -> float:
    with httpx.Client(timeout=300) as client:
        client.post(url, content=body, headers={"content-type": ctype})  # warm-up
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            r = client.post(url, content=body, headers={"content-type": ctype})
            times.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise RuntimeError(f"{url}: {r.status_code} {r.text[:300]}")
    return rows / float(np.median(times))


def in_process(pipeline, X: pd.DataFrame, repeats: int) -> float:
    pipeline.predict_proba(X)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        pipeline.predict_proba(X)
        times.append(time.perf_counter() - t)
    return len(X) / float(np.median(times))


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _records(frame: pd.DataFrame) -> list:
    return json.loads(frame.to_json(orient="records"))


def single_row(servers: dict, X: pd.DataFrame, n: int) -> dict:
    recs = _records(X)
    ours = [json.dumps(r).encode() for r in recs]
    theirs = [json.dumps({"dataframe_records": [r]}).encode() for r in recs]
    out = {}
    for c in (1, 8):
        out[f"c{c}"] = {
            "mlsprint /predict": latency(servers["mlsprint"] + "/predict", ours,
                                         "application/json", c, n),
            "mlsprint /invocations": latency(servers["mlsprint"] + "/invocations", theirs,
                                             "application/json", c, n),
            "mlflow /invocations": latency(servers["mlflow"] + "/invocations", theirs,
                                           "application/json", c, n),
        }
    return out


def batches(servers: dict, pipeline, X: pd.DataFrame) -> dict:
    out = {}
    for size, repeats in ((1, 60), (100, 30), (10_000, 7)):
        rows = X.sample(size, replace=size > len(X), random_state=size).reset_index(drop=True)
        js_ours = json.dumps(_records(rows)).encode()
        js_mlflow = json.dumps({"dataframe_split": json.loads(
            rows.to_json(orient="split", index=False))}).encode()
        pq = _parquet(rows)
        pqt = "application/vnd.apache.parquet"
        out[str(size)] = {
            "in-process predict_proba": in_process(pipeline, rows, repeats),
            "mlsprint JSON /predict": rows_per_second(servers["mlsprint"] + "/predict", js_ours,
                                                      "application/json", size, repeats),
            "mlsprint Parquet /predict/batch": rows_per_second(
                servers["mlsprint"] + "/predict/batch", pq, pqt, size, repeats),
            "mlflow JSON /invocations": rows_per_second(servers["mlflow"] + "/invocations",
                                                        js_mlflow, "application/json", size,
                                                        repeats),
            "mlflow Parquet /invocations": rows_per_second(servers["mlflow"] + "/invocations",
                                                           pq, pqt, size, repeats),
        }
    return out


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM) if os.getpgid(proc.pid) == proc.pid else (
                proc.send_signal(signal.SIGTERM))
        except ProcessLookupError:
            return
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "serving.json"))
    parser.add_argument("--single-row-requests", type=int, default=400)
    parser.add_argument("--prediction-log", default="sqlite",
                        help="sqlite (default, as served) or none")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mlsprint-bench-"))
    procs = []
    try:
        trained = build_bundle(Path(), tmp / "bundle")
        X = trained.test.drop(columns="class").reset_index(drop=True)
        log_url = "none" if args.prediction_log == "none" else f"sqlite:///{tmp / 'p.db'}"
        ours, ours_url = start_mlsprint(tmp / "bundle", tmp, log_url)
        procs.append(ours)
        theirs, theirs_url = start_mlflow(tmp / "bundle", tmp)
        procs.append(theirs)
        servers = {"mlsprint": ours_url, "mlflow": theirs_url}
        result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                              "load_average_at_start": os.getloadavg(),
                              "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY")},
                  "prediction_log": args.prediction_log,
                  "single_row": single_row(servers, X, args.single_row_requests),
                  "rows_per_second": batches(servers, trained.pipeline, X)}
        result["machine"]["load_average_at_end"] = os.getloadavg()
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
