# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup dev-setup chromium db-upgrade bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

dev-setup: $(VENV)/.installed-dev

db-upgrade: setup
	$(BIN)/flask --app webapp db upgrade

## Set up, migrate the SQLite database in instance/, and serve on http://127.0.0.1:5000
run: db-upgrade
	$(BIN)/flask --app webapp run --host $(HOST) --port $(PORT)

## Install Debian's chromium for the browser tests when it is missing and apt-get can run.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing chromium for the browser tests..."; \
		(apt-get update -q && apt-get install -y -q chromium) >/tmp/webapp-chromium-install.log 2>&1 \
		|| echo "chromium could not be installed (see /tmp/webapp-chromium-install.log): browser tests will be skipped"; \
	else \
		echo "chromium is missing and apt-get is not available as root: browser tests will be skipped"; \
	fi

## Set up and run the whole test suite.
test: dev-setup chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: dev-setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
