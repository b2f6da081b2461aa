# Quick start: `make demo` and `make test`; each creates .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck pytest bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/hashshock compare examples/midsize-public-miner/fleet.yaml --scenarios baseline,sanctions --paths 1000 --horizon 365

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

# Test processes (pytest-xdist): CI's machine has two cores. `make test TEST_WORKERS=0`
# runs the suite in one process.
TEST_WORKERS ?= 2

pytest: $(TEST_STAMP)
	$(BIN)/python -m pytest src tests -n $(TEST_WORKERS) --dist worksteal

# The browser tests drive Debian's chromium; install it (and chromium-driver) where we can
# (root with apt), silently do nothing elsewhere: those tests then skip with one line.
browser:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium chromium-driver; } \
			>/dev/null 2>&1 || true; \
	fi

test: browser lint typecheck pytest

bench: $(TEST_STAMP)  # the reference simulation needs the test extras (SimPy)
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_validation.py
	$(BIN)/python bench/bench_scaling.py
	$(BIN)/python bench/bench_report.py

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
