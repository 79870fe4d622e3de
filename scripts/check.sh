#!/usr/bin/env bash
# The static checks from docs/architecture.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export TIAOKUAI_VAR_DIR=${TIAOKUAI_VAR_DIR:-$(mktemp -d)}
V=.venv/bin
echo "==> ruff"; $V/ruff check src tests bench
echo "==> mypy (services, selectors, access)"
$V/mypy $(ls src/tiaokuai/*/services.py src/tiaokuai/*/services/*.py src/tiaokuai/*/selectors.py src/tiaokuai/*/access.py 2>/dev/null)
echo "==> import contracts (arrows point down)"; $V/lint-imports --no-cache
echo "==> manage.py check"; $V/tiaokuai check --fail-level WARNING
echo "==> makemigrations --check"; $V/tiaokuai makemigrations --check --dry-run
echo "==> messages compiled and complete"; $V/python scripts/check_messages.py
