"""The workflow benchmark still runs end to end (tiny sizes), so it cannot rot unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_workflow_bench_runs() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/workflow_bench.py", "--pairs", "6", "--concurrency", "2"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "swaps approved end to end" in done.stdout and "outbox e-mails sent (48)" in done.stdout
