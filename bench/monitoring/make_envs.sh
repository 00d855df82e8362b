#!/usr/bin/env bash
# Create the peer environment for the monitoring oracles and benchmarks.
# Evidently 0.7 and NannyML 0.13 need pandas < 3, so they live apart from mlsprint's venv.
# Usage: bash bench/monitoring/make_envs.sh   (idempotent; ~3 minutes on a quiet machine)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
env="$here/bench/.envs/evidently"
if [ ! -x "$env/bin/python" ]; then
    python3.11 -m venv "$env"
fi
"$env/bin/pip" install --quiet --upgrade pip
"$env/bin/pip" install --quiet "evidently==0.7.23" "pandas<3" "nannyml==0.13.1" statsmodels
"$env/bin/python" -c "import evidently, nannyml, pandas; print('evidently', evidently.__version__, 'nannyml', nannyml.__version__, 'pandas', pandas.__version__)"
