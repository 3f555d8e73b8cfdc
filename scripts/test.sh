#!/usr/bin/env bash
# Installs JobSwap with its dev tools, then runs lint, strict type checks and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh dev
echo "== audit (known vulnerabilities in the installed packages, from the package index)"
.venv/bin/python scripts/audit.py
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict, src/)"
.venv/bin/mypy
echo "== pytest"
# One worker per core (JOBSWAP_TEST_WORKERS overrides; 0 runs in this process), each with its own
# embedded PostgreSQL; a file stays on one worker, so its module fixtures are built once, and files
# go out in collection order (tests/conftest.py puts the longest first).
.venv/bin/pytest -n "${JOBSWAP_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder "$@"
