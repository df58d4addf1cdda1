"""The public petition page and the list: content, states, escaping, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from petitions import services
from petitions.models import Endorsement, Petition, Signature
from petitions.services import sort_name
from tests import factories
from tests.support.mfa import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def _bulk_endorsements(petition: Petition, count: int) -> None:
    now = timezone.now()
    states = ["MI", "TX", "CA", "NV", "PA", "NY", "MN", "AZ"]
    Endorsement.objects.bulk_create(
        Endorsement(
            petition=petition,
            organization_name=f"Coalition {n:05d}",
            sort_name=sort_name(f"Coalition {n:05d}"),
            scope="national" if n % 5 == 0 else "state",
            state="" if n % 5 == 0 else states[n % len(states)],
            website="https://coalition.example",
            contact_name="C",
            contact_title="D",
            contact_email=f"c{n}@coalition.example",
            contact_email_normalized=f"c{n}@coalition.example",
            authorized=True,
            status="approved",
            featured=n < 3,
            confirmed_at=now,
        )
        for n in range(count)
    )


def test_petition_page_shows_everything_a_signer_needs(client, petition):
    factories.FAQItemFactory(petition=petition, question="What are Critical Minerals?")
    factories.ResourceFactory(
        petition=petition,
        title="The Deadly Cost of Cobalt Mining in the Congo",
        publisher="Report by Public Citizen and Friends of the Congo",
        published_on=timezone.datetime(2025, 7, 1).date(),
        url="https://www.citizen.example/cobalt",
    )
    factories.SignatureFactory.create_batch(3, petition=petition)

    response = client.get(petition.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<title>{petition.title} · CMA USA</title>" in html
    assert petition.ask in html
    assert "<strong>nickel</strong>" in html  # the body's Markdown, rendered
    assert '<p class="stat">3</p>' in html
    assert f'<progress value="3" max="{petition.signature_goal}"' in html
    assert 'action="/petitions/' in html and "/sign/#sign" in html
    assert "/endorse/#endorse" in html and 'enctype="multipart/form-data"' in html
    assert "What are Critical Minerals?" in html
    assert "Report by Public Citizen and Friends of the Congo, July 2025" in html
    assert "Click here to add your organization" in html
    for network in ("x.com/intent/post", "facebook.com/sharer", "linkedin.com/sharing", "mailto:?"):
        assert network in html
    assert 'name="contact_me_by_fax_only"' in html  # the honeypot


def test_pages_have_no_inline_script_or_style(client, petition):
    factories.EndorsementFactory(petition=petition)
    for url in (
        petition.get_absolute_url(),
        reverse("petitions:list"),
        reverse("petitions:widget", args=[petition.slug]),
        reverse("petitions:check_email", args=[petition.slug]),
    ):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url


def test_names_and_organizations_are_escaped_everywhere(client, petition):
    factories.SignatureFactory(petition=petition, name="<script>alert(1)</script>", show_name=True)
    factories.EndorsementFactory(petition=petition, organization_name="<img src=x onerror=alert(2)>")

    html = client.get(petition.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_markdown_in_the_body_is_sanitised(client):
    petition = factories.PetitionFactory(body="Hello <script>alert(1)</script> [x](javascript:alert(2))")

    html = client.get(petition.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html
    assert "javascript:" not in html


def test_a_closed_petition_shows_the_final_count_and_no_forms(client, petition):
    factories.SignatureFactory.create_batch(2, petition=petition)
    services.petition_close(actor=None, petition=petition)

    html = client.get(petition.get_absolute_url()).content.decode()

    assert "final count" in html
    assert "This petition is closed" in html
    assert "/sign/#sign" not in html and "/endorse/#endorse" not in html
    assert "Click here to add your organization" not in html


def test_a_petition_past_its_closing_time_is_closed_before_the_task_records_it(client):
    petition = factories.PetitionFactory(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(minutes=1)
    )

    html = client.get(petition.get_absolute_url()).content.decode()

    assert petition.status == Petition.Status.OPEN and petition.phase == "closed"
    assert "This petition is closed" in html and "/sign/#sign" not in html


def test_a_petition_not_open_yet_says_when_it_opens(client):
    petition = factories.PetitionFactory(opens_at=timezone.now() + timedelta(days=2))

    html = client.get(petition.get_absolute_url()).content.decode()

    assert "Opening soon" in html and "/sign/#sign" not in html


def test_drafts_are_hidden_from_the_public_and_previewed_by_staff(client, staff_user):
    draft = factories.PetitionFactory(status="draft", published_at=None)

    assert client.get(draft.get_absolute_url()).status_code == 404
    sign_in_with_second_factor(client, staff_user)
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert b"Draft preview" in preview.content
    assert b"/sign/#sign" not in preview.content  # a draft takes no signatures, even from staff


@pytest.mark.parametrize("persona", ["user", "member", "primary_contact", "applicant", "staff_without_mfa"])
def test_drafts_are_404_for_every_persona_but_staff_with_mfa(client, persona, request):
    draft = factories.PetitionFactory(status="draft", published_at=None)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("petitions:widget", args=[draft.slug])).status_code == 404
    assert client.get(reverse("petitions:api", args=[draft.slug])).status_code == 404


def test_petitions_that_take_only_endorsements_have_no_sign_form(client):
    petition = factories.PetitionFactory(accepts=Petition.Accepts.ENDORSEMENTS)

    html = client.get(petition.get_absolute_url()).content.decode()

    assert "/sign/#sign" not in html and "/endorse/#endorse" in html


def test_list_shows_published_petitions_with_counts_and_hides_drafts(client):
    open_one = factories.PetitionFactory(title="Open Petition")
    factories.PetitionFactory(title="Closed Petition", status="closed")  # newer, yet listed after
    factories.PetitionFactory(title="Draft Petition", status="draft")
    factories.SignatureFactory.create_batch(2, petition=open_one)

    html = client.get(reverse("petitions:list")).content.decode()

    assert "Open Petition" in html and "Closed Petition" in html
    assert html.index("Open Petition") < html.index("Closed Petition")  # open ones first
    assert "Draft Petition" not in html
    assert "<strong>2</strong> of 100 signatures" in html


def test_list_empty_state(client):
    assert b"No petitions right now" in client.get(reverse("petitions:list")).content


@pytest.mark.parametrize("endorsements", [10, 2000])
def test_public_page_runs_a_fixed_number_of_queries(client, petition, endorsements, django_assert_max_num_queries):
    _bulk_endorsements(petition, endorsements)
    factories.SignatureFactory.create_batch(12, petition=petition, show_name=True)
    factories.FAQItemFactory.create_batch(3, petition=petition)
    factories.ResourceFactory.create_batch(4, petition=petition)

    # petition, count, recent signers, endorsements, FAQ, resources
    with django_assert_max_num_queries(6):
        response = client.get(petition.get_absolute_url())

    assert response.status_code == 200
    assert response.context["wall"].total == endorsements
    html = response.content.decode()
    assert html.count('<li><a href="https://coalition.example"') == endorsements
    if endorsements > 120:
        assert 'aria-label="Jump to a state"' in html  # folded, with a state index


def test_a_cached_wall_costs_no_query(client, petition, django_assert_max_num_queries):
    _bulk_endorsements(petition, 50)
    client.get(petition.get_absolute_url())

    with django_assert_max_num_queries(5):
        response = client.get(petition.get_absolute_url())

    assert "Coalition 00049" in response.content.decode()


@pytest.mark.parametrize("petitions", [2, 40])
def test_list_runs_a_fixed_number_of_queries(client, petitions, django_assert_max_num_queries):
    for petition in factories.PetitionFactory.create_batch(petitions):
        factories.SignatureFactory(petition=petition)

    with django_assert_max_num_queries(2):  # count for the paginator, the page
        response = client.get(reverse("petitions:list"))

    assert len(response.context["page"].object_list) == min(petitions, 20)


def test_check_email_page_never_reveals_whether_an_address_signed(client, sign, petition):
    first = client.get(sign()["Location"]).content
    second = client.get(sign()["Location"]).content

    assert first == second
    assert b"Check your email" in first
    assert Signature.objects.count() == 1


def test_element_ids_are_unique_on_the_petition_page(client, petition):
    html = client.get(petition.get_absolute_url()).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for target in re.findall(r'\sfor="([^"]+)"', html):
        assert target in ids, target
