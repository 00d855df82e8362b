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

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "diabetes_130us.csv.gz"
YDATA_PYTHON = ROOT / "bench" / ".envs" / "ydata" / "bin" / "python"

MAKE_DATA = """
import sys, pandas as pd
src, rows, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
df = pd.read_csv(src, keep_default_na=False, na_values=["?"], low_memory=False)
big = df.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True)
big.to_parquet(out, index=False)
frame = pd.read_parquet(out)  # as the profiler holds it
print(frame.memory_usage(deep=True).sum() / 2**20, pd.__version__, frame.shape[1])
"""

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


def run(python: Path, code: str, *args: str) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS (MiB) and stdout of one child process.

    The parent holds no data (only the standard library is imported here), so the
    child's ``ru_maxrss`` is its own peak, not a copy of a large parent at fork time.
    """
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
               MPLBACKEND="Agg")
    start = time.perf_counter()
    proc = subprocess.Popen([str(python), "-c", code, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{python} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return wall, 0.0, 0.0, out.decode()


def measured(python: Path, code: str, *args: str) -> tuple[float, float, float]:
    """Like ``run`` but with the child's own CPU time and peak RSS, from ``os.wait4``."""
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
               MPLBACKEND="Agg")
    start = time.perf_counter()
    proc = subprocess.Popen([str(python), "-c", code, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{python} failed:\n{err[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def make_data(rows: int, seed: int, workdir: Path) -> tuple[Path, float, str, int]:
    path = workdir / f"diabetes_{rows}.parquet"
    _, _, _, out = run(Path(sys.executable), MAKE_DATA, str(DATA), str(rows), str(seed),
                       str(path))
    mib, pandas_version, n_cols = out.split()
    return path, float(mib), pandas_version, int(n_cols)


def median_run(python: Path, code: str, src: Path, out: Path, repeats: int
               ) -> tuple[float, float, float, list[float]]:
    runs = [measured(python, code, str(src), str(out)) for _ in range(repeats)]
    walls = [r[0] for r in runs]
    return (statistics.median(walls), statistics.median(r[1] for r in runs),
            statistics.median(r[2] for r in runs), walls)


def report(args: argparse.Namespace, rows: list[tuple], frame_mib: float, shape: str,
           load: tuple[float, float], pandas_version: str) -> str:
    (_, ours_wall, ours_cpu, ours_peak, _), (_, peer_wall, peer_cpu, _, _), small = rows
    lines = [
        "# Profiling benchmark (issue 3, item 6)", "",
        f"Command: `OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/profile_bench.py "
        f"--rows {args.rows} --repeats {args.repeats} --seed {args.seed}` "
        "(peer environment: `bash bench/envs/ydata.sh`).", "",
        f"Data: `diabetes_130us` resampled with replacement (seed {args.seed}) to {shape}, "
        f"read from Parquet; in-memory size of the frame as mlsprint holds it (pandas "
        f"{pandas_version}, `memory_usage(deep=True)`): **{frame_mib:,.0f} MiB**.", "",
        "Each tool runs in its own process: read the file, profile, write the HTML report. "
        "mlsprint = `profile()` + `render_profile_html()` + writing HTML and JSON (the "
        "library call, not the CLI). Wall time, CPU time (user + system) and peak RSS "
        f"(`ru_maxrss` of the child, from `os.wait4`) are medians of {args.repeats} run(s).",
        "",
        "| tool | wall time (s) | CPU time (s) | peak memory (MiB) | peak / frame size | "
        "wall of each run (s) |", "|---|---:|---:|---:|---:|---|",
    ]
    for name, wall, cpu, peak, walls in rows[:2]:
        lines.append(f"| {name} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} | "
                     f"{peak / frame_mib:.2f}x | {', '.join(f'{w:.1f}' for w in walls)} |")
    lines += [
        "", f"**Speed-up: {peer_wall / ours_wall:.1f}x wall, {peer_cpu / ours_cpu:.1f}x CPU** "
        f"(goal >= 5x). **mlsprint peak memory: {ours_peak / frame_mib:.2f}x the frame** "
        "(goal <= 3x).",
        "", f"mlsprint on the original 101,766 x 50 CSV (whole process, read + profile + "
        f"HTML): **{small[1]:.1f} s** wall, {small[2]:.1f} s CPU (runs: "
        f"{', '.join(f'{w:.1f}' for w in small[4])}), peak {small[3]:,.0f} MiB (issue "
        "bound: 30 s wall).", "",
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
        src, frame_mib, pandas_version, n_cols = make_data(args.rows, args.seed, work)
        shape = f"{args.rows:,} rows x {n_cols} columns"
        print(f"data: {shape}, frame {frame_mib:,.0f} MiB", flush=True)
        ours = median_run(Path(sys.executable), MLSPRINT, src, work / "ours.html",
                          args.repeats)
        print(f"mlsprint: {ours[0]:.1f} s, cpu {ours[1]:.1f} s, peak {ours[2]:,.0f} MiB",
              flush=True)
        peer = median_run(YDATA_PYTHON, YDATA, src, work / "ydata.html", args.repeats)
        print(f"ydata-profiling minimal: {peer[0]:.1f} s, cpu {peer[1]:.1f} s, peak "
              f"{peer[2]:,.0f} MiB", flush=True)
        small = median_run(Path(sys.executable), MLSPRINT, DATA, work / "small.html",
                           args.repeats)
        print(f"mlsprint on the 101,766-row CSV: {small[0]:.1f} s", flush=True)
    rows = [("mlsprint profile", *ours), ("ydata-profiling 4.18.4 minimal=True", *peer),
            ("mlsprint 100k CSV", *small)]
    text = report(args, rows, frame_mib, shape, (load_before, os.getloadavg()[0]),
                  pandas_version)
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
