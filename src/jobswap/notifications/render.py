"""Turning a notification kind and its facts into an e-mail: subject, text and HTML (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jobswap.notifications.kinds import SUBJECTS, Kind


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # HTML escaped (a swap message is the sender's text, never markup); text left as written.
    return Environment(
        loader=PackageLoader("jobswap.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(kind: Kind, context: dict[str, Any]) -> RenderedEmail:
    """Every template gets `product`, `app_url`, `name`, `link` and `unsubscribe_url`."""
    env = _environment()
    subject = f"{context['product']}: {SUBJECTS[kind]}"
    values = {"subject": subject, **context}
    text = env.get_template(f"{kind.value}.txt").render(values)
    html = env.get_template(f"{kind.value}.html").render(values)
    return RenderedEmail(subject=subject, text=text, html=html)
