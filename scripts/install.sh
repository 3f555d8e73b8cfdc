#!/usr/bin/env bash
# Installs JobSwap into ./.venv (idempotent). Usage: scripts/install.sh [extra]
#   scripts/install.sh       the service
#   scripts/install.sh dev   the service plus test and lint tools, and the optional browser
#                            (Playwright, with Debian's Chromium when run as root on Debian)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "JobSwap needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
target="."
if [ "${1:-}" = "dev" ]; then
  target=".[dev,browser]"
  if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Chromium (Debian package) for the browser tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || echo "Chromium could not be installed: the browser tests will be skipped" >&2
  fi
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==26.3
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
