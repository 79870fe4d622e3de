# tiaokuai — two commands do all the set-up: `make demo` and `make test`.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
TK := $(VENV)/bin/tiaokuai

.PHONY: demo test setup setup-dev check bench bench-data messages clean

setup:
	@scripts/bootstrap.sh

setup-dev:
	@scripts/bootstrap.sh dev

## Start the platform with the demo county on SQLite (var/), a production server and the worker.
demo: setup
	@TIAOKUAI_DEMO=1 $(TK) demo up --port $(PORT)

## Run the whole suite on SQLite, then on PostgreSQL when one is reachable.
test: setup-dev
	@scripts/test.sh

## Static checks from docs/architecture.md (ruff, mypy, django checks, migrations, messages).
check: setup-dev
	@scripts/check.sh

## Benchmarks (not tests): see bench/README.md.
bench: setup-dev
	@bench/run.sh

## Fill a benchmark database with N whistles (default 1,000,000): bench/data/generate.py; SQLite under
## BENCH_DATA_DIR (default var/bench-data), or PostgreSQL with BENCH_DATABASE_URL.
bench-data: setup-dev
	@$(PY) bench/data/generate.py --n $(or $(N),1000000)

messages: setup-dev
	@cd src/tiaokuai && ../../$(VENV)/bin/django-admin makemessages -l zh_Hans --no-obsolete --no-location -i "static/vendor/*" --settings=tiaokuai.config.settings && ../../$(VENV)/bin/django-admin compilemessages --settings=tiaokuai.config.settings

clean:
	rm -rf $(VENV) var src/tiaokuai/static/vendor frontend/node_modules
