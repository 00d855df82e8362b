# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# Both create .venv from the machine's Python 3.11 and the exact versions in requirements.lock.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export UV_PYTHON_DOWNLOADS := never
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true
export OMP_WAIT_POLICY := PASSIVE

.PHONY: env demo test test-fast lint lock clean

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -e .
	touch $@

env: $(BIN)/.installed

demo: env
	$(BIN)/python demo/run.py

test: env
	$(BIN)/python -m pytest

test-fast: env
	$(BIN)/python -m pytest -m "not slow"

lint: env
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

lock:
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) demo-project
