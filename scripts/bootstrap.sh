#!/usr/bin/env bash
# Creates or refreshes .venv with a Python 3.12+ found on this machine, installs the project with
# pinned versions (constraints.txt) and vendors the front-end assets from npm into static/vendor.
# Usage: scripts/bootstrap.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(tr -d '[:space:]' < .python-version)
extras=${1:-}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

python_ok() {  # prints the interpreter path when it is Python >= 3.12
  "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && command -v "$1"
}

find_python() {
  local c
  for c in "${PYTHON:-}" "python$want" python3.14 python3.13 python3.12 python3 \
           "$HOME"/.pyenv/versions/"$want"*/bin/python /root/.pyenv/versions/3.1[2-9]*/bin/python \
           /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    [ -n "$c" ] || continue
    if [ -x "$c" ] || command -v "$c" >/dev/null 2>&1; then
      python_ok "$c" && return 0
    fi
  done
  return 1
}

if [ -x .venv/bin/python ] && python_ok .venv/bin/python >/dev/null; then
  :
else
  py=$(find_python) || die "tiaokuai needs Python >= 3.12 (.python-version says $want) and none was found.
Install one (e.g. 'apt-get install python3.12 python3.12-venv' or pyenv install $want) or set PYTHON=/path/to/python3.12."
  say "creating .venv with $py ($("$py" --version))"
  rm -rf .venv
  "$py" -m venv .venv || die "could not create a virtual environment with $py (is the venv module installed?)"
fi

stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)${extras:+-$extras}
if [ ! -f "$stamp" ]; then
  say "installing tiaokuai${extras:+ [$extras]} with pinned versions (constraints.txt)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  spec="."; [ -n "$extras" ] && spec=".[$extras]"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e "$spec" \
    || die "pip could not install the dependencies (is the package registry reachable?)"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Front-end assets: installed from npm at set-up, served locally (no CDN).
vendor=src/tiaokuai/static/vendor
lockhash=$(sha256sum frontend/package-lock.json | cut -c1-16)
if [ ! -f "$vendor/.lock-$lockhash" ]; then
  command -v npm >/dev/null 2>&1 || die "npm is needed to install the front-end assets (apt-get install npm)"
  say "installing front-end assets from npm (frontend/package-lock.json)"
  (cd frontend && npm ci --silent --no-audit --no-fund) || die "npm ci failed (is the npm registry reachable?)"
  rm -rf "$vendor"; mkdir -p "$vendor"
  nm=frontend/node_modules
  cp "$nm/@tabler/core/dist/css/tabler.min.css" "$vendor/"
  cp "$nm/@tabler/core/dist/js/tabler.min.js" "$vendor/"
  cp "$nm/htmx.org/dist/htmx.min.js" "$vendor/"
  cp "$nm/echarts/dist/echarts.min.js" "$vendor/"
  touch "$vendor/.lock-$lockhash"
fi
