"""Staff powers need this session's second factor, not just an account that has one.

A staff account with an authenticator, signed in without the code (here:
`force_login`, standing in for a future login path or a fixated session), is
refused on every staff URL: each pattern under /staff/ and /admin/ and every
CSV export, enumerated from the URL resolver, filled with real objects, GET
and POST. The same URLs answer a session that passed the second factor, so
the refusals come from the gate and not from a missing object.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from billing.models import StripeEvent
from billing.services import invoice_issue
from cma.access import is_staff_with_mfa
from cma.models import AuditEntry
from communications.models import Message
from events.models import CalendarFeed
from members.models import CharterAcceptance, Dues, Invitation, MembershipTerm
from notifications.models import BounceEvent, Notification, OutgoingEmail, Suppression
from tests import factories
from tests.support.mfa import as_in_session_that_passed_mfa, current_totp_code, sign_in_with_second_factor
from workinggroups.models import Activity, Comment, Document, DocumentTag, GroupMembership

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


# --- The URLs -----------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    """(route, qualified name) of every URL pattern, walking includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, route, inner)
        else:
            yield route, f"{namespace}{entry.name}" if entry.name else None


def staff_patterns() -> list[tuple[str, str | None]]:
    return [(route, name) for route, name in _patterns() if route.startswith(("staff/", "admin/")) or ".csv" in route]


def _admin_path(name: str, world: dict) -> str:
    """The admin's URLs that are not plain routes, reversed by their Django-given names."""
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "members"})
    if name == "admin:view_on_site":
        petition = world["petition"]  # a model with a page on the site
        return reverse(name, args=[ContentType.objects.get_for_model(petition).pk, petition.pk])
    raise AssertionError(f"an admin URL this test cannot fill yet: {name}")


def _fill(route: str, world: dict) -> str:
    """The path of a staff route, each parameter naming a real object: chosen
    by the route's text before the parameter (URL names are being renamed;
    paths are what the refusal is about)."""
    values = []
    for match in PARAMETER.finditer(route):
        key = (PARAMETER.sub("<>", route[: match.start()]), match.group(1))
        assert key in world["parameters"], f"a staff URL this test cannot fill yet: {route} ({key})"
        values.append(str(world["parameters"][key]))
    return "/" + PARAMETER.sub(lambda _: values.pop(0), route)


def staff_paths(world: dict) -> list[str]:
    paths = []
    for route, name in staff_patterns():
        if name in ("admin:app_list", "admin:view_on_site"):
            paths.append(_admin_path(name, world))
        elif route.startswith("admin/") and name is None:  # the admin's catch-all
            paths.append("/admin/no-such-page/")
        else:
            path = _fill(route, world)
            assert resolve(path).route == route, f"{path} does not resolve to {route}"
            paths.append(path)
    return paths


