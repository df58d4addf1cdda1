"""Insights: posts, and the minerals they are tagged with."""

from __future__ import annotations

import factory
from django.utils import timezone

from insights.models import Post
from minerals.models import Group, Mineral

from .accounts import StaffFactory

__all__ = ["PostFactory", "mineral_tag"]


def mineral_tag(slug: str, name: str = "") -> Mineral:
    """A mineral to tag posts with: the reference's (loaded by the minerals
    data migration), or a new one for a slug the reference lacks."""
    mineral, _ = Mineral.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.replace("-", " ").capitalize(), "group": Group.INDUSTRIAL}
    )
    return mineral


class PostFactory(factory.django.DjangoModelFactory):
    """A published public article unless told otherwise (status, visibility)."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    kind = Post.Kind.ARTICLE
    title = factory.Sequence(lambda n: f"Critical minerals briefing {n}")
    slug = factory.Sequence(lambda n: f"briefing-{n}")
    standfirst = "What the association makes of the week's supply-chain news."
    body = "## Context\n\nThe United States relies on imports for many critical minerals."
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(StaffFactory)

    @factory.post_generation
    def searchable(obj, create, extracted, **kwargs):
        if create:
            from insights.services import index_for_search

            index_for_search(obj)
