#!/usr/bin/env bash
# Run every benchmark and print its figures (`make bench`). Benchmarks are not tests: they need a
# quiet machine, and the figures are only comparable on the same hardware. See bench/README.md.
#   bench/run.sh                 all benchmarks
#   bench/run.sh whistles        only bench/whistles (or: routing)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
export PYTHON="$PY"
only=${1:-}
status=0
for script in bench/*/run.sh; do
  name=$(basename "$(dirname "$script")")
  if [ -n "$only" ] && [ "$only" != "$name" ]; then continue; fi
  echo "== $name =="
  if ! bash "$script"; then
    echo "!! $name benchmark failed" >&2
    status=1
  fi
  echo
done
exit $status
