# spycatcher: `make demo` and `make test` work on a fresh clone (they create .venv on first use).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev,postgres,spark,intel,service,embeddings

.PHONY: demo test lint format bench system-deps clean install install-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# core install: what the demo needs
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# everything the test suite needs (all extras)
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	# the embeddings extra needs torch: take the CPU build that lies on this kind of machine
	# (a bare "torch" requirement would pull a multi-GB CUDA build)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[$(EXTRAS)]'
	touch $@ $(VENV)/.core

install: $(VENV)/.core
install-dev: $(VENV)/.dev

demo: $(VENV)/.core
	$(BIN)/spycatcher demo -o demo-out

test: $(VENV)/.dev
	$(BIN)/pytest -q -n 2 --dist loadfile

lint: $(VENV)/.dev
	$(BIN)/ruff check spycatcher tests bench
	$(BIN)/mypy spycatcher

format: $(VENV)/.dev
	$(BIN)/ruff format spycatcher tests bench

bench: $(VENV)/.dev
	$(BIN)/python bench/run_all.py

# System packages the tests use (PostgreSQL server binaries, Java for Spark, Chromium for the
# browser tests). Needs root; installs only what is missing.
system-deps:
	bash scripts/system-deps.sh

clean:
	rm -rf demo-out .pytest_cache .mypy_cache .ruff_cache
