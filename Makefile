# printapi: `make run` starts everything on SQLite with a demo account; `make test` runs every gate.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: run test check lint types pytest format bench migration client clean

# The OpenAPI client generator needs a typer older than ours: it gets a virtualenv of its own,
# pinned by client-generator.txt (tests/api/test_openapi.py runs it from there).
GENERATOR := $(VENV)/client-generator
# Packages are installed by uv, pinned here, into the virtualenvs venv makes: the same pins as pip
# would install (constraints.txt), in ~5 s where pip took ~60 s of a fresh clone's `make test`.
UV := uv==0.13.9

$(VENV)/.installed: pyproject.toml constraints.txt client-generator.txt clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet $(UV)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[dev]' -e ./clients/python
	$(PYTHON) -m venv --without-pip $(GENERATOR)
	$(BIN)/uv pip install --quiet --python $(GENERATOR)/bin/python --no-deps -r client-generator.txt
	$(BIN)/uv pip check --quiet --python $(GENERATOR)/bin/python
	touch $@

# Development mode: the built-in dev secret, console logs, and webhooks/downloads may reach loopback.
# The URLs handed out (and printed) name the port served, unless PRINTAPI_PUBLIC_URL says otherwise.
DEV := PRINTAPI_MODE=development PRINTAPI_OUTBOUND_ALLOW_NETWORKS=127.0.0.0/8,::1/128 \
	PRINTAPI_PUBLIC_URL=$${PRINTAPI_PUBLIC_URL:-http://$(HOST):$(PORT)}

run: $(VENV)/.installed
	$(DEV) $(BIN)/printapi demo
	$(DEV) exec $(BIN)/printapi serve --host $(HOST) --port $(PORT)

test: check

check: lint types pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(VENV)/.installed
	$(BIN)/mypy

# PostgreSQL tests run when a server answers on 127.0.0.1:5432 (PRINTAPI_TEST_POSTGRES=auto),
# are required by CI (=required) and can be switched off (=off). One pytest process per core
# (pytest-xdist), each with databases of its own; a test file stays in one process, so the
# module-wide fixtures (the end-to-end deployments) start once. Files are handed out in the order
# collected, the slowest first (tests/conftest.py: SLOW_FIRST), not by their number of tests.
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): without
# it every pytest worker rewrote the asserts of all test files and compiled printapi afresh, and so
# did every `printapi serve` and `printapi worker` the tests start (collection: 13.5 s -> 8.1 s).
TEST_WORKERS ?= auto
pytest: $(VENV)/.installed
	env -u PYTHONDONTWRITEBYTECODE PRINTAPI_TEST_POSTGRES=$${PRINTAPI_TEST_POSTGRES:-auto} \
		$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks write their figures to docs/benchmarks.md (they need wrk, hey and PostgreSQL).
bench: $(VENV)/.installed
	$(BIN)/python bench/api.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/files.py

# The Python SDK's generated half (clients/python/printapi_client/generated/) and the OpenAPI
# document it is made from (clients/python/openapi.json), after a change of the API; commit both.
# tests/api/test_openapi.py fails while they differ from a fresh generation.
client: $(VENV)/.installed
	$(BIN)/python clients/python/generate.py

migration: $(VENV)/.installed
	$(BIN)/python -c "from printapi.migrate import upgrade, revision; \
		upgrade('sqlite+aiosqlite:///var/migration.db'); revision('sqlite+aiosqlite:///var/migration.db', '$(m)')"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
