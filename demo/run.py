"""`make demo`: the whole mlsprint cycle on a bundled real dataset, step by step.

Data: UCI Bank Marketing (Moro, Cortez & Rita 2014; CC BY 4.0), 45,211 calls in time
order, May 2008 to Nov 2010. The first 80 % of the rows are the project's data; the
last 20 % arrive "later" and are what the served model is monitored on (real drift).

Each step is the CLI command a user would type, printed before it runs. The demo goes
on whatever the gate decides and shows the verdict; it never tunes a threshold to pass.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd

ROOT = Path(__file__).resolve().parent
PROJECT = ROOT.parent / "demo-project"
DATA = ROOT / "data" / "bank_marketing.csv.gz"
MLSPRINT = [sys.executable, "-m", "mlsprint"]
BUDGET = os.environ.get("MLSPRINT_DEMO_BUDGET", "60")


def banner(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m", flush=True)


def step(title: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> int:
    """Print and run one CLI command; stop the demo on an unexpected exit code."""
    banner(title)
    print(f"$ mlsprint {' '.join(args)}", flush=True)
    code = subprocess.call([*MLSPRINT, *args])
    if code not in ok_codes:
        print(f"demo: step '{title}' exited with {code}", file=sys.stderr)
        sys.exit(code)
    return code


def prepare() -> tuple[Path, Path]:
    """The past (project data) and the later slice (monitored after deployment)."""
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    (PROJECT / "data").mkdir(parents=True)
    frame = pd.read_csv(DATA)
    cut = int(len(frame) * 0.8)
    past, later = PROJECT / "data" / "bank_past.csv", PROJECT / "data" / "bank_later.csv"
    frame.iloc[:cut].to_csv(past, index=False)
    frame.iloc[cut:].to_csv(later, index=False)
    print(f"{len(frame):,} rows: {cut:,} past rows for the project, {len(frame) - cut:,} later "
          f"rows to monitor (positive rate {frame.iloc[:cut]['y'].eq('yes').mean():.1%} then "
          f"{frame.iloc[cut:]['y'].eq('yes').mean():.1%})")
    return past, later


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def show(label: str, response: httpx.Response) -> None:
    body = response.json()
    text = json.dumps(body, indent=2)
    lines = text.splitlines()
    if len(lines) > 30:
        text = "\n".join(lines[:30] + [f"  ... ({len(lines) - 30} more lines)"])
    print(f"\n{label}: HTTP {response.status_code}, X-Request-ID "
          f"{response.headers.get('x-request-id')}\n{text}")


def serve_and_ask(later: Path) -> None:
    """Start the server on the demo's model, send real requests (one invalid), stop it."""
    port = free_port()
    banner("Serve the model and send real requests")
    print(f"$ mlsprint serve -p {PROJECT.name} --port {port}", flush=True)
    log = (PROJECT / "server.log").open("w")  # JSON-lines access log, kept out of the way
    server = subprocess.Popen([*MLSPRINT, "serve", "-p", str(PROJECT), "--port", str(port)],
                              stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(240):
                try:
                    if client.get("/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    sys.exit(f"demo: the server exited with {server.returncode}")
                time.sleep(0.5)
            rows = pd.read_csv(later).drop(columns="y").head(3)
            records = json.loads(rows.to_json(orient="records"))
            show("POST /predict (3 later rows)", client.post("/predict", json=records))
            bad = {**records[0], "age": "forty"}
            bad.pop("balance")
            show("POST /predict (invalid: 'age' is text, 'balance' is missing)",
                 client.post("/predict", json=bad))
            split = json.loads(rows.head(1).to_json(orient="split", index=False))
            show("POST /invocations (MLflow dataframe_split)",
                 client.post("/invocations", json={"dataframe_split": split}))
            metrics = client.get("/metrics").text.splitlines()
            print("\nGET /metrics (excerpt):")
            print("\n".join(m for m in metrics if m.startswith("mlsprint_requests_total"))[:800])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
        print(f"server stopped (exit code {server.returncode}); its JSON-lines log: "
              f"{PROJECT / 'server.log'}")


def main() -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    past, later = prepare()
    step("Define the problem: infer task, metrics and column roles",
         "init", str(PROJECT), "--data", str(past), "--target", "y", "--name", "bank-marketing")
    step("Check the spec against the data", "check", "-p", str(PROJECT))
    step(f"Run the cycle: profile, split, baseline, train ({BUDGET} s), validate, card, gate",
         "run", "-p", str(PROJECT), "--budget", BUDGET, ok_codes=(0, 3, 4))
    step("Status: the checklist from tracker evidence", "status", "-p", str(PROJECT))
    step("Score a file", "predict", "-p", str(PROJECT), "--data", str(later),
         "--out", str(PROJECT / "scored_later.parquet"))
    step("Package for deployment", "package", "-p", str(PROJECT),
         "--out", str(PROJECT / "package"))
    serve_and_ask(later)
    step("Monitor the later time slice (real drift), 3 windows", "monitor", "-p", str(PROJECT),
         "--current", str(later), "--window", "3015", ok_codes=(0, 5, 6))
    print(f"\nDemo project: {PROJECT}\nReports: {PROJECT / 'reports'}\n"
          "Browse every run in the MLflow UI:\n"
          f"  .venv/bin/mlflow ui --backend-store-uri sqlite:///{PROJECT}/.mlsprint/mlflow.db")


if __name__ == "__main__":
    main()
