"""Known vulnerabilities in the installed dependencies, asked of the package index.

pip-audit asks PyPI for each installed version (`/pypi/NAME/VERSION/json`) or OSV; neither is
reachable from where this project is built (docs/decisions.md, "Auditing dependencies"). The
index's project page (`/pypi/NAME/json`) is, and it lists the advisories (PYSEC, GHSA, CVE) that
affect the project's latest release. So each installed distribution is checked like this:

- installed version is the latest release: its advisories are complete; any not listed in
  `audit-ignore.txt` (an id and a reason per line) fails the audit;
- installed version was yanked: fails (a yank is how the index withdraws a broken release);
- an older release: the page says nothing of it; it is named as not audited, so that an
  upgrade is a visible choice, and does not fail.

    .venv/bin/python scripts/audit.py [--index URL] [--ignore FILE]

Exit status: 0 clean, 1 a known vulnerability or a yanked release, 2 the index could not be read.
Only the standard library, so that it runs before anything else is trusted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib.metadata
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = "https://pypi.org/pypi"
SELF = "jobswap"  # this project, installed from the working tree, is not on the index


@dataclass
class Finding:
    name: str
    version: str
    latest: str | None = None
    latest_needs: str | None = None  # the latest release's Requires-Python
    advisories: list[dict[str, Any]] = field(default_factory=list)
    yanked: str | None = None  # the yank's reason, "" when none given
    error: str | None = None


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, str]:
    """Every distribution this interpreter's environment has, by canonical name."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and canonical(name) != SELF:
            found[canonical(name)] = dist.version
    return found


def ignored(path: Path) -> dict[str, str]:
    """Advisory ids accepted on purpose, each with the reason written beside it."""
    accepted: dict[str, str] = {}
    if path.exists():
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if line:
                ident, _, reason = line.partition(" ")
                accepted[ident] = reason.strip()
    return accepted


def _page(url: str, timeout: float) -> tuple[dict[str, Any] | None, str | None]:
    """The index's JSON page, or why not; None and no reason when the index has no such project."""
    reason = None
    for _attempt in range(3):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - the index's URL
                return json.load(answer), None
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None, None
            reason = f"{url}: HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            reason = f"{url}: {exc}"
    return None, reason


def check(index: str, name: str, version: str, timeout: float = 30.0) -> Finding:
    finding = Finding(name, version)
    page, finding.error = _page(f"{index.rstrip('/')}/{urllib.parse.quote(name)}/json", timeout)
    if page is None:
        return finding
    info = page.get("info", {})
    finding.latest, finding.latest_needs = str(info.get("version")), info.get("requires_python") or None
    files = page.get("releases", {}).get(version) or []
    if files and all(f.get("yanked") for f in files):
        finding.yanked = files[0].get("yanked_reason") or ""
    if finding.latest == version:
        finding.advisories = list(page.get("vulnerabilities") or [])
    return finding


@dataclass
class Report:
    findings: list[Finding]
    bad: list[tuple[Finding, list[dict[str, Any]]]] = field(default_factory=list)
    older: list[Finding] = field(default_factory=list)
    absent: list[Finding] = field(default_factory=list)  # not on the index (a local build)
    waived: list[tuple[Finding, dict[str, Any], str]] = field(default_factory=list)

    @property
    def unread(self) -> list[Finding]:
        return [f for f in self.findings if f.error]


def classify(findings: list[Finding], accepted: dict[str, str]) -> Report:
    """Each finding as failing (a live advisory or a yank), not covered (an older release), or clean."""
    report = Report(findings)
    for f in findings:
        if f.error:
            continue
        live = []
        for a in f.advisories:
            known = {a.get("id"), *(a.get("aliases") or [])} & accepted.keys()
            if known:
                report.waived.append((f, a, accepted[min(known)]))
            else:
                live.append(a)
        if live or f.yanked is not None:
            report.bad.append((f, live))
        elif f.latest is None:
            report.absent.append(f)
        elif f.latest != f.version:
            report.older.append(f)
    return report


def show(report: Report, index: str) -> None:
    for f, live in report.bad:
        if f.yanked is not None:
            print(f"YANKED   {f.name} {f.version}: {f.yanked or 'no reason given'} (latest {f.latest})")
        for a in live:
            fixed = ", ".join(a.get("fixed_in") or []) or "no fixed release"
            aliases = ", ".join(a.get("aliases") or [])
            print(
                f"VULNERABLE {f.name} {f.version}: {a.get('id')} ({aliases}); "
                f"fixed in: {fixed}; {a.get('link')}"
            )
    for f, a, reason in report.waived:
        print(f"accepted {f.name} {f.version}: {a.get('id')} ({reason})")
    for f in report.unread:
        print(f"UNREAD   {f.name} {f.version}: {f.error}")
    total = len(report.findings)
    audited = total - len(report.unread) - len(report.older) - len(report.absent)
    print(
        f"audited {audited} of {total} installed distributions against {index}: "
        f"{sum(len(live) for _, live in report.bad)} known vulnerabilities, "
        f"{sum(1 for f, _ in report.bad if f.yanked is not None)} yanked"
    )
    if report.older:
        print(
            f"not audited ({len(report.older)}, an older release than the latest, which the index's "
            "page does not cover): " + ", ".join(f"{f.name} {f.version} ({_newer(f)})" for f in report.older)
        )
    if report.absent:
        print(f"not on the index ({len(report.absent)}): " + ", ".join(f.name for f in report.absent))


def _newer(f: Finding) -> str:
    """The latest release, and the Python it needs: often why an older pin is the newest we can use."""
    return f"latest {f.latest}" + (f", Requires-Python {f.latest_needs}" if f.latest_needs else "")


def audit(index: str, packages: dict[str, str], accepted: dict[str, str]) -> int:
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        findings = list(pool.map(lambda kv: check(index, *kv), sorted(packages.items())))
    report = classify(findings, accepted)
    show(report, index)
    if report.bad:
        return 1
    return 2 if report.unread else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", default=DEFAULT_INDEX, help="the index's JSON API root")
    parser.add_argument("--ignore", type=Path, default=ROOT / "audit-ignore.txt")
    args = parser.parse_args()
    return audit(args.index, installed(), ignored(args.ignore))


if __name__ == "__main__":
    sys.exit(main())
