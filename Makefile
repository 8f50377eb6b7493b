# Werkplek — two commands do everything on a fresh machine: `make demo` and `make test`.
# Each installs what it needs (a venv with the project, the Playground from npm) first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
# Test workers beside the serial pass (tests/conftest.py); the CI machine has two cores.
TEST_WORKERS ?= 2
NODE_STAMP := node_modules/.installed

.PHONY: install demo test unit integration e2e fuzz bench lint format manifest chromium screenshots clean

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
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not serial"
	$(BIN)/pytest -m serial

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

# Debian's Chromium for the rendering test and `make screenshots` (needs root; the test skips
# without it).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# What people see: the main cards in the Playground, photographed by headless Chromium into
# devtools/screenshots/ (the README shows them). Installs Chromium first when run as root.
screenshots: install
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || $(MAKE) chromium
	@command -v chromium >/dev/null || { echo "Chromium is missing: run 'sudo make chromium' (Debian's package), then 'make screenshots' again." >&2; exit 1; }
	$(BIN)/python -m devtools.screenshots

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
