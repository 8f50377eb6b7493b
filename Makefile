# Werkplek — two commands do everything on a fresh machine: `make demo` and `make test`.
# Each installs what it needs (a venv with the project, the Playground from npm) first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: install demo test unit integration e2e fuzz bench lint format manifest chromium clean

install: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(BIN)/python -m devtools.demo

test: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

unit: $(PY_STAMP)
	$(BIN)/pytest tests/unit

integration: $(PY_STAMP)
	$(BIN)/pytest tests/integration

e2e: install
	REQUIRE_E2E=1 $(BIN)/pytest tests/e2e

# The trust-boundary fuzzing (tests/fuzz) at 10,000 examples per target instead of the few
# hundred `make test` runs; the examples run per target are printed at the end.
fuzz: $(PY_STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/fuzz --hypothesis-show-statistics

# Debian's Chromium for the one rendering test (needs root; the test skips without it).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

bench: install
	$(BIN)/python -m bench.run

lint: $(PY_STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(PY_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

manifest: $(PY_STAMP)
	$(BIN)/werkplek manifest build --out build/werkplek.zip

clean:
	rm -rf build var/emulator .pytest_cache .ruff_cache .mypy_cache
