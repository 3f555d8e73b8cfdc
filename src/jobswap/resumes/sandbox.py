"""Parsing untrusted files in a child process with memory, CPU and wall-clock limits.

A hostile PDF or DOCX can make a parser allocate without bound or spin; in a
child process the kernel enforces the limits (RLIMIT_AS, RLIMIT_CPU) and a
wall-clock timeout kills it, so the worker and the web process are never hurt.
The child gets no database URL or secret key in its environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
from dataclasses import dataclass
from typing import Any

from jobswap.resumes.extract.filetypes import FileKind

_SECRET_VARIABLES = (
    "DATABASE_URL",
    "JOBSWAP_DATABASE_URL",
    "JOBSWAP_DATABASE_APP_URL",
    "JOBSWAP_SECRET_KEY",
    "JOBSWAP_AI_API_KEY",
    "OPENAI_API_KEY",
    "JOBSWAP_SENDGRID_API_KEY",
    "SENDGRID_API_KEY",
    "JOBSWAP_SMTP_PASSWORD",
    "JOBSWAP_S3_SECRET_ACCESS_KEY",
    "JOBSWAP_GOOGLE_API_KEY",
)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024
    cpu_seconds: int = 30
    wall_seconds: float = 45.0
    max_pages: int = 30
    phone_region: str = "US"


@dataclass(frozen=True)
class Analysis:
    text: str
    pages: int
    parsed: dict[str, Any] | None


class AnalysisFailed(Exception):
    """The file could not be analysed; `reason` is fit to show to the user."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _apply_limits(limits: Limits) -> None:  # pragma: no cover - runs in the child
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes nothing to disk
    os.nice(5)


async def analyse(data: bytes, kind: FileKind, *, structure: bool, limits: Limits) -> Analysis:
    """Text (and, with `structure`, the parsed resume) of a file, or AnalysisFailed."""
    env = {k: v for k, v in os.environ.items() if k not in _SECRET_VARIABLES}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "jobswap.resumes.sandbox_child",
        kind.value,
        "1" if structure else "0",
        str(limits.max_pages),
        limits.phone_region,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        preexec_fn=lambda: _apply_limits(limits),
    )
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(data), timeout=limits.wall_seconds)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AnalysisFailed(
            f"Reading the file took longer than {limits.wall_seconds:.0f} seconds; it may be damaged."
        ) from None
    if proc.returncode != 0:
        tail = stderr.decode("utf-8", "replace")[-2000:]
        if "MemoryError" in tail or "std::bad_alloc" in tail or "Cannot allocate memory" in tail:
            raise AnalysisFailed("Reading the file needed more memory than allowed; it may be damaged.")
        if proc.returncode in (-9, -24, 137, 152):  # SIGKILL / SIGXCPU
            raise AnalysisFailed("Reading the file took too long; it may be damaged.")
        raise AnalysisFailed("The file could not be read (the parser stopped unexpectedly).")
    try:
        result = json.loads(stdout)
    except ValueError:
        raise AnalysisFailed("The file could not be read (the parser gave no result).") from None
    if not result.get("ok"):
        raise AnalysisFailed(str(result.get("reason") or "The file could not be read."))
    return Analysis(text=result["text"], pages=int(result["pages"]), parsed=result.get("parsed"))