# --- The world ----------------------------------------------------------------


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = factories.StaffFactory()
    contact = factories.PrimaryContactFactory()
    organization = contact.organization
    membership = organization.membership
    term = MembershipTerm.objects.create(
        membership=membership, tier=membership.tier, starts_on=membership.starts_on, ends_on=membership.ends_on
    )
    dues = Dues.objects.create(
        term=term, invoice_number="CMA-2026-0001", amount=membership.tier.annual_dues, issued_on=membership.starts_on
    )
    charter = factories.CharterVersionFactory()
    draft_charter = factories.CharterVersionFactory(published_at=None)
    CharterAcceptance.objects.create(organization=organization, version=charter, accepted_by=contact.user)
    Invitation.objects.create(organization=organization, email="colleague@example.org", invited_by=contact.user)
    application = factories.ApplicationFactory(status="submitted")
    event = factories.EventFactory()
    registration = factories.RegistrationFactory(event=event, user=contact.user)
    CalendarFeed.objects.create(user=contact.user, token="feed-token-for-the-gate-test")
    group = factories.WorkingGroupFactory(name="Trade Policy Working Group")
    chair = factories.group_member(group, role=GroupMembership.Role.CHAIR)
    document = Document.objects.create(group=group, title="Comments on the rule", created_by=chair)
    document.tags.add(DocumentTag.objects.create(name="Tariffs", slug="tariffs"))
    Comment.objects.create(document=document, author=chair, body="Agreed.")
    Activity.objects.create(group=group, actor=chair, kind=Activity.Kind.choices[0][0], document=document)
    petition = factories.PetitionFactory()
    factories.SignatureFactory(petition=petition)
    endorsement = factories.EndorsementFactory(petition=petition)
    Notification.objects.create(user=contact.user, category="test", title="Hello", dedupe_key="gate-test:1")
    OutgoingEmail.objects.create(
        recipient=contact.user.email, category="test", subject="Hello", body_text="Hi.", dedupe_key="gate-test:1"
    )
    AuditEntry.objects.create(
        actor=staff,
        action="test.created",
        content_type=ContentType.objects.get_for_model(petition),
        object_id=str(petition.pk),
        object_repr=str(petition),
    )
    Group.objects.create(name="Editors")
    Suppression.objects.create(email="gone@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    BounceEvent.objects.create(email="gone@example.org", kind=BounceEvent.Kind.HARD)
    message = Message.objects.create(created_by=staff, subject="Roundtable news", body="Hello.")
    post = factories.PostFactory(created_by=staff)
    post.minerals.add(factories.mineral_tag("lithium"))
    invoice = invoice_issue(
        actor=staff, organization=organization, membership=membership, tier=membership.tier, kind="renewal",
        period_start=membership.ends_on + datetime.timedelta(days=1),
    )  # fmt: skip
    StripeEvent.objects.create(event_id="evt_gate_test", type="checkout.session.completed")

    # The admin's object pages (change, delete, history, password) name a real row of their model.
    admin_rows = {}
    for model in admin.site._registry:
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"make a row of {model._meta.label} in this world"
        for parameter in ("object_id", "id"):
            admin_rows[(f"admin/{model._meta.app_label}/{model._meta.model_name}/", parameter)] = row.pk
    return {
        "staff": staff,
        "petition": petition,
        "parameters": {
            **admin_rows,
            ("staff/members/applications/", "pk"): application.pk,
            ("staff/members/applications/<>/", "action"): "approve",
            ("staff/members/memberships/", "pk"): membership.pk,
            ("staff/members/dues/", "pk"): dues.pk,
            ("staff/members/charter/", "pk"): draft_charter.pk,
            ("staff/events/", "pk"): event.pk,
            ("staff/events/registrations/", "pk"): registration.pk,
            ("staff/groups/", "slug"): group.slug,
            ("groups/", "slug"): group.slug,
            ("staff/petitions/endorsements/", "pk"): endorsement.pk,
            ("staff/petitions/", "pk"): petition.pk,
            ("staff/communications/", "pk"): message.pk,
            ("staff/communications/<>/", "action"): "cancel",
            ("staff/insights/", "pk"): post.pk,
            ("staff/insights/<>/", "action"): "archive",
            ("staff/billing/invoices/", "pk"): invoice.pk,
            ("staff/billing/by-number/", "number"): invoice.number,
            ("staff/reports/", "slug"): "pipeline",
            **_minerals_parameters(staff),
        },
    }


def _minerals_parameters(staff) -> dict:
    from minerals.models import DemandRound, Fact

    entry = factories.InvolvementFactory()
    round_ = factories.DemandRoundFactory(opened_by=staff)
    fact = Fact.objects.filter(mineral__slug="lithium").order_by("pk").first()
    return {
        ("staff/minerals/entries/", "pk"): entry.pk,
        ("staff/minerals/rounds/", "pk"): DemandRound.objects.get(pk=round_.pk).pk,
        ("staff/minerals/", "slug"): "lithium",
        ("staff/minerals/<>/facts/", "pk"): fact.pk,
    }


def snapshot() -> dict:
    """Every row of every table but the sessions."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session and model._meta.managed
    }


# --- Tests --------------------------------------------------------------------


def test_password_only_staff_session_is_refused_on_every_staff_url(world):
    paths = staff_paths(world)
    assert len(paths) == len(staff_patterns())
    password_only = Client()
    password_only.force_login(world["staff"])  # the account has an authenticator; this session never used it
    before = snapshot()

    allowed, not_sent_to_enter_a_code = [], []
    for path in paths:
        for method in ("get", "post"):
            response = getattr(password_only, method)(path)
            answer = f"{method.upper()} {path} → {response.status_code}"
            if 200 <= response.status_code < 300:
                allowed.append(answer)
            if path.startswith(("/staff/", "/admin/")) and not (
                response.status_code == 302
                and response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")
            ):
                not_sent_to_enter_a_code.append(answer)

    assert allowed == []
    assert not_sent_to_enter_a_code == []
    assert snapshot() == before


def test_the_same_urls_answer_a_session_that_passed_the_second_factor(world):
    """The control: the refusals above come from the gate, not from URLs that
    name nothing (a missing object would refuse anyone)."""
    client = Client()
    sign_in_with_second_factor(client, world["staff"])
    admin_index = reverse("admin:index")

    not_found = []
    for path in staff_paths(world):
        if path in ("/admin/no-such-page/", reverse("admin:login")):  # staff signed in are sent on from the login
            continue
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        gone_to_admin_index = response.status_code == 302 and response["Location"] == admin_index
        if response.status_code == 404 or gone_to_admin_index or response.status_code >= 500:
            not_found.append(f"{path} → {response.status_code}")
        assert not response.get("Location", "").startswith(reverse("mfa_reauthenticate")), path

    assert not_found == []


def test_password_only_staff_is_sent_to_enter_a_code_and_comes_back(client, world):
    staff = world["staff"]
    client.force_login(staff)

    refused = client.get("/staff/petitions/", follow=True)

    assert refused.redirect_chain[0] == (f"{reverse('mfa_reauthenticate')}?next=%2Fstaff%2Fpetitions%2F", 302)
    assert refused.status_code == 200
    assert "Enter a code from your authenticator app" in refused.content.decode()

    entered = client.post(
        f"{reverse('mfa_reauthenticate')}?next=/staff/petitions/", {"code": current_totp_code(staff.totp_secret)}
    )

    assert entered.status_code == 302
    assert entered["Location"] == "/staff/petitions/"
    assert client.get("/staff/petitions/").status_code == 200


def test_a_refused_form_post_comes_back_to_the_page_it_was_sent_from(client, world):
    client.force_login(world["staff"])
    page = "http://testserver/staff/petitions/moderation/"
    endorsement_pk = world["parameters"][("staff/petitions/endorsements/", "pk")]

    response = client.post(f"/staff/petitions/endorsements/{endorsement_pk}/approve/", HTTP_REFERER=page)

    assert (
        response["Location"]
        == f"{reverse('mfa_reauthenticate')}?next=http%3A%2F%2Ftestserver%2Fstaff%2Fpetitions%2Fmoderation%2F"
    )
    response = client.post(
        f"/staff/petitions/endorsements/{endorsement_pk}/approve/", HTTP_REFERER="https://elsewhere.example/"
    )
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fstaff%2F"


def test_signing_in_through_the_login_page_with_a_code_reaches_staff_pages(client, world):
    staff = world["staff"]

    to_code = client.post(reverse("account_login"), {"login": staff.email, "password": factories.DEFAULT_PASSWORD})
    assert to_code["Location"] == reverse("mfa_authenticate")
    assert client.get("/staff/").status_code == 302  # not signed in yet
    signed_in = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(staff.totp_secret)})

    assert signed_in.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_staff_powers_outside_staff_pages_need_the_code_too(world):
    draft = factories.PetitionFactory(status="draft", published_at=None)
    password_only = Client()
    password_only.force_login(world["staff"])
    with_code = Client()
    sign_in_with_second_factor(with_code, world["staff"])

    assert password_only.get(draft.get_absolute_url()).status_code == 404
    assert with_code.get(draft.get_absolute_url()).status_code == 200


def test_only_a_user_marked_by_a_session_that_passed_the_code_is_staff_with_mfa(world):
    staff = world["staff"]  # loaded outside any request: nobody vouched for a session

    assert is_staff_with_mfa(staff) is False
    assert is_staff_with_mfa(as_in_session_that_passed_mfa(staff)) is True


def test_another_accounts_second_factor_in_the_session_counts_for_nothing(world):
    """allauth keeps the records per account: one person's code does not
    vouch for whoever signs in next in the same browser."""
    first, second = world["staff"], factories.StaffFactory()
    client = Client()
    sign_in_with_second_factor(client, first)
    session = client.session
    records = session["account_authentication_methods"]
    client.force_login(second)  # a new account in the same browser, no code
    session = client.session
    session["account_authentication_methods"] = records  # the first account's records carried over
    session.save()

    assert client.get("/staff/")["Location"].startswith(reverse("mfa_reauthenticate"))


def test_a_second_factor_recorded_yesterday_in_this_session_still_counts(world):
    """The rule is 'this session passed it', not 'recently': sessions expire on their own."""
    client = Client()
    sign_in_with_second_factor(client, world["staff"])
    session = client.session
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] = (timezone.now() - datetime.timedelta(days=1)).timestamp()
    session["account_authentication_methods"] = records
    session.save()

    assert client.get("/staff/").status_code == 200
