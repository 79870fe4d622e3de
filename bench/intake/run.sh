#!/usr/bin/env bash
# Citizen request benchmarks: Open311 POST requests through the production server (SQLite and, when
# reachable, PostgreSQL). Environment as bench/whistles/run.sh: BENCH_DB, BENCH_REQUESTS, BENCH_RATES, BENCH_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
"$PY" bench/intake/open311_load.py --db "${BENCH_DB:-sqlite}" --requests "${BENCH_REQUESTS:-4000}" \
  --rate "${BENCH_RATES:-100,300}" --seconds "${BENCH_SECONDS:-10}"
