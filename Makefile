# Lentera: the two commands in the README are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check --quiet
DEMO := LENTERA_DEMO=1
# `make run PORT=8080 HOST=0.0.0.0` (or the same variables in the environment)
HOST ?= 127.0.0.1
PORT ?= 8000
# One-time links and the printed demo address follow the port (unless LENTERA_BASE_URL is set).
BROWSER_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
RUN_ENV = $(DEMO) LENTERA_BASE_URL="$${LENTERA_BASE_URL:-http://$(BROWSER_HOST):$(PORT)}"

.PHONY: run test test-e2e lint format check bench bench-sync bench-exam bench-lighthouse lock clean

# Exact versions with hashes come from the lock files (made by `make lock` from pyproject.toml);
# Lentera itself is installed on top without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements.lock
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.lock
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PIP) install --require-hashes -r requirements-dev.lock
	touch $@

## lock: re-resolve requirements.lock and requirements-dev.lock from pyproject.toml (uv)
lock: $(VENV)/.dev-installed
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements-dev.lock

# axe-core (a few MB) for the browser tests only (Node.js is optional: without it the browser
# tests say they are skipped, except in CI where they must run).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: browser tests (tests/e2e) will be skipped"; fi

# Lighthouse (~190 MB) only for `make bench-lighthouse`, from its own bench/package-lock.json.
bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund --loglevel=error

## run: install, migrate the embedded SQLite database, import content/, demo accounts, serve
## on HOST:PORT (127.0.0.1:8000); prints "Lentera siap di http://HOST:PORT" once listening
run: $(VENV)/.installed
	$(DEMO) $(BIN)/lentera migrate
	-$(DEMO) $(BIN)/lentera content reload
	$(RUN_ENV) $(BIN)/lentera demo
	$(RUN_ENV) $(BIN)/lentera serve --host "$(HOST)" --port "$(PORT)"

## test: install the development dependencies and run the whole test suite, one process per core
## (`make test TEST_WORKERS=0` runs it in this process only)
TEST_WORKERS ?= auto
test: $(VENV)/.dev-installed node_modules/.package-lock.json
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope

## test-e2e: only the real-browser tests (Chromium from Debian, Playwright, axe-core)
test-e2e: $(VENV)/.dev-installed node_modules/.package-lock.json
	$(BIN)/pytest tests/e2e

## lint: ruff (lint and format check) and mypy on app/ and tests/
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix app tests migrations bench
	$(BIN)/ruff format app tests migrations bench

check: lint test

## bench: the benchmark harness at city scale; writes docs/benchmarks.md (needs wrk; ~25 min)
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432/postgres
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run_all.py --scale default --postgres-url $(BENCH_PG)
	$(MAKE) bench-sync bench-exam

## bench-sync: 50 and 200 phones sending their offline marks at once, SQLite and PostgreSQL
bench-sync: $(VENV)/.dev-installed
	$(BIN)/python bench/sync_burst.py --phones 50,200 --postgres-url $(BENCH_PG)

## bench-exam: a synchronised exam (LEARNERS=3000 THINK=30,90 WORKERS=2; ~10 min at 300)
LEARNERS ?= 300
THINK ?= 30,90
WORKERS ?= 2
bench-exam: $(VENV)/.dev-installed
	$(BIN)/python bench/exam.py --learners $(LEARNERS) --think $(THINK) --workers $(WORKERS) \
		--postgres-url $(BENCH_PG)

## bench-lighthouse: Lighthouse scores and bytes of the learner pages (median of 3 runs)
bench-lighthouse: $(VENV)/.dev-installed bench/node_modules/.package-lock.json
	$(BIN)/python bench/lighthouse.py --runs 3

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
