"""The embeddable widget (the one framable page) and the cached JSON endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from petitions import services
from tests import factories

from .conftest import link

pytestmark = pytest.mark.django_db


def test_the_widget_may_be_framed_by_other_sites(client, petition):
    factories.SignatureFactory.create_batch(7, petition=petition)

    response = client.get(reverse("petitions:widget", args=[petition.slug]))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<strong>7</strong> signatures" in html
    assert f'<progress value="7" max="{petition.signature_goal}"' in html
    assert "Sign the petition" in html and 'target="_blank"' in html


def test_every_other_petition_page_refuses_framing(client, petition):
    for url in (
        petition.get_absolute_url(),
        reverse("petitions:list"),
        reverse("petitions:check_email", args=[petition.slug]),
        reverse("petitions:api", args=[petition.slug]),
    ):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_the_widget_of_a_closed_petition_shows_the_final_count(client):
    petition = factories.PetitionFactory(status="closed")
    factories.SignatureFactory.create_batch(2, petition=petition)

    html = client.get(reverse("petitions:widget", args=[petition.slug])).content.decode()

    assert "(final)" in html and "This petition is closed" in html


def test_the_json_has_the_count_and_only_approved_endorsements(client, petition):
    factories.SignatureFactory.create_batch(4, petition=petition)
    factories.SignatureFactory(petition=petition, status="unconfirmed", confirmed_at=None)
    factories.EndorsementFactory(petition=petition, organization_name="Sierra Water", scope="national", state="")
    factories.EndorsementFactory(petition=petition, organization_name="Lansing Neighbors", state="MI")
    factories.EndorsementFactory(petition=petition, organization_name="Hidden Pending", status="pending")

    response = client.get(reverse("petitions:api", args=[petition.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["petition"]["signatures"] == 4
    assert data["petition"]["status"] == "open"
    assert data["petition"]["url"].endswith(petition.get_absolute_url())
    assert data["endorsements"]["total"] == 2
    assert [o["name"] for o in data["endorsements"]["national"]] == ["Sierra Water"]
    assert data["endorsements"]["state_or_local"] == [
        {
            "state": "MI",
            "state_name": "Michigan",
            "organizations": [
                {"name": "Lansing Neighbors", "website": "https://coalition.example", "featured": False, "logo": None}
            ],
        }
    ]
    assert "contact" not in response.content.decode()  # contacts are never public


def test_the_json_is_served_from_the_cache(client, petition, django_assert_num_queries):
    factories.EndorsementFactory.create_batch(5, petition=petition)
    client.get(reverse("petitions:api", args=[petition.slug]))

    with django_assert_num_queries(0):
        response = client.get(reverse("petitions:api", args=[petition.slug]))

    assert response.json()["endorsements"]["total"] == 5


@pytest.mark.parametrize("endorsements", [10, 2000])
def test_the_json_costs_a_fixed_number_of_queries(client, petition, endorsements, django_assert_max_num_queries):
    factories.EndorsementFactory.create_batch(endorsements if endorsements < 100 else 0, petition=petition)
    if endorsements >= 100:
        from .test_public_pages import _bulk_endorsements

        _bulk_endorsements(petition, endorsements)

    with django_assert_max_num_queries(3):  # petition, endorsements, count
        response = client.get(reverse("petitions:api", args=[petition.slug]))

    assert response.json()["endorsements"]["total"] == endorsements


def test_changes_clear_the_cached_json_at_once(
    client, sign, petition, mailoutbox, staff_user, django_capture_on_commit_callbacks
):
    url = reverse("petitions:api", args=[petition.slug])
    pending = factories.EndorsementFactory(petition=petition, status="pending", organization_name="Just Approved")
    assert client.get(url).json()["petition"]["signatures"] == 0

    sign()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link(mailoutbox[0], "confirm"))
    assert client.get(url).json()["petition"]["signatures"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.endorsement_approve(actor=staff_user, endorsement=pending)
    assert [o["name"] for o in client.get(url).json()["endorsements"]["state_or_local"][0]["organizations"]] == [
        "Just Approved"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        services.petition_close(actor=staff_user, petition=petition)
    assert client.get(url).json()["petition"]["status"] == "closed"


def test_the_widget_runs_a_fixed_number_of_queries(client, petition, django_assert_max_num_queries):
    factories.EndorsementFactory.create_batch(30, petition=petition)

    with django_assert_max_num_queries(3):
        client.get(reverse("petitions:widget", args=[petition.slug]))
