#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL when one is reachable
# (TIAOKUAI_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test).
# In CI (CI=true) PostgreSQL is required. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
pg_url=${TIAOKUAI_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}

# Browser tests need Debian's chromium and CJK fonts (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing chromium and fonts-noto-cjk for the browser tests (Debian packages)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
      || { echo "ERROR: could not install chromium / fonts-noto-cjk with apt-get" >&2; exit 1; }
  else
    echo "ERROR: the browser tests need /usr/bin/chromium and fonts-noto-cjk: apt-get install chromium fonts-noto-cjk" >&2
    exit 1
  fi
fi

export TIAOKUAI_TESTING=1
export TIAOKUAI_VAR_DIR=${TIAOKUAI_VAR_DIR:-$(mktemp -d)}
ran=()
failed=0

echo "==> test suite on SQLite"
if env -u DATABASE_URL $PY -m pytest -p no:cacheprovider "$@"; then ran+=("SQLite: passed"); else ran+=("SQLite: FAILED"); failed=1; fi

if $PY - "$pg_url" <<'PYEOF' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PYEOF
then
  echo "==> test suite on PostgreSQL ($pg_url)"
  if DATABASE_URL=$pg_url TIAOKUAI_TEST_DATABASE_URL=$pg_url $PY -m pytest -p no:cacheprovider "$@"; then
    ran+=("PostgreSQL: passed"); else ran+=("PostgreSQL: FAILED"); failed=1; fi
else
  if [ "${CI:-}" = "true" ]; then
    ran+=("PostgreSQL: NOT REACHABLE at $pg_url (required in CI)"); failed=1
  else
    ran+=("PostgreSQL: skipped, not reachable at $pg_url")
  fi
fi

echo
echo "==> databases:"
printf '    %s\n' "${ran[@]}"
exit $failed
