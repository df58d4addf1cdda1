from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from insights.models import Post
from tests import factories


def png_upload(name: str = "hero.png", size: tuple[int, int] = (64, 36)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 80, 120)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def public_post(db):
    return factories.PostFactory(
        title="Securing a Made in America supply chain",
        slug="made-in-america",
        standfirst="Import reliance is the greatest obstacle.",
        body="The United States imports more than fifty per cent of its cobalt. PUBLICBODYWORD",
    )


@pytest.fixture
def members_post(db):
    return factories.PostFactory(
        kind=Post.Kind.NEWS,
        title="Members briefing on graphite tariffs",
        slug="graphite-briefing",
        standfirst="What the new tariffs mean for anode makers.",
        body="The confidential assessment SECRETBODYWORD says anode supply is at risk.",
        visibility=Post.Visibility.MEMBERS,
    )
