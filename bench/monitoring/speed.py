"""Speed and memory: drift of 1M x 25 columns, mlsprint vs Evidently's DataDriftPreset,
and a 10M-row current window processed in chunks in bounded memory.

    OMP_WAIT_POLICY=PASSIVE python bench/monitoring/speed.py --all \
        --out bench/results/monitoring_speed.json

``--all`` runs each measurement in its own fresh process (so peak RSS is that tool's own):
mlsprint with ``.venv/bin/python``, Evidently with ``bench/.envs/evidently/bin/python``.
One measurement alone: ``--tool mlsprint|evidently|chunked --rows N``.

Data: 20 numeric columns (normal, lognormal, exponential, integer counts, uniform; 2 % of
cells missing in four) and 5 categorical (5 to 60 levels), seeded; the current window has
a planted shift in three numeric and one categorical column. mlsprint's time covers
``build_reference`` on the reference rows plus ``detect_drift`` on the current rows;
Evidently's covers ``Report([DataDriftPreset()]).run``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
N_NUM, N_CAT = 20, 5


def make_frame(rows: int, seed: int, shift: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {}
    for i in range(N_NUM):
        kind = i % 5
        if kind == 0:
            x = rng.normal(0.3 if shift and i < 10 else 0.0, 1.0, rows)
        elif kind == 1:
            x = rng.lognormal(0.0, 0.8, rows)
        elif kind == 2:
            x = rng.exponential(2.0, rows)
        elif kind == 3:
            x = rng.poisson(3.0, rows).astype("float64")
        else:
            x = rng.uniform(0, 10, rows)
        if i % 6 == 0:
            x[rng.random(rows) < 0.02] = np.nan
        cols[f"num_{i}"] = x
    for j in range(N_CAT):
        levels = np.array([f"level_{k}" for k in range(5 + 14 * j)], dtype=object)
        weights = np.linspace(1, 3, levels.size)
        if shift and j == 0:
            weights = weights[::-1]
        cols[f"cat_{j}"] = levels[rng.choice(levels.size, rows, p=weights / weights.sum())]
    return pd.DataFrame(cols)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Forget the peak so far (Linux >= 4.0: ``5`` to clear_refs resets VmHWM), so the peak
    measured is the one reached while the tool runs, not while the data was generated."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mlsprint(rows: int) -> dict:
    import scipy.stats  # noqa: F401  (imports before the clock, as Evidently's are)
    import sklearn.isotonic  # noqa: F401

    from mlsprint.data.contract import infer_contract
    from mlsprint.monitoring import build_reference, detect_drift
    from mlsprint.spec import parse_spec

    ref, cur = make_frame(rows, 1, False), make_frame(rows, 2, True)
    base = rss_mb()
    reset_peak()
    spec = parse_spec({"name": "bench", "task": {"type": "regression"},
                       "data": {"source": "d.csv", "target": "__none__"}})
    start, cpu = time.perf_counter(), cpu_seconds()
    contract = infer_contract(ref.head(10_000), spec)
    reference = build_reference(ref, contract=contract, predictions=np.zeros(len(ref)))
    built = time.perf_counter()
    report = detect_drift(reference, cur)
    end = time.perf_counter()
    return {"tool": "mlsprint", "rows": rows, "seconds": end - start,
            "cpu_seconds": cpu_seconds() - cpu,
            "reference_seconds": built - start, "drift_seconds": end - built,
            "data_rss_mb": base, "peak_rss_mb": peak_mb(),
            "drifted": report.drifted_features}


def run_chunked(rows: int, chunk: int = 1_000_000) -> dict:
    import scipy.stats  # noqa: F401

    from mlsprint.data.contract import infer_contract
    from mlsprint.monitoring import CurrentStats, build_reference, drift_from_stats
    from mlsprint.spec import parse_spec

    ref = make_frame(chunk, 1, False)
    spec = parse_spec({"name": "bench", "task": {"type": "regression"},
                       "data": {"source": "d.csv", "target": "__none__"}})
    reference = build_reference(ref, contract=infer_contract(ref.head(10_000), spec),
                                predictions=np.zeros(len(ref)))
    del ref
    reset_peak()
    start, cpu = time.perf_counter(), cpu_seconds()
    stats = CurrentStats(reference)
    peaks = []
    for i in range(rows // chunk):
        stats.update(make_frame(chunk, 100 + i, True))
        peaks.append(peak_mb())
    report = drift_from_stats(reference, stats)
    return {"tool": "mlsprint-chunked", "rows": rows, "chunk_rows": chunk,
            "seconds": time.perf_counter() - start, "cpu_seconds": cpu_seconds() - cpu,
            "peak_rss_mb": peak_mb(), "peak_after_each_chunk_mb": peaks,
            "drifted": report.drifted_features}


def run_evidently(rows: int) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    ref, cur = make_frame(rows, 1, False), make_frame(rows, 2, True)
    base = rss_mb()
    reset_peak()
    definition = DataDefinition(numerical_columns=[f"num_{i}" for i in range(N_NUM)],
                                categorical_columns=[f"cat_{j}" for j in range(N_CAT)])
    start, cpu = time.perf_counter(), cpu_seconds()
    snap = Report([DataDriftPreset()]).run(Dataset.from_pandas(cur, data_definition=definition),
                                           Dataset.from_pandas(ref, data_definition=definition))
    result = snap.dict()
    end = time.perf_counter()
    share = next(m["value"]["share"] for m in result["metrics"]
                 if m["metric_name"].startswith("DriftedColumnsCount"))
    return {"tool": "evidently", "rows": rows, "seconds": end - start,
            "cpu_seconds": cpu_seconds() - cpu, "data_rss_mb": base,
            "peak_rss_mb": peak_mb(), "drift_share": share}


def run_all(out: Path, rows: int, big: int) -> dict:
    python = {"mlsprint": str(ROOT / ".venv/bin/python"), "chunked": str(ROOT / ".venv/bin/python"),
              "evidently": str(ROOT / "bench/.envs/evidently/bin/python")}
    results = {}
    for tool, n in (("mlsprint", rows), ("evidently", rows), ("chunked", big)):
        proc = subprocess.run([python[tool], __file__, "--tool", tool, "--rows", str(n)],
                              capture_output=True, text=True, check=True,
                              env={"OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(ROOT / "src"),
                                   "PATH": "/usr/bin:/bin"})
        results[tool] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(tool, results[tool], flush=True)
    ours, theirs = results["mlsprint"], results["evidently"]
    results["speedup"] = theirs["seconds"] / ours["seconds"]
    results["cpu_speedup"] = theirs["cpu_seconds"] / ours["cpu_seconds"]
    results["peak_memory_ratio"] = ours["peak_rss_mb"] / theirs["peak_rss_mb"]
    results["extra_memory_ratio"] = ((ours["peak_rss_mb"] - ours["data_rss_mb"])
                                     / (theirs["peak_rss_mb"] - theirs["data_rss_mb"]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", choices=["mlsprint", "evidently", "chunked"])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=10_000_000)
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--out", default="bench/results/monitoring_speed.json")
    args = parser.parse_args()
    if args.all:
        print(json.dumps(run_all(Path(args.out), args.rows, args.big_rows), indent=1))
        return 0
    runner = {"mlsprint": run_mlsprint, "evidently": run_evidently, "chunked": run_chunked}
    print(json.dumps(runner[args.tool](args.rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
