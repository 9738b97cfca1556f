# neuroattn — set-up, demo, tests and benchmarks. Everything runs inside .venv.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install -q -c constraints.txt
OUT ?= neuroattn-demo

.PHONY: demo test lint typecheck pytest bench install install-dev clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip

$(VENV)/.core: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	touch $@

$(VENV)/.all: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e ".[all]"
	touch $@ $(VENV)/.core

install: $(VENV)/.core
install-dev: $(VENV)/.all

## make demo: install the core and run the main job on its built-in default
demo: install
	$(BIN)/neuroattn demo -o $(OUT)

## make test: install everything, then lint, type-check and run the whole test suite
test: install-dev lint typecheck pytest

lint: install-dev
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/lint-imports --no-logo

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest

## make fuzz: the fuzz suite's long profile (tests/fuzz; `make test` runs a fast one)
.PHONY: fuzz
fuzz: install-dev
	NEUROATTN_FUZZ_EXAMPLES=$${NEUROATTN_FUZZ_EXAMPLES:-500} $(BIN)/pytest tests/fuzz -p no:cacheprovider

## make bench: run the benchmarks (peers in their own venvs under .bench-venvs)
bench: install-dev
	$(BIN)/python -m benchmarks

## make bench-peers: create the peer venvs (Brian2, JAX) under .bench-venvs ahead of a run
.PHONY: bench-peers
bench-peers: install-dev
	$(BIN)/python -m benchmarks._peers

clean:
	rm -rf $(VENV) .bench-venvs build *.egg-info src/*.egg-info
