# Everything runs from the project's own virtual environment in .venv/, created and
# filled from the hash-pinned lock files on first use (and again whenever a lock changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: demo test test-later lint bench lock run clean install-prod

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements-dev.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/reviewbot demo

test: $(STAMP)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The suite again with the clock of the test process 400 days ahead (needs Debian's faketime):
# a test that passes only near the day it was written fails here.
test-later: $(STAMP)
	REVIEWBOT_UNDER_FAKETIME=1 faketime -f +400d $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot storage tests bench
	$(BIN)/ruff format --check bot storage tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/intake_throughput.py

run: $(STAMP)
	$(BIN)/reviewbot run

# A production install (docs/production.md): a virtual environment at PREFIX holding the runtime
# dependencies from the hash-pinned lock (no dev tools) and the app; PREFIX/bin/reviewbot runs it.
# One directory per release, so a rollback is switching back to the previous one.
PREFIX ?= /opt/reviewbot/releases/$(shell $(PYTHON) -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])")

install-prod:
	$(PYTHON) -m venv $(PREFIX)
	$(PREFIX)/bin/pip install --quiet --require-hashes -r requirements.lock
	$(PREFIX)/bin/pip install --quiet --no-deps .
	$(PREFIX)/bin/reviewbot --version

# Regenerates both lock files from pyproject.toml (needs network access to PyPI).
lock:
	$(PYTHON) -m venv /tmp/reviewbot-uv && /tmp/reviewbot-uv/bin/pip install --quiet uv
	/tmp/reviewbot-uv/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	/tmp/reviewbot-uv/bin/uv pip compile pyproject.toml --python-version 3.11 --extra dev --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache reviewbot-demo.db*
