#!/usr/bin/env bash
# Citizen request benchmarks: Open311 POST requests and the public form through the production server (SQLite
# and, when reachable, PostgreSQL), and the likely-duplicate look-up over 1,000,000 stored requests.
# Environment as bench/whistles/run.sh: BENCH_DB, BENCH_REQUESTS, BENCH_RATES, BENCH_SECONDS; BENCH_DUPLICATES (N).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
"$PY" bench/intake/open311_load.py --db "${BENCH_DB:-sqlite}" --requests "${BENCH_REQUESTS:-4000}" \
  --rate "${BENCH_RATES:-100,300}" --seconds "${BENCH_SECONDS:-10}"
"$PY" bench/intake/form_load.py --db "${BENCH_DB:-sqlite}" --requests "${BENCH_REQUESTS:-4000}" \
  --rate "${BENCH_RATES:-100,300}" --seconds "${BENCH_SECONDS:-10}"
"$PY" bench/intake/duplicates.py --requests "${BENCH_DUPLICATES:-1000000}"
