#!/usr/bin/env bash
# Routing benchmark: generate a labelled synthetic hotline set with tiaokuai.routing.datagen into a
# temporary directory, fit on the training file and evaluate on the test file one message at a
# time (tiaokuai.routing.evaluate --json), then print the figures.
# Usage: bench/routing/run.sh [TRAIN=3000] [TEST=1000] [SEED=0] [STYLES="hotline board"]
#        (or env TRAIN=… TEST=… SEED=… STYLES=…; one run per message style, see datagen --style)
#        PYTHON=/path/to/python bench/routing/run.sh              (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
for kv in "$@"; do export "${kv?}"; done
TRAIN=${TRAIN:-3000}
TEST=${TEST:-1000}
SEED=${SEED:-0}
STYLES=${STYLES:-hotline board}
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
# one core, as the target says; BLAS threads would only add noise
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for style in $STYLES; do
"$PY" -m tiaokuai.routing.datagen --out "$tmp/$style" --train "$TRAIN" --test "$TEST" --seed "$SEED" --style "$style" >&2
"$PY" -m tiaokuai.routing.evaluate --train "$tmp/$style/train.csv" --test "$tmp/$style/test.csv" --json > "$tmp/$style/result.json"

"$PY" - "$tmp/$style/result.json" "$style" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
targets = {"accuracy": (">=", 0.93), "top3_accuracy": (">=", 0.99), "p50_ms": ("<=", 1.0),
           "p99_ms": ("<=", 5.0), "fit_seconds": ("<=", 60.0), "peak_rss_mb": ("<=", 300.0)}
print(f"routing benchmark, {sys.argv[2]} messages (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
for k, v in r.items():
    t = targets.get(k)
    mark = ""
    if t is not None:
        ok = v >= t[1] if t[0] == ">=" else v <= t[1]
        mark = f"   target {t[0]} {t[1]}: {'ok' if ok else 'MISSED'}"
    print(f"  {k:<16} {v}{mark}")
print(json.dumps({"style": sys.argv[2], **r}, ensure_ascii=False))
PY
done
