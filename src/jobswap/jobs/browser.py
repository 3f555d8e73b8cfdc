"""Pages that build their job list in JavaScript, read through a real browser (optional).

Install the extra (`pip install 'jobswap[browser]'`) and Debian's Chromium
(`apt-get install chromium`); Playwright drives that browser, it never downloads its own.
The page still passes the fetcher's robots.txt check, outbound policy and per-host rate
gate, and its rendered HTML the same size cap; the browser loads only the page's own origin
(other hosts a page calls, such as analytics, are blocked), at the address the policy checked.
"""

from __future__ import annotations

import shutil
from typing import Any
from urllib.parse import urlsplit

from jobswap.jobs.fetch import Fetcher, FetchError, origin_of

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def browser_path() -> str | None:
    """Chromium on PATH (Debian's package installs `chromium`)."""
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def available() -> bool:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return False
    return browser_path() is not None


async def render(fetch: Fetcher, url: str, *, wait_for: str | None = None, timeout_s: float = 20.0) -> str:
    """The page's HTML after its scripts ran (until `wait_for` matches, or the network is idle)."""
    try:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright
    except ImportError as exc:
        raise FetchError("config", url, "rendering needs the 'browser' extra (Playwright)") from exc
    executable = browser_path()
    if executable is None:
        raise FetchError("config", url, "rendering needs Chromium (apt-get install chromium)")
    await fetch.check(url)
    # Chromium resolves names itself; pin the page's host to the address the policy checked,
    # so a second lookup (DNS rebinding) cannot send the browser elsewhere.
    host = urlsplit(url).hostname or ""
    pinned = await fetch.pinned_address(url)
    args = ["--no-sandbox"]
    if pinned != host:
        args.append(f"--host-resolver-rules=MAP {host} {pinned}")
    origin = origin_of(url)
    await fetch.turn(origin)
    fetch.stats.requests += 1
    try:
        async with async_playwright() as driver:
            browser = await driver.chromium.launch(executable_path=executable, args=args)
            try:
                page = await browser.new_page(user_agent=fetch.settings.scrape_user_agent)

                async def same_origin_only(route: Any) -> None:
                    target = urlsplit(route.request.url)
                    if f"{target.scheme}://{target.netloc}" == origin:
                        await route.continue_()
                    else:
                        await route.abort()

                await page.route("**/*", same_origin_only)
                await page.goto(url, timeout=timeout_s * 1000, wait_until="networkidle")
                if wait_for:
                    await page.wait_for_selector(wait_for, timeout=timeout_s * 1000)
                content = await page.content()
            finally:
                await browser.close()
    except PlaywrightError as exc:
        raise FetchError("browser", url, str(exc).splitlines()[0][:200]) from exc
    if len(content.encode()) > fetch.settings.scrape_max_bytes:
        raise FetchError("too_large", url, "rendered page over the size cap")
    return content
