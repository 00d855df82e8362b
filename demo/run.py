"""`make demo`: the whole mlsprint cycle on a bundled real dataset, step by step.

Each step is the CLI command a user would type, printed before it runs. The demo goes
on whatever the gate decides and shows the verdict; it never tunes a threshold to pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PROJECT = ROOT.parent / "demo-project"
DATA = ROOT / "data" / "bank_marketing.csv.gz"
MLSPRINT = [sys.executable, "-m", "mlsprint"]


def step(title: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> int:
    """Print and run one CLI command; stop the demo on an unexpected exit code."""
    print(f"\n\033[1m== {title}\033[0m\n$ mlsprint {' '.join(args)}", flush=True)
    code = subprocess.call([*MLSPRINT, *args])
    if code not in ok_codes:
        print(f"demo: step '{title}' exited with {code}", file=sys.stderr)
        sys.exit(code)
    return code


def main() -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    (PROJECT / "data").mkdir(parents=True)
    data = PROJECT / "data" / DATA.name
    shutil.copy(DATA, data)
    step("Define the problem: infer task, metrics and column roles",
         "init", str(PROJECT), "--data", str(data), "--target", "y", "--name", "bank-marketing")
    step("Check the spec against the data", "check", "-p", str(PROJECT))
    step("Status: the cycle's checklist from tracker evidence", "status", "-p", str(PROJECT))
    print(f"\nDemo project: {PROJECT}\nOpen the MLflow UI on its store with:\n"
          f"  .venv/bin/mlflow ui --backend-store-uri sqlite:///{PROJECT}/.mlsprint/mlflow.db")


if __name__ == "__main__":
    main()
