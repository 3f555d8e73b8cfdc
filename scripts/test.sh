#!/usr/bin/env bash
# Installs JobSwap with its dev tools, then runs lint, strict type checks and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh dev
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict, src/)"
.venv/bin/mypy
echo "== pytest"
.venv/bin/pytest "$@"
