# Two commands for a newcomer: `make run` starts the module, `make test` runs the tests.
# While developing, `make test-fast` skips the browser and the slow real-data tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast install install-test bench clean

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/installed-test: $(VENV)/installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/installed

install-test: $(VENV)/installed-test

run: install
	$(VENV)/bin/ml2dl serve

test: install-test
	$(PY) -m pytest

test-fast: install-test
	$(PY) -m pytest -m "not browser and not slow"

bench: install-test
	$(PY) benchmarks/engine_vs_torch.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache test-output
