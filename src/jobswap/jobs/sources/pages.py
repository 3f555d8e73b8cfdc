"""Career pages: any site whose pages carry schema.org JobPosting JSON-LD, or that CSS
extraction rules describe. Rules are data, so a new site needs rules, not code:

    {"item": "li.job",                      # one element per posting on the listing page
     "link": "a.title",                     # its detail page (optional)
     "fields": {"title": {"css": "h2"},     # read from the item itself (optional)
                "company": {"css": ".co"}, "location": {"css": ".where"},
                "url": {"css": "a", "attr": "href"}, "salary": {"css": ".pay"}},
     "next": "a[rel=next]"}                 # the next listing page (optional)

Detail pages are read for JSON-LD first; fields from the rules fill what is missing.
CareerBuilder is this adapter with its own rules and URL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote_plus, urljoin

from selectolax.lexbor import LexborHTMLParser

from jobswap.jobs.browser import render
from jobswap.jobs.fetch import Fetcher, FetchError
from jobswap.jobs.sources import crawl4ai
from jobswap.jobs.sources.base import Page, Query, RawPosting, from_json_ld, json_ld_postings

FIELDS = {"title", "company", "location", "url", "salary", "posted", "description", "employment_type", "id"}


def validate_rules(rules: Any) -> dict[str, Any]:
    """Rules as given by an admin (JobSwap's own, or a Crawl4AI JsonCssExtractionStrategy
    schema, translated): a clear error for a wrong shape, before any fetch."""
    if crawl4ai.is_schema(rules):
        rules = crawl4ai.translate(rules)
    if not isinstance(rules, dict) or not isinstance(rules.get("item"), str):
        raise ValueError("rules need an 'item' CSS selector")
    fields = rules.get("fields", {})
    if not isinstance(fields, dict) or not set(fields) <= FIELDS:
        raise ValueError(f"rules.fields may name only {sorted(FIELDS)}")
    for name, spec in fields.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("css"), str):
            raise ValueError(f"rules.fields.{name} needs a 'css' selector ('' for the item itself)")
        if spec["css"]:
            LexborHTMLParser("<p></p>").css(spec["css"])
        if "pattern" in spec:
            try:
                re.compile(spec["pattern"])
            except (re.error, TypeError) as exc:
                raise ValueError(f"rules.fields.{name}.pattern: {exc}") from None
    for key in ("link", "next"):
        if key in rules and not isinstance(rules[key], str):
            raise ValueError(f"rules.{key} must be a CSS selector")
    LexborHTMLParser("<p></p>").css(rules["item"])  # raises on a selector lexbor cannot parse
    return rules


def _read(node: Any, spec: dict[str, Any]) -> str | None:
    """A field's value: the element `css` selects in the item (the item itself for ''), its
    attribute, HTML or text, through `pattern` when given, else `default`."""
    found = node.css_first(spec["css"]) if spec["css"] else node
    value: str | None = None
    if found is not None:
        if spec.get("attr"):
            value = (found.attributes.get(spec["attr"]) or "").strip() or None
        elif spec.get("html"):
            value = str(found.html)
        else:
            value = " ".join((found.text(separator=" ") or "").split()) or None
    if value is not None and spec.get("pattern"):
        match = re.search(spec["pattern"], value)
        value = (match.group(1) if match.groups() else match.group(0)) if match else None
    return value if value is not None else spec.get("default")


class CareerPages:
    name = "generic"

    def __init__(
        self, name: str = "generic", url: str | None = None, rules: dict[str, Any] | None = None
    ) -> None:
        self.name = name
        self.url = url
        self.rules = rules

    async def pages(self, query: Query, fetch: Fetcher) -> AsyncIterator[Page]:
        template = self.url or query.options.get("url")
        if not isinstance(template, str) or not template.startswith(("http://", "https://")):
            raise FetchError("config", self.name, "a career-page source needs options.url (http or https)")
        rules = self.rules or query.options.get("rules")
        try:
            rules = validate_rules(rules) if rules is not None else None
        except ValueError as exc:
            raise FetchError("config", template, str(exc)) from exc
        url: str | None = self._fill(template, query, 1)
        seen: set[str] = set()
        for number in range(1, query.max_pages + 1):
            if url is None:
                return
            if query.options.get("render"):  # a list built by JavaScript: ask a real browser
                markup, here = await render(fetch, url, wait_for=query.options.get("wait_for")), url
            else:
                listing = await fetch.get(url)
                markup, here = listing.text, listing.url
            page = Page([])
            tree = LexborHTMLParser(markup)
            found = [from_json_ld(self.name, item, here) for item in json_ld_postings(markup)]
            if rules is not None:
                for node in tree.css(rules["item"]):
                    found.append(await self._from_item(node, rules, here, fetch, page))
            for posting in found:
                if posting is not None and posting.source_id not in seen:
                    seen.add(posting.source_id)
                    page.postings.append(posting)
            if not page.postings:
                return
            yield page
            url = self._next(tree, rules, here, template, query, number)

    def _fill(self, template: str, query: Query, number: int) -> str:
        return (
            template.replace("{query}", quote_plus(query.text))
            .replace("{location}", quote_plus(query.location or ""))
            .replace("{page}", str(number))
        )

    def _next(
        self, tree: Any, rules: dict[str, Any] | None, here: str, template: str, query: Query, number: int
    ) -> str | None:
        if rules and rules.get("next"):
            link = tree.css_first(rules["next"])
            href = link.attributes.get("href") if link is not None else None
            return urljoin(here, href) if href else None
        return self._fill(template, query, number + 1) if "{page}" in template else None

    async def _from_item(
        self, node: Any, rules: dict[str, Any], base: str, fetch: Fetcher, page: Page
    ) -> RawPosting | None:
        values = {name: _read(node, spec) for name, spec in rules.get("fields", {}).items()}
        link_node = node.css_first(rules["link"]) if rules.get("link") else None
        href = link_node.attributes.get("href") if link_node is not None else None
        url = urljoin(base, href or values.get("url") or "") or None
        detail: RawPosting | None = None
        if href:
            try:
                response = await fetch.get(urljoin(base, href))
                found = json_ld_postings(response.text)
                detail = from_json_ld(self.name, found[0], response.url) if found else None
            except FetchError as exc:
                page.errors.append(exc)
        ident = values.get("id") or (detail.source_id if detail else None) or url
        if not ident:
            return None
        posting = detail or RawPosting(source=self.name, source_id=ident, url=url)
        posting.source_id = ident
        posting.url = posting.url or url
        posting.title = posting.title or values.get("title")
        posting.company = posting.company or values.get("company")
        posting.location = posting.location or values.get("location")
        posting.salary_text = posting.salary_text or values.get("salary")
        posting.posted = posting.posted or values.get("posted")
        posting.employment_type = posting.employment_type or values.get("employment_type")
        if not posting.description_html and values.get("description"):
            posting.description_text = values["description"]
        return posting


CAREERBUILDER_RULES = {"item": "li.data-results-content-parent", "link": "a.data-results-content"}


def careerbuilder(base_url: str) -> CareerPages:
    url = base_url.rstrip("/") + "/jobs?keywords={query}&location={location}&page_number={page}"
    return CareerPages("careerbuilder", url, CAREERBUILDER_RULES)
