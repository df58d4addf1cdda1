"""Pages per persona: what each may see of organizations' entries, the
matrix and its drill-down, the organization's own page, and staff edits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cma.models import AuditEntry
from minerals import selectors, services
from minerals.models import Fact, Involvement, Mineral
from tests import factories

from .conftest import person_of_member_org, signed_in

pytestmark = pytest.mark.django_db

V = Involvement.Visibility


@pytest.fixture
def entries(lithium):
    """One organization per visibility, at lithium processing."""
    made = {}
    for visibility in V.values:
        org = factories.MembershipFactory(organization__name=f"{visibility.title()} Lithium Co").organization
        made[visibility] = factories.InvolvementFactory(organization=org, mineral=lithium, visibility=visibility)
    return made


def names_in(response) -> set[str]:
    body = response.content.decode()
    return {v for v in V.values if f"{v.title()} Lithium Co" in body}


def test_public_index_and_page_show_the_seed_figures(client):
    index = client.get(reverse("minerals:index"), {"sort": "reliance"})
    assert index.status_code == 200
    body = index.content.decode()
    assert body.index("Graphite") < body.index("Lithium")  # 100% before 50%
    page = client.get(reverse("minerals:detail", args=["lithium"])).content.decode()
    assert "50%" in page and "Chile and Argentina." in page and "Mineral Commodity Summaries 2026" in page
    assert "<svg" in index.content.decode() and "as a table" in body


def test_index_filters_by_group_and_end_use(client):
    body = client.get(reverse("minerals:index"), {"group": "rare-earths"}).content.decode()
    assert "Yttrium" in body and "Lithium</a>" not in body
    body = client.get(reverse("minerals:index"), {"end_use": "medical"}).content.decode()
    assert "Gadolinium" in body and "Copper</a>" not in body


def test_bad_filters_are_ignored_not_errors(client):
    assert client.get(reverse("minerals:index"), {"sort": "<x>", "group": "nope"}).status_code == 200
    assert client.get(reverse("minerals:directory"), {"mineral": "nope", "stage": "x"}).status_code == 200


def test_unknown_mineral_is_404(client):
    assert client.get(reverse("minerals:detail", args=["unobtainium"])).status_code == 404


def test_mineral_page_names_organizations_by_persona(client, member_client, staff_client, entries, user):
    url = reverse("minerals:detail", args=["lithium"])
    assert names_in(client.get(url)) == {"public"}
    assert names_in(signed_in(user).get(url)) == {"public"}
    assert names_in(member_client.get(url)) == {"public", "members"}
    assert names_in(staff_client.get(url)) == {"public", "members", "staff", "aggregate"}


def test_an_organization_always_sees_its_own_entry(entries):
    user = factories.UserFactory()
    factories.OrganizationMemberFactory(organization=entries["staff"].organization, user=user)
    assert "staff" in names_in(signed_in(user).get(reverse("minerals:detail", args=["lithium"])))


def test_directory_filters_by_mineral_and_stage(member_client, entries, lithium):
    url = reverse("minerals:directory")
    assert names_in(member_client.get(url, {"mineral": "lithium", "stage": "processing"})) == {"public", "members"}
    assert names_in(member_client.get(url, {"mineral": "lithium", "stage": "recycling"})) == set()
    assert names_in(member_client.get(url, {"mineral": "cobalt"})) == set()


def test_matrix_is_for_members_and_staff_until_published(
    client, user, member_client, staff_client, staff_user, entries
):
    url = reverse("minerals:coverage")
    assert client.get(url).status_code == 403
    assert signed_in(user).get(url).status_code == 403
    assert member_client.get(url).status_code == 200
    services.matrix_publish(actor=staff_user, public=True)
    public = client.get(url)
    assert public.status_code == 200
    assert reverse("minerals:cell", args=["lithium", "processing"]) not in public.content.decode()


def test_matrix_counts_respect_visibility(entries):
    def cell(scope):
        matrix = selectors.coverage_matrix(scope=scope)
        row = next(r for r in matrix.rows if r.mineral.slug == "lithium")
        return next(c for c in row.cells if c.stage == "processing")

    assert cell("members").count == 3  # staff-only is not counted
    assert cell("staff").count == 4
    assert cell("public").count == 3


def test_matrix_marks_a_gap_where_reliance_is_high_and_nobody_processes(entries):
    matrix = selectors.coverage_matrix(scope="members")
    graphite = next(r for r in matrix.rows if r.mineral.slug == "graphite")
    assert next(c for c in graphite.cells if c.stage == "processing").gap
    lithium = next(r for r in matrix.rows if r.mineral.slug == "lithium")
    assert not next(c for c in lithium.cells if c.stage == "processing").gap


def test_drill_down_lists_only_what_the_viewer_may_see(member_client, staff_client, client, staff_user, entries):
    url = reverse("minerals:cell", args=["lithium", "processing"])
    assert names_in(member_client.get(url)) == {"public", "members"}
    assert names_in(staff_client.get(url)) == set(V.values)
    services.matrix_publish(actor=staff_user, public=True)
    assert client.get(url).status_code == 403


def test_tampered_drill_down_urls_reveal_nothing(member_client, entries):
    assert member_client.get(reverse("minerals:cell", args=["lithium", "bogus"])).status_code == 404
    assert member_client.get(reverse("minerals:cell", args=["nope", "processing"])).status_code == 404
    assert names_in(
        member_client.get(reverse("minerals:cell", args=["lithium", "processing"]) + "?visibility=staff")
    ) == {"public", "members"}


def test_matrix_csv_per_persona(client, member_client, staff_client, entries):
    url = reverse("minerals:coverage_csv")
    assert client.get(url).status_code == 403
    member_rows = b"".join(member_client.get(url).streaming_content).decode().splitlines()
    staff_rows = b"".join(staff_client.get(url).streaming_content).decode().splitlines()
    assert member_rows[0].lstrip("\ufeff").startswith("Mineral,Import reliance")
    lithium_member = next(r for r in member_rows if r.startswith("Lithium,"))
    lithium_staff = next(r for r in staff_rows if r.startswith("Lithium,"))
    assert lithium_member.split(",")[4] == "3" and lithium_staff.split(",")[4] == "4"
    assert "Lithium Co" not in "".join(staff_rows)


def bulk_members(count: int, mineral: Mineral) -> None:
    """`count` member organizations with one entry each, in a few queries."""
    import datetime

    from members.models import Membership, Organization
    from minerals.models import Stage

    organizations = Organization.objects.bulk_create(
        Organization(name=f"Bulk {i}", slug=f"bulk-{i}") for i in range(count)
    )
    today = datetime.date.today()
    tier = factories.tier()
    Membership.objects.bulk_create(
        Membership(
            organization=o, tier=tier, member_since=today, starts_on=today, ends_on=today + datetime.timedelta(days=365)
        )
        for o in organizations
    )
    stages = Stage.values
    Involvement.objects.bulk_create(
        Involvement(organization=o, mineral=mineral, stage=stages[i % len(stages)], visibility="members")
        for i, o in enumerate(organizations)
    )


@pytest.mark.parametrize("count", [10, 5000])
def test_matrix_query_count_does_not_grow(member_client, django_assert_num_queries, count, lithium):
    bulk_members(count, lithium)
    from django.core.cache import cache

    member_client.get(reverse("minerals:coverage"))  # warm the session
    cache.clear()
    # Signed-in member's request, then the counts and the minerals.
    with django_assert_num_queries(6):
        response = member_client.get(reverse("minerals:coverage"))
    assert response.status_code == 200
    total = sum(
        c.count for c in next(r for r in selectors.coverage_matrix(scope="members").rows if r.mineral == lithium).cells
    )
    assert total == count
    assert reverse("minerals:cell", args=["lithium", "processing"]) in response.content.decode()


def test_primary_contact_declares_stages_on_the_organizations_page(primary_contact, lithium):
    organization = primary_contact.organization_roles.get().organization
    browser = signed_in(primary_contact)
    url = reverse("minerals:organization", args=[organization.slug])
    response = browser.post(
        url,
        {
            "mineral": "lithium",
            "stages": ["processing", "recycling"],
            "visibility": "public",
            "capacity": "",
            "unit": "t",
        },
    )
    assert response.status_code == 302
    assert set(Involvement.objects.filter(organization=organization).values_list("stage", flat=True)) == {
        "processing",
        "recycling",
    }


def test_organization_page_rejects_a_wrong_unit_and_negative_capacity(primary_contact, lithium):
    organization = primary_contact.organization_roles.get().organization
    url = reverse("minerals:organization", args=[organization.slug])
    response = signed_in(primary_contact).post(
        url, {"mineral": "lithium", "stages": ["mining"], "visibility": "public", "capacity": "10", "unit": "ozt"}
    )
    assert response.status_code == 400 and "metric tons" in response.content.decode()
    response = signed_in(primary_contact).post(
        url, {"mineral": "lithium", "stages": ["mining"], "visibility": "public", "capacity": "-1", "unit": "t"}
    )
    assert response.status_code == 400
    assert not Involvement.objects.exists()


def test_organization_page_refuses_others(client, user, member, lithium):
    _, organization = person_of_member_org(role="primary")
    url = reverse("minerals:organization", args=[organization.slug])
    assert client.get(url).status_code == 302
    assert signed_in(user).get(url).status_code == 404
    assert signed_in(member).get(url).status_code == 404
    representative = factories.UserFactory()
    factories.OrganizationMemberFactory(organization=organization, user=representative)
    assert signed_in(representative).get(url).status_code == 403


def test_removing_another_organizations_entry_is_not_found(primary_contact, entries):
    organization = primary_contact.organization_roles.get().organization
    url = reverse("minerals:organization", args=[organization.slug])
    response = signed_in(primary_contact).post(url, {"remove": entries["staff"].pk})
    assert response.status_code == 404
    assert Involvement.objects.filter(pk=entries["staff"].pk).exists()


def test_staff_edit_is_audited(staff_client):
    url = reverse("staff:minerals:edit", args=["cobalt"])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "m-name": "Cobalt",
            "m-symbol": "Co",
            "m-group": "base-alloying",
            "m-uses": "Batteries.",
            "m-unit": "t",
            "m-on_usgs_2025_list": "on",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="minerals.mineral_update")
    assert entry.data["changes"]["uses"][1] == "Batteries."


def test_a_fact_without_a_source_is_refused(staff_client):
    url = reverse("staff:minerals:fact_add", args=["nickel"])
    response = staff_client.post(
        url,
        {
            "f-kind": "import-reliance",
            "f-percent": "40",
            "f-text": "A figure",
            "f-source": "",
            "f-source_date": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert Mineral.objects.get(slug="nickel").import_reliance is None


def test_a_cited_fact_updates_the_reliance_and_the_history(staff_client):
    url = reverse("staff:minerals:fact_add", args=["nickel"])
    response = staff_client.post(url, {"f-kind": "import-reliance", "f-percent": "40", "f-text": "U.S. net import reliance of 40%.",
                                       "f-source": "USGS Mineral Commodity Summaries 2026", "f-source_date": "2026-03-01"})  # fmt: skip
    assert response.status_code == 302
    assert Mineral.objects.get(slug="nickel").import_reliance == 40
    fact = Fact.objects.get(mineral__slug="nickel", kind="import-reliance")
    staff_client.post(reverse("staff:minerals:fact_remove", args=["nickel", fact.pk]))
    assert Mineral.objects.get(slug="nickel").import_reliance is None
    assert list(
        AuditEntry.objects.filter(action__startswith="minerals.fact").values_list("action", flat=True).order_by("pk")
    ) == ["minerals.fact_add", "minerals.fact_remove"]


@pytest.mark.parametrize("name", ["staff:minerals:home", "staff:minerals:entries", "staff:minerals:demand_csv"])
def test_staff_pages_refuse_everyone_but_staff(
    client, user, member, primary_contact, staff_without_mfa, staff_client, name
):
    url = reverse(name)
    assert client.get(url).status_code == 302
    for person in (user, member, primary_contact):
        assert signed_in(person).get(url).status_code == 403
    assert signed_in(staff_without_mfa).get(url).status_code == 302
    assert staff_client.get(url).status_code == 200


def test_staff_verify_an_entry(staff_client, entries):
    entry = entries["members"]
    assert staff_client.post(reverse("staff:minerals:verify", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.verified_at is not None


def test_tags_connect_groups_and_petitions_to_the_mineral_page(client, staff_user, lithium):
    group = factories.WorkingGroupFactory(name="Battery Materials Working Group")
    services.mineral_update(actor=staff_user, mineral=lithium, data={}, tags={"working_groups": [group.pk]})
    assert (
        "Battery Materials Working Group" in client.get(reverse("minerals:detail", args=["lithium"])).content.decode()
    )


def test_follow_and_unfollow(member_client, member, lithium):
    url = reverse("minerals:follow", args=["lithium"])
    member_client.post(url, {"follow": "1"})
    assert selectors.is_following(member, lithium)
    member_client.post(url, {"follow": "0"})
    assert not selectors.is_following(member, lithium)


@pytest.mark.parametrize("count", [10, 1000])
def test_mineral_page_query_count_does_not_grow(member_client, django_assert_num_queries, count, lithium):
    bulk_members(count, lithium)
    Involvement.objects.update(visibility="public")
    from django.core.cache import cache

    url = reverse("minerals:detail", args=["lithium"])
    member_client.get(url)
    cache.clear()
    # A cache miss: minerals' own 13, and insights' "Related insights" (its
    # one query, through minerals.signals).
    with django_assert_num_queries(14):
        member_client.get(url)
    with django_assert_num_queries(5):  # the mineral, its facts, tags, rounds and member list from the cache
        response = member_client.get(url)
    body = response.content.decode()
    assert body.count("<strong>Bulk ") == min(count, 40)
    assert ("See every organization working with Lithium" in body) == (count > 40)


def test_the_matrix_is_kept_per_scope_and_forgotten_on_a_change(
    member_client, primary_contact, django_assert_num_queries, django_capture_on_commit_callbacks, lithium
):
    url = reverse("minerals:coverage")
    member_client.get(url)
    with django_assert_num_queries(4):  # the signed-in request alone: the matrix comes from the cache
        member_client.get(url)
    organization = primary_contact.organization_roles.get().organization
    browser = signed_in(primary_contact)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("minerals:organization", args=[organization.slug]),
                     {"mineral": "lithium", "stages": ["recycling"], "visibility": "members", "unit": "t"})  # fmt: skip
    page = member_client.get(url).content.decode()
    assert reverse("minerals:cell", args=["lithium", "recycling"]) in page


def test_a_new_fact_shows_at_once_on_the_cached_page(client, staff_client, django_capture_on_commit_callbacks):
    url = reverse("minerals:detail", args=["nickel"])
    assert "U.S. net import reliance of 40%." not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("staff:minerals:fact_add", args=["nickel"]), {
            "f-kind": "import-reliance", "f-percent": "40", "f-text": "U.S. net import reliance of 40%.",
            "f-source": "USGS Mineral Commodity Summaries 2026", "f-source_date": "2026-03-01"})  # fmt: skip
    assert "U.S. net import reliance of 40%." in client.get(url).content.decode()


def test_a_new_entry_shows_at_once_on_the_cached_mineral_page(
    client, primary_contact, django_capture_on_commit_callbacks
):
    url = reverse("minerals:detail", args=["graphite"])
    organization = primary_contact.organization_roles.get().organization
    assert organization.name not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(primary_contact).post(
            reverse("minerals:organization", args=[organization.slug]),
            {"mineral": "graphite", "stages": ["processing"], "visibility": "public", "unit": "t"},
        )
    assert organization.name in client.get(url).content.decode()
