"""Rendering of email template triples.

Each email lives in `templates/emails/<name>/` as `subject.txt`, `body.txt`
and `body.html`. The text parts are rendered by an engine that does not
HTML-escape: a signer called "Ben & Jerry's" must read as such in a plain-text
email, while the HTML part is escaped as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


@lru_cache(maxsize=1)
def _text_engine() -> Engine:
    return Engine(
        dirs=[str(d) for d in cast("list[Path]", settings.TEMPLATES[0]["DIRS"])],
        app_dirs=True,
        autoescape=False,
        libraries=get_installed_libraries(),
    )


def _base_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}


def render_email(name: str, context: Mapping[str, Any]) -> RenderedEmail:
    full = _base_context(context)
    engine = _text_engine()
    raw_subject = engine.get_template(f"emails/{name}/subject.txt").render(Context(full, autoescape=False))
    subject = " ".join(raw_subject.split())  # headers are one line
    body_text = engine.get_template(f"emails/{name}/body.txt").render(Context(full, autoescape=False)).strip() + "\n"
    body_html = render_to_string(f"emails/{name}/body.html", {**full, "subject": subject})
    return RenderedEmail(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        body_text=body_text,
        body_html=body_html,
    )
