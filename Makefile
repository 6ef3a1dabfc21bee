# gridcare: `make demo` starts the app with the demo city; `make test` runs the tests.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_USER ?= postgres
PG_DATABASE ?= gridcare_test
PG_URL ?= postgresql://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(PG_DATABASE)

# Reinstall only when the package's declared dependencies or their lock change.
STAMP := $(VENV)/.installed
# Every package at the version the tests passed with, with its hashes (make lock).
LOCK := requirements.lock
# A second environment with the newest versions pyproject.toml allows (make test-latest).
LATEST_VENV ?= .venv-latest

# The browser tests (tests/browser) inject axe-core, pinned in its package-lock.json.
BROWSER_DIR := tests/browser
AXE := $(BROWSER_DIR)/node_modules/axe-core/axe.min.js

.PHONY: install demo test lint test-postgres bench check-python browser-deps screenshots \
	lock test-latest bench-city

check-python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: '$(PYTHON)' was not found. gridcare needs Python 3.11 or newer;" \
		     "install it, or name it: make PYTHON=python3.12 ..." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "error: gridcare needs Python 3.11 or newer, but $(PYTHON) is" \
		     "$$($(PYTHON) -c 'import platform; print(platform.python_version())')." \
		     "Name a newer one: make PYTHON=python3.12 ..." >&2; exit 1; }

$(STAMP): pyproject.toml $(LOCK) | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# After changing dependencies in pyproject.toml: resolve them again, for every platform.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes --quiet -o $(LOCK)

# The suite against the newest releases pyproject.toml allows, so that a release that
# breaks gridcare is seen here before a newcomer meets it.
test-latest: check-python browser-deps
	@test -x $(LATEST_VENV)/bin/python || $(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	$(LATEST_VENV)/bin/pytest -q $(PYTEST_ARGS)

install: check-python $(STAMP)

demo: install
	$(BIN)/gridcare db upgrade
	$(BIN)/gridcare demo load --scale small
	$(BIN)/gridcare run --host 127.0.0.1 --port 5000

# axe-core from npm for the accessibility tests; without npm they skip and say so.
browser-deps: $(AXE)

$(AXE): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(BROWSER_DIR) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "note: npm was not found, so the accessibility tests will skip" \
		     "(apt-get install npm, then make browser-deps)." >&2; \
	fi

# SQLite unless GRIDCARE_TEST_DATABASE_URL names a database (see test-postgres).
# PYTEST_ARGS narrows a run, e.g. make test PYTEST_ARGS=tests/registry
# The browser tests need chromium (apt-get install chromium) and skip without it.
test: install browser-deps
	$(BIN)/pytest -q $(PYTEST_ARGS)

# import-linter holds the layering of ../shared/DESIGN.md (contracts in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test-postgres: install
	@command -v psql >/dev/null 2>&1 || { \
		echo "error: psql was not found; install PostgreSQL's client (apt-get install postgresql)." >&2; \
		exit 1; }
	@pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { \
		echo "error: PostgreSQL is not accepting connections on $(PG_HOST):$(PG_PORT)." >&2; exit 1; }
	@psql -w -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = '$(PG_DATABASE)'" | grep -q 1 \
		|| createdb -w -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) $(PG_DATABASE)
	GRIDCARE_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

# The README's pictures: the demo city in chromium on a phone and a desktop.
screenshots: install
	$(BIN)/python -m tests.browser.screenshots

# Speed figures quoted in closing notes: planning the demo city and a worker's day.
bench: install
	$(BIN)/python -m tests.benchmarks.visits

# The city at 120,000 households on PostgreSQL, served by gunicorn (gunicorn.conf.py):
# pages, coverage against its SQL, nightly jobs; the figures of docs/performance.md.
# Loads the demo city first when BENCH_DATABASE holds none. It changes the database
# (quick logs, jobs): point it at a copy, e.g. createdb -T gridcare_city gridcare_city_copy.
BENCH_DATABASE ?= postgresql://$(PG_USER)@$(PG_HOST):$(PG_PORT)/gridcare_city
bench-city: install
	@pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { \
		echo "error: PostgreSQL is not accepting connections on $(PG_HOST):$(PG_PORT)." >&2; exit 1; }
	@psql -w -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = '$(notdir $(BENCH_DATABASE))'" | grep -q 1 \
		|| createdb -w -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) $(notdir $(BENCH_DATABASE))
	$(BIN)/python -m tests.benchmarks.city --database $(BENCH_DATABASE) $(BENCH_ARGS)
