# Switchboard: `make run` starts everything in one process; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench up down clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## run: every service in one process on the embedded default (in-memory broker, SQLite, embedded search)
run: $(STAMP)
	$(BIN)/switchboard run

## test: the whole suite (unit, integration against the local RabbitMQ and PostgreSQL, end to end), two at a time
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

## test-fast: unit tests only (no broker or database needed)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

## bench: the speed budgets against the real local RabbitMQ and PostgreSQL (several minutes; not part of `make test`)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## up / down: the distributed deployment with Docker Compose
up:
	docker compose up -d --build
down:
	docker compose down

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
