#!/usr/bin/env bash
# Whistle benchmarks: (a) whistle intake through the API, tiaokuai and its floor side by side (SQLite and,
# when reachable, PostgreSQL); (b) the escalation sweep over 1,000,000 open dispatches. See bench/README.md.
# Environment: BENCH_DB=sqlite,postgresql  BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432
#              BENCH_REQUESTS=4000  BENCH_RATES=300  BENCH_SECONDS=10  BENCH_TIMEOUT=1800 (s, intake run)
#              BENCH_DISPATCHES=1000000  BENCH_DUE=10000
#              BENCH_DATA_DIR=… [BENCH_DATABASE_URL=…]: also (c) reads.py against that generated database
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
DBS=${BENCH_DB:-}
if [ -z "$DBS" ]; then
  DBS=sqlite
  if "$PY" - <<'PYEOF' 2>/dev/null; then DBS=sqlite,postgresql; fi
import os, psycopg
psycopg.connect(os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432") + "/postgres", connect_timeout=2).close()
PYEOF
fi
timeout "${BENCH_TIMEOUT:-1800}" "$PY" bench/whistles/side_by_side.py --db "$DBS" --requests "${BENCH_REQUESTS:-4000}" --rate "${BENCH_RATES:-300}" --seconds "${BENCH_SECONDS:-10}"
echo
"$PY" bench/whistles/sweep.py --dispatches "${BENCH_DISPATCHES:-1000000}" --due "${BENCH_DUE:-10000}"
if [ -n "${BENCH_DATA_DIR:-}" ]; then
  # (c) reads against a database made by `make bench-data` (BENCH_DATA_DIR, and BENCH_DATABASE_URL for PostgreSQL)
  echo
  timeout "${BENCH_TIMEOUT:-1800}" "$PY" bench/whistles/reads.py
fi
