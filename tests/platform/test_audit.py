"""scripts/audit.py against a local stand-in for the package index's JSON pages: a known
vulnerability in an installed latest release fails, an accepted one does not, a yanked release
fails, an older release is named as not audited, and an unreadable index is its own exit code."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.servers import serve_in_threads

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit.py"
ADVISORY = {
    "id": "PYSEC-2026-1",
    "aliases": ["CVE-2026-0001", "GHSA-aaaa-bbbb-cccc"],
    "fixed_in": [],
    "link": "https://osv.example/PYSEC-2026-1",
}


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("jobswap_audit", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def _page(latest: str, *, vulnerable: bool = False, yanked: frozenset[str] = frozenset()) -> dict[str, Any]:
    versions = {"1.0", "1.1", latest}
    return {
        "info": {"version": latest},
        "releases": {
            v: [{"filename": f"p-{v}.tar.gz", "yanked": v in yanked, "yanked_reason": "broken wheel"}]
            for v in versions
        },
        "vulnerabilities": [ADVISORY] if vulnerable else [],
    }


PAGES = {
    "clean": _page("2.0"),
    "holey": _page("2.0", vulnerable=True),
    "behind": _page("3.0", vulnerable=True),  # the latest has it; 1.0 installed: not covered
    "withdrawn": _page("2.0", yanked=frozenset({"1.1"})),
}


def _index(pages: dict[str, dict[str, Any]]) -> Starlette:
    async def page(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        if name == "down":
            return JSONResponse({"message": "unavailable"}, status_code=503)
        if name not in pages:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        return JSONResponse(pages[name])

    return Starlette(routes=[Route("/pypi/{name}/json", page)])


@pytest.fixture(scope="module")
def index() -> Any:
    with serve_in_threads(_index(PAGES)) as urls:
        yield f"{urls[0]}/pypi"


def test_findings_by_kind(index: str, capsys: pytest.CaptureFixture[str]) -> None:
    audit = _module().audit
    assert audit(index, {"clean": "2.0"}, {}) == 0
    assert audit(index, {"clean": "2.0", "holey": "2.0"}, {}) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE holey 2.0: PYSEC-2026-1 (CVE-2026-0001, GHSA-aaaa-bbbb-cccc)" in out
    assert "no fixed release" in out
    assert "audited 2 of 2" in out

    # accepted by any of its names, with the reason shown
    assert audit(index, {"holey": "2.0"}, {"GHSA-aaaa-bbbb-cccc": "not reachable from our code"}) == 0
    assert "accepted holey 2.0: PYSEC-2026-1 (not reachable from our code)" in capsys.readouterr().out

    assert audit(index, {"withdrawn": "1.1"}, {}) == 1
    assert "YANKED   withdrawn 1.1: broken wheel (latest 2.0)" in capsys.readouterr().out

    # the index speaks of the latest release only: an older one is named, not passed as clean
    assert audit(index, {"behind": "1.0", "clean": "2.0"}, {}) == 0
    out = capsys.readouterr().out
    assert "audited 1 of 2" in out
    assert "not audited (1," in out and "behind 1.0 (latest 3.0)" in out
    assert "VULNERABLE" not in out

    # a distribution the index does not have (a local build) is not an error
    assert audit(index, {"clean": "2.0", "local-only": "0.1"}, {}) == 0
    assert "not on the index (1): local-only" in capsys.readouterr().out

    assert audit(index, {"clean": "2.0", "down": "1.0"}, {}) == 2
    assert "UNREAD   down 1.0" in capsys.readouterr().out


def test_the_command_reads_this_environment_and_the_ignore_file(tmp_path: Path) -> None:
    """Every installed distribution asked about; one of them made vulnerable by the stand-in."""
    audit = _module()
    pages = {name: _page(version) for name, version in audit.installed().items()}
    pages["httpx"] = _page(audit.installed()["httpx"], vulnerable=True)
    ignore = tmp_path / "audit-ignore.txt"
    with serve_in_threads(_index(pages)) as urls:
        command = [sys.executable, str(SCRIPT), "--index", f"{urls[0]}/pypi", "--ignore", str(ignore)]
        failed = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "VULNERABLE httpx" in failed.stdout
        assert f"audited {len(pages)} of {len(pages)}" in failed.stdout
        ignore.write_text("# id, then why it is accepted\nCVE-2026-0001 the affected call is never made\n")
        passed = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "accepted httpx" in passed.stdout
