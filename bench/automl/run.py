"""AutoML benchmark: mlsprint against FLAML, AutoGluon-Tabular and LightGBM defaults.

Every run is one process (bench/automl/worker.py in the system's own virtualenv) pinned
to the same 2 cores (``taskset -c 0,1``, OMP/MKL/OpenBLAS threads = 2,
``OMP_WAIT_POLICY=PASSIVE`` unless ``--omp-wait-policy default``), one run at a time, on
the same seeded 75/25 split. The parent samples the resident memory of the worker's
whole process tree (AutoGluon starts helpers) every 0.2 s for the peak. Each finished
run is appended as one JSON line to bench/results/automl.jsonl; a run whose key is
already there is skipped, so the sweep resumes where it stopped. Standard library only:
run it with any Python 3.11.

    python3 bench/automl/run.py                      # the 60 s sweep, every dataset
    python3 bench/automl/run.py --long               # the 300 s sweep on 3 datasets
    python3 bench/automl/run.py --datasets german_credit dry_bean --systems mlsprint
    python3 bench/automl/run.py --list               # what is done, what is pending
    python3 bench/automl/run.py --omp-wait-policy default   # OpenMP's own wait policy
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "automl.jsonl"
WORKER = ROOT / "bench" / "automl" / "worker.py"
PYTHON = {
    "mlsprint": ROOT / ".venv" / "bin" / "python",
    "lightgbm": ROOT / ".venv" / "bin" / "python",
    "flaml": ROOT / "bench" / ".envs" / "flaml" / "bin" / "python",
    "autogluon": ROOT / "bench" / ".envs" / "autogluon" / "bin" / "python",
}
DATASETS = ["german_credit", "adult", "bank_marketing", "credit_default", "elec2", "compas",
            "dry_bean", "diabetes_130us", "bike_sharing_hourly", "ames_housing"]
LONG_DATASETS = ["adult", "dry_bean", "ames_housing"]
SYSTEMS = ["mlsprint", "flaml", "autogluon", "lightgbm"]
CORES = "0,1"


def _key(run: dict) -> tuple:
    return (run["dataset"], run["system"], run["preset"] or "", float(run["budget"]),
            int(run["seed"]))


def planned(datasets: list[str], systems: list[str], budget: float, seed: int,
            long: bool) -> list[dict]:
    runs = []
    for dataset in datasets:
        for system in systems:
            presets = [None]
            if system == "autogluon":
                # its default preset always; best_quality too at the long budget
                presets = ["medium_quality", "best_quality"] if long else ["medium_quality"]
            for preset in presets:
                runs.append({"dataset": dataset, "system": system, "preset": preset,
                             "budget": budget, "seed": seed})
    return runs


def done_keys() -> set[tuple]:
    if not RESULTS.exists():
        return set()
    keys = set()
    for line in RESULTS.read_text().splitlines():
        if line.strip():
            keys.add(_key(json.loads(line)))
    return keys


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            parents[int(entry)] = int(stat[stat.rfind(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {pid}, [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for member in tree:
        try:
            with open(f"/proc/{member}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _env(wait_policy: str = "PASSIVE") -> dict[str, str]:
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2",
                "OMP_WAIT_POLICY": wait_policy, "PYTHONHASHSEED": "0",
                "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"})
    if wait_policy == "default":  # OpenMP's own: spin a while, then sleep
        del env["OMP_WAIT_POLICY"]
    return env


def execute(run: dict, wait_policy: str = "PASSIVE") -> dict:
    """Run one worker process; return the result record (status ok / error / timeout)."""
    python = PYTHON[run["system"]]
    cmd = ["taskset", "-c", CORES, str(python), str(WORKER), run["system"], run["dataset"],
           str(run["budget"]), "--seed", str(run["seed"])]
    if run["preset"]:
        cmd += ["--preset", run["preset"]]
    load = os.getloadavg()[0]
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(wait_policy), cwd=ROOT)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = "ok"
    try:
        out, err = proc.communicate(timeout=2 * float(run["budget"]) + 180)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        status = "timeout"
    stop.set()
    sampler.join()
    record = dict(run, status=status, omp_wait_policy=wait_policy,
                  wall_seconds=time.time() - started,
                  peak_rss_mb=peak[0] / 2**20, load_at_start=load,
                  finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    if status == "ok" and proc.returncode == 0 and lines:
        record.update(json.loads(lines[-1]))
    elif status == "ok":
        record.update(status="error", error=err.strip().splitlines()[-5:])
    return record


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--systems", nargs="+", default=SYSTEMS, choices=SYSTEMS)
    parser.add_argument("--long", action="store_true", help="300 s on 3 datasets")
    parser.add_argument("--budget", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--list", action="store_true", help="show done/pending and exit")
    parser.add_argument("--retry-failed", action="store_true",
                        help="run again the keys whose recorded status is not ok")
    parser.add_argument("--force", action="store_true",
                        help="run every selected key again (report.py uses the latest)")
    parser.add_argument("--omp-wait-policy", choices=["PASSIVE", "default"],
                        default="PASSIVE",
                        help="OMP_WAIT_POLICY of every run (default: OpenMP's own, unset)")
    parser.add_argument("--results", type=Path, default=None,
                        help="JSON lines file (default bench/results/automl.jsonl, or "
                             "automl-omp-default.jsonl with --omp-wait-policy default)")
    args = parser.parse_args(argv)
    global RESULTS
    if args.results is not None:
        RESULTS = args.results
    elif args.omp_wait_policy == "default":
        RESULTS = RESULTS.with_name("automl-omp-default.jsonl")
    datasets = args.datasets or (LONG_DATASETS if args.long else DATASETS)
    budget = args.budget or (300.0 if args.long else 60.0)
    runs = planned(datasets, args.systems, budget, args.seed, args.long)
    done = set() if args.force else done_keys()
    if args.retry_failed and RESULTS.exists():
        failed = {_key(r) for r in map(json.loads, RESULTS.read_text().splitlines())
                  if r.get("status") != "ok"}
        done -= failed
    pending = [r for r in runs if _key(r) not in done]
    print(f"{len(runs) - len(pending)} of {len(runs)} runs done; {len(pending)} pending",
          flush=True)
    if args.list:
        for run in pending:
            print("pending:", run["dataset"], run["system"], run["preset"] or "", run["budget"])
        return 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    for run in pending:
        missing = not PYTHON[run["system"]].exists()
        if missing:
            print(f"skip {run['system']}: {PYTHON[run['system']]} missing; run "
                  "bash bench/automl/make_envs.sh", file=sys.stderr)
            continue
        record = execute(run, args.omp_wait_policy)
        with RESULTS.open("a") as fh:
            fh.write(json.dumps(record, default=str) + "\n")
        print(f"{run['dataset']:>20} {run['system']:>9} {run['preset'] or '':>14} "
              f"{record['status']:>7} {record.get('metric', '')} "
              f"{record.get('value', float('nan')):.4f} fit {record.get('fit_seconds', 0):.1f}s "
              f"peak {record['peak_rss_mb']:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
