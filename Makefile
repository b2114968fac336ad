# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup dev-setup chromium db-upgrade bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Every dependency is installed at the version pinned in constraints.txt (refresh with `make lock`),
# so a new major release of a library cannot break a fresh clone unannounced.
CONSTRAINTS := constraints.txt

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) $(VENV)/.installed
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e '.[dev]'
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

## Set up and run the whole test suite; print the slowest tests and how long the run took.
test: dev-setup chromium
	@start=$$(date +%s); status=0; \
	$(BIN)/python -m pytest --durations=10 $(PYTEST_ARGS) || status=$$?; \
	echo "make test: the suite took $$(( $$(date +%s) - start )) s (exit status $$status)"; \
	exit $$status

## Re-pin every dependency to its newest allowed version: resolve in a fresh venv, write constraints.txt.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --upgrade pip
	.venv-lock/bin/pip install -q -e '.[dev]'
	{ echo "# Pinned versions of every dependency; made by 'make lock' from pyproject.toml. Edit there, then run it."; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf .venv-lock
	@echo "constraints.txt refreshed: review the diff, run make test, commit both."

bench: dev-setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .venv-lock .pytest_cache
