#!/usr/bin/env bash
# Create the pinned ydata-profiling environment for bench/profile_bench.py.
# It lives in its own virtualenv under bench/.envs/ydata (git-ignored), apart from
# mlsprint's .venv, so its pins (pandas < 3, numpy, matplotlib) cannot disturb ours.
# Usage: bash bench/envs/ydata.sh   (idempotent; a few minutes the first time)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
env="$root/bench/.envs/ydata"
YDATA_PIN="ydata-profiling==4.18.4"
if [ ! -x "$env/bin/python" ]; then
    python3.11 -m venv "$env"
fi
"$env/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
# pyarrow reads the benchmark's Parquet file; setuptools provides pkg_resources on 3.11
"$env/bin/pip" install --quiet --disable-pip-version-check "$YDATA_PIN" "pyarrow>=16" setuptools
"$env/bin/python" -c "import ydata_profiling, pandas; print('ydata-profiling', ydata_profiling.__version__, 'pandas', pandas.__version__)"
