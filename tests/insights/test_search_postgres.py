"""Full-text search on PostgreSQL: ranked (title above standfirst above body),
websearch syntax, and members-only bodies searched only for their readers."""

from __future__ import annotations

import pytest
from django.db import connection

from insights import selectors
from insights.models import Post
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="full-text search is PostgreSQL's"),
]


def _titles(q: str, *, member_reader: bool) -> list[str]:
    found = selectors.posts_for_index(selectors.IndexFilter(q=q), member_reader=member_reader)
    return [post.title for post in found]


def test_a_title_match_ranks_above_a_standfirst_match_above_a_body_match():
    assert connection.vendor == "postgresql"
    factories.PostFactory(title="Trade news", standfirst="Weekly roundup.", body="Graphite anodes are imported.")
    factories.PostFactory(title="Anode supply", standfirst="Graphite from one country.", body="Text.")
    factories.PostFactory(title="Graphite: the anode bottleneck", standfirst="Why.", body="Text.")
    factories.PostFactory(title="Cobalt", standfirst="Congo.", body="Nothing about the other one.")
    assert _titles("graphite", member_reader=False) == [
        "Graphite: the anode bottleneck",
        "Anode supply",
        "Trade news",
    ]


def test_stemming_and_websearch_syntax():
    factories.PostFactory(title="Recycling batteries", body="Recycled cobalt.")
    factories.PostFactory(title="Mining cobalt", body="Mines.")
    assert _titles("recycle", member_reader=False) == ["Recycling batteries"]
    assert _titles('cobalt -"recycling batteries"', member_reader=False) == ["Mining cobalt"]
    assert set(_titles("cobalt OR nothingmatches", member_reader=False)) == {"Mining cobalt", "Recycling batteries"}
    for hostile in ["a:* & !b", "'; DROP TABLE insights_post; --", "((((", "<-> <2>", "\\"]:
        _titles(hostile, member_reader=False)
    assert Post.objects.count() == 2


def test_members_only_bodies_are_searched_only_for_their_readers():
    factories.PostFactory(title="Members briefing", body="Tungsten stockpile assessment.", visibility="members")
    assert _titles("tungsten", member_reader=False) == []
    assert _titles("tungsten", member_reader=True) == ["Members briefing"]
    assert _titles("briefing", member_reader=False) == ["Members briefing"]  # the title is public
