"""Profiling benchmark: mlsprint's profile against ydata-profiling 4.x (minimal=True).

Resamples ``diabetes_130us`` (with replacement, seeded) to ``--rows`` rows x 50 columns,
writes it once as Parquet, then runs each tool in its own process on that file, in the
same run, and measures the whole process: wall time and peak resident memory (the
child's ``ru_maxrss`` from ``os.wait4``). Each tool reads the Parquet file, profiles it
and writes an HTML report. mlsprint runs as a library call plus the HTML write (the
``mlsprint profile`` command adds only the spec load and the tracker); ydata-profiling
runs in its own virtualenv, made by ``bench/envs/ydata.sh``.

Also times mlsprint on the original 101,766-row CSV (the issue's 30-second bound).

Usage::

    bash bench/envs/ydata.sh
    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/profile_bench.py --rows 1000000 \\
        --repeats 3 --output docs/benchmarks-profile.md
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "diabetes_130us.csv.gz"
YDATA_PYTHON = ROOT / "bench" / ".envs" / "ydata" / "bin" / "python"
READ = {"keep_default_na": False, "na_values": ["?"], "low_memory": False}

MLSPRINT = """
import json, sys, pandas as pd
from mlsprint.data.profiling import profile, render_profile_html
from mlsprint.spec import parse_spec
src, out = sys.argv[1], sys.argv[2]
df = (pd.read_parquet(src) if src.endswith(".parquet") else
      pd.read_csv(src, keep_default_na=False, na_values=["?"], low_memory=False))
spec = parse_spec({"name": "bench", "task": {"type": "multiclass"},
                   "data": {"source": src, "target": "readmitted"}})
report = profile(df, spec)
open(out, "w").write(render_profile_html(report))
open(out + ".json", "w").write(json.dumps(report.to_dict()))
"""

YDATA = """
import sys, warnings, pandas as pd
warnings.filterwarnings("ignore")
from ydata_profiling import ProfileReport
src, out = sys.argv[1], sys.argv[2]
df = pd.read_parquet(src)
ProfileReport(df, minimal=True, progress_bar=False).to_file(out)
"""


def run(python: Path, code: str, src: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process running ``code``."""
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
               MPLBACKEND="Agg")
    start = time.perf_counter()
    proc = subprocess.Popen([str(python), "-c", code, str(src), str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{python} failed ({proc.returncode}):\n{err[-3000:]}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def make_data(rows: int, seed: int, workdir: Path) -> tuple[Path, float]:
    df = pd.read_csv(DATA, **READ)
    big = df.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True)
    path = workdir / f"diabetes_{rows}.parquet"
    big.to_parquet(path, index=False)
    frame = pd.read_parquet(path)  # as the profiler holds it
    return path, frame.memory_usage(deep=True).sum() / 2**20


def median_run(python: Path, code: str, src: Path, out: Path, repeats: int
               ) -> tuple[float, float, list[float]]:
    walls, peaks = [], []
    for _ in range(repeats):
        wall, peak = run(python, code, src, out)
        walls.append(wall)
        peaks.append(peak)
    return statistics.median(walls), statistics.median(peaks), walls


def report(args: argparse.Namespace, rows: list[tuple], frame_mib: float, shape: str,
           load: tuple[float, float]) -> str:
    (_, ours_wall, ours_peak, _), (_, peer_wall, peer_peak, _), small = rows
    lines = [
        "# Profiling benchmark (issue 3, item 6)", "",
        f"Command: `OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/profile_bench.py "
        f"--rows {args.rows} --repeats {args.repeats} --seed {args.seed}` "
        "(peer environment: `bash bench/envs/ydata.sh`).", "",
        f"Data: `diabetes_130us` resampled with replacement (seed {args.seed}) to {shape}, "
        f"read from Parquet; in-memory size of the frame as mlsprint holds it (pandas "
        f"{pd.__version__}, `memory_usage(deep=True)`): **{frame_mib:,.0f} MiB**.", "",
        "Each tool runs in its own process: read the file, profile, write the HTML report. "
        "mlsprint = `profile()` + `render_profile_html()` + writing HTML and JSON (the "
        "library call, not the CLI). Wall time and peak RSS (`ru_maxrss` of the child) are "
        f"medians of {args.repeats} run(s).", "",
        "| tool | wall time (s) | peak memory (MiB) | peak / frame size | runs (s) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, wall, peak, walls in rows[:2]:
        lines.append(f"| {name} | {wall:.1f} | {peak:,.0f} | {peak / frame_mib:.2f}x | "
                     f"{', '.join(f'{w:.1f}' for w in walls)} |")
    lines += [
        "", f"**Speed-up: {peer_wall / ours_wall:.1f}x** (goal >= 5x). "
        f"**mlsprint peak memory: {ours_peak / frame_mib:.2f}x the frame** (goal <= 3x).",
        "", f"mlsprint on the original 101,766 x 50 CSV (whole process, read + profile + "
        f"HTML): **{small[1]:.1f} s** wall (runs: {', '.join(f'{w:.1f}' for w in small[3])}"
        f"), peak {small[2]:,.0f} MiB (issue bound: 30 s).", "",
        f"Machine: 2 cores shared with other engineers' jobs; load average "
        f"{load[0]:.1f} before, {load[1]:.1f} after the run. Times under load are noisy: "
        "compare the ratio, measured in the same run.", "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None, help="markdown results file")
    args = parser.parse_args(argv)
    if not YDATA_PYTHON.exists():
        raise SystemExit(f"{YDATA_PYTHON} not found: run `bash bench/envs/ydata.sh` first")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mlsprint-profile-bench-") as tmp:
        work = Path(tmp)
        src, frame_mib = make_data(args.rows, args.seed, work)
        shape = f"{args.rows:,} rows x 50 columns"
        print(f"data: {shape}, frame {frame_mib:,.0f} MiB", flush=True)
        ours = median_run(Path(sys.executable), MLSPRINT, src, work / "ours.html",
                          args.repeats)
        print(f"mlsprint: {ours[0]:.1f} s, peak {ours[1]:,.0f} MiB", flush=True)
        peer = median_run(YDATA_PYTHON, YDATA, src, work / "ydata.html", args.repeats)
        print(f"ydata-profiling minimal: {peer[0]:.1f} s, peak {peer[1]:,.0f} MiB", flush=True)
        small = median_run(Path(sys.executable), MLSPRINT, DATA, work / "small.html",
                           args.repeats)
        print(f"mlsprint on the 101,766-row CSV: {small[0]:.1f} s", flush=True)
    rows = [("mlsprint profile", *ours), ("ydata-profiling 4.18.4 minimal=True", *peer),
            ("mlsprint 100k CSV", *small)]
    text = report(args, rows, frame_mib, shape, (load_before, os.getloadavg()[0]))
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
