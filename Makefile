# Lentera: the two commands in the README are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check --quiet
DEMO := LENTERA_DEMO=1

.PHONY: run test lint format check clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install -e '.[dev]'
	touch $@

## run: install, migrate the embedded SQLite database, import content/, demo accounts, serve :8000
run: $(VENV)/.installed
	$(DEMO) $(BIN)/lentera migrate
	-$(DEMO) $(BIN)/lentera content reload
	$(DEMO) $(BIN)/lentera demo
	$(DEMO) $(BIN)/lentera serve

## test: install the development dependencies and run the whole test suite
test: $(VENV)/.dev-installed
	$(BIN)/pytest

## lint: ruff (lint and format check) and mypy on app/
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check app tests migrations
	$(BIN)/ruff format --check app tests migrations
	$(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix app tests migrations
	$(BIN)/ruff format app tests migrations

check: lint test

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
