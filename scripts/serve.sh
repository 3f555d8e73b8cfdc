#!/usr/bin/env bash
# Installs JobSwap and runs it on http://127.0.0.1:8000 (API docs at /docs).
# With no DATABASE_URL it starts its own PostgreSQL under ./var. Extra arguments
# go to `jobswap serve` (e.g. --host 0.0.0.0 --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/jobswap serve "$@"
