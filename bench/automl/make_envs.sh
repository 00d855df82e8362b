#!/usr/bin/env bash
# Create the pinned peer environments for the AutoML benchmark (bench/automl/run.py).
# Each peer lives in its own virtualenv under bench/.envs/ (git-ignored), apart from
# mlsprint's .venv, so their pins cannot disturb ours.
# Usage: bash bench/automl/make_envs.sh [flaml|autogluon]...   (idempotent)
#   no argument = both. AutoGluon pulls torch (large download): allow ~10 minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
envs="$root/bench/.envs"
FLAML_PIN="flaml[automl]==2.7.0"
AUTOGLUON_PIN="autogluon.tabular[all]==1.6.3"

make_env() {  # name, packages...
    local name="$1"; shift
    local env="$envs/$name"
    if [ ! -x "$env/bin/python" ]; then
        python3.11 -m venv "$env"
    fi
    "$env/bin/pip" install --quiet --upgrade pip
    "$env/bin/pip" install --quiet "$@"
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(flaml autogluon); fi
for target in "${targets[@]}"; do
    case "$target" in
        flaml)
            make_env flaml "$FLAML_PIN" "pandas<3" psutil
            "$envs/flaml/bin/python" -c "import flaml, lightgbm, xgboost, sklearn; print('flaml', flaml.__version__, 'lightgbm', lightgbm.__version__, 'xgboost', xgboost.__version__, 'sklearn', sklearn.__version__)"
            ;;
        autogluon)
            make_env autogluon "$AUTOGLUON_PIN" psutil
            "$envs/autogluon/bin/python" -c "import autogluon.tabular as t, sklearn; print('autogluon.tabular', t.__version__, 'sklearn', sklearn.__version__)"
            ;;
        *) echo "unknown peer environment: $target (expected flaml or autogluon)" >&2; exit 2 ;;
    esac
done
