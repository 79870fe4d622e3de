#!/usr/bin/env bash
# Whistle benchmarks: (a) whistle creation through the API against the real server (SQLite and, when
# reachable, PostgreSQL); (b) the escalation sweep over 1,000,000 open dispatches. See bench/README.md.
# Environment: BENCH_DB=sqlite,postgresql  BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432
#              BENCH_DISPATCHES=1000000  BENCH_DUE=10000  BENCH_REQUESTS=4000  BENCH_RATES=300,30
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
"$PY" bench/whistles/api_load.py --db "$DBS" --requests "${BENCH_REQUESTS:-4000}" --rate "${BENCH_RATES:-300,30}"
echo
"$PY" bench/whistles/sweep.py --dispatches "${BENCH_DISPATCHES:-1000000}" --due "${BENCH_DUE:-10000}"
