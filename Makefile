# Video Orchestrator — the two commands of the README's Quick start, and their parts.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out
# pytest-xdist workers for `make test` (tests/conftest.py schedules a file, and all browser tests, as one unit)
TEST_WORKERS ?= 2

.PHONY: demo test lint typecheck unit bench examples clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

## demo: install, then render a sample video offline into out/ and print its path
demo: $(VENV)/.installed-run
	$(BIN)/vo make --script examples/scripts/deep-ocean.json --platform tiktok --caption-style bounce -o $(OUT)/demo

## test: install the test dependencies, then lint, type-check and run the whole suite
test: $(VENV)/.installed-dev lint typecheck unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy src

unit: $(VENV)/.installed-dev
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=20

## examples: make the media the example specs refer to (examples/media/, not committed)
examples: $(VENV)/.installed-run
	$(BIN)/python -m tests.media

## bench: the render benchmark (ours vs MoviePy vs the x264 floor); figures go in bench/RESULTS.md
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/render.py

## bench-api: API latency, submit → start, job-system overhead (~3 min; PostgreSQL and Redis when reachable)
.PHONY: bench-api
bench-api: $(VENV)/.installed-bench
	$(BIN)/python bench/api.py

## bench-ui: the web UI in Debian's Chromium: page opening, memory per tab, render via UI vs API (~2 min)
.PHONY: bench-ui
bench-ui: $(VENV)/.installed-bench
	$(BIN)/python bench/ui.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
