"""The web app in a real browser: Debian's Chromium driven by Playwright's async API, against
the app served by uvicorn on loopback in the test session's own event loop (so it shares the
session's database runtime). Every page a test visits is checked: no console errors (CSP
violations included), no serious or critical axe-core violations, and a screenshot under
test-output/screenshots (or $JOBSWAP_TEST_OUTPUT)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from jobswap.config import Settings
from jobswap.jobs import browser as browser_support
from jobswap.main import create_app
from jobswap.runtime import Runtime
from tests.jobs.conftest import _served_board, board, board_url  # noqa: F401  (the local job board)
from tests.servers import free_port

ASSETS = Path(__file__).parent / "assets"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("JOBSWAP_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"

pytestmark = pytest.mark.skipif(
    not browser_support.available(), reason="needs the 'browser' extra (Playwright) and Debian's chromium"
)


@dataclass
class Live:
    url: str
    settings: Settings
    app: Any


@pytest.fixture
async def live(settings: Settings, runtime: Runtime) -> AsyncIterator[Live]:
    """The app on a loopback port; e-mail links point at it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web_settings = settings.model_copy(update={"app_url": url})
    app = create_app(web_settings, runtime=runtime)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False)
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started, "the live server did not start"
    yield Live(url, web_settings, app)
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    executable = browser_support.browser_path()
    assert executable is not None
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        await launched.close()


@dataclass
class Checked:
    """A browser context whose pages are watched for console errors and checked with axe."""

    context: Any
    name: str
    errors: list[str] = field(default_factory=list)

    async def page(self) -> Any:
        page = await self.context.new_page()
        page.on("console", lambda m: self.errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        return page


AXE = (ASSETS / "axe.min.js").read_text(encoding="utf-8")


async def check(page: Any, shot: str, who: Checked) -> None:
    """No console errors so far, no serious or critical accessibility violations, a screenshot."""
    await page.wait_for_load_state("load")
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE)  # through the DevTools protocol: the page's CSP does not apply
    violations = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    assert violations == [], f"{shot}: {violations}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    assert who.errors == [], f"{shot}: {who.errors}"


@pytest.fixture
async def people(chromium: Any, live: Live) -> AsyncIterator[Any]:
    """A factory of watched browser contexts (one per person)."""
    made: list[Checked] = []

    async def make(name: str, **options: Any) -> Checked:
        context = await chromium.new_context(base_url=live.url, **options)
        who = Checked(context, name)
        made.append(who)
        return who

    yield make
    for who in made:
        await who.context.close()


LINK = re.compile(r"https?://[^/\s\"'<>]+(/[^\s\"'<>]+)")  # a link to a page, not the bare site


def link_in(message: Any) -> str:
    """The path of the mail's link, for a page whose base URL is the live server: a mail the
    queue's worker writes names the worker's public URL, not this test server's."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = LINK.search(body)
    assert found, body
    return found.group(1)
