"""The site every cross-app browser journey walks through (tests/browser/pages.py
lists its main pages per persona).

Long names and addresses on purpose: they are what pushes a phone layout
sideways.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from billing import services as billing_services
from communications import services as communication_services
from communications.audiences import Audience
from events.models import Registration
from notifications import services as notification_services
from notifications.models import Notification, OutgoingEmail
from petitions.models import Endorsement
from tests import factories
from tests.workinggroups import files
from workinggroups import services as group_services
from workinggroups.models import GroupMembership

LONG_ORG = "Appalachian Critical Minerals Processing and Refining Cooperative"
LONG_EMAIL = "procurement.and.compliance@appalachian-critical-minerals-cooperative.example"


@pytest.fixture
def site(settings, tmp_path, member, primary_contact, applicant, staff_user, django_capture_on_commit_callbacks):
    """A small association: an organization with people, events with
    registrants, a working group with a document and requests, a petition
    with endorsements to moderate, a charter, notifications."""
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.CharterVersionFactory()

    org = primary_contact.organization_roles.get().organization
    org.name, org.legal_name = LONG_ORG, f"{LONG_ORG}, Inc."
    org.save()
    for name, email in [("Kim Nguyen-Castellanos", LONG_EMAIL), ("Sam Ortiz", "sam.ortiz@acmprc.example")]:
        factories.OrganizationMemberFactory(organization=org, user=factories.UserFactory(name=name, email=email))

    start = (timezone.now() + datetime.timedelta(days=10)).replace(hour=18, minute=0, second=0, microsecond=0)
    event = factories.EventFactory(
        title="Members' Briefing: Gallium and Germanium Export Controls and the Supply Chain",
        slug="gallium-germanium-briefing",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=3,
    )
    question = factories.RegistrationQuestionFactory(event=event, label="Which permitting issue matters most?")
    factories.RegistrationFactory(
        event=event, user=member, answers=[{"question_id": question.pk, "answer": "Processing capacity"}]
    )
    factories.RegistrationFactory(event=event, user=factories.UserFactory(email=LONG_EMAIL.replace("@", ".2@")))
    factories.RegistrationFactory(event=event, user=factories.UserFactory(), status=Registration.Status.WAITLISTED)
    past = factories.EventFactory(
        kind="workshop",
        starts_at=timezone.now() - datetime.timedelta(days=20),
        ends_at=timezone.now() - datetime.timedelta(days=20, hours=-3),
    )
    factories.RegistrationFactory(event=past, user=member, attended_at=past.ends_at)

    group = factories.WorkingGroupFactory(name="Trade Policy and International Agreements Working Group")
    factories.group_member(group, role=GroupMembership.Role.CHAIR)
    factories.group_member(group, user=member)
    factories.GroupMembershipFactory(
        group=group, status=GroupMembership.Status.REQUESTED, joined_at=None, message="We process cobalt in Ohio."
    )
    with django_capture_on_commit_callbacks(execute=True):
        document = group_services.document_create(
            actor=member,
            group=group,
            title="Draft comments on USTR-2026-03868 (plurilateral critical minerals agreement)",
            upload=group_services.check_upload(_pdf("cma-ustr-comments-on-the-plurilateral-agreement-v2.pdf")),
            tags=["USTR-2026-03868", "draft"],
        )

    petition = factories.PetitionFactory(
        title="Critical Minerals Agreements Must Prioritize Labor, Environmental and Human Rights"
    )
    factories.FAQItemFactory(petition=petition)
    factories.ResourceFactory(petition=petition)
    factories.SignatureFactory.create_batch(3, petition=petition, show_name=True)
    factories.EndorsementFactory(petition=petition, organization_name=LONG_ORG, scope="national", state="")
    pending = factories.EndorsementFactory(
        petition=petition,
        organization_name="Great Lakes Environmental Justice and Mining Accountability Coalition",
        contact_email=LONG_EMAIL,
        status=Endorsement.Status.PENDING,
        moderated_at=None,
    )

    post = factories.PostFactory(
        title="Securing a “Made in America” Supply Chain for Critical Minerals and Processing Capacity",
        slug="securing-a-made-in-america-supply-chain",
        body="## Increase domestic production\n\nThe United States imports more than half its cobalt.[^1]\n\n[^1]: USGS.",
    )
    post.minerals.add(factories.mineral_tag("neodymium"))
    post.working_groups.add(group)
    post.events.add(event)
    members_post = factories.PostFactory(title="Members’ briefing: pooled demand", visibility="members")
    members_post.minerals.add(factories.mineral_tag("neodymium"))
    Notification.objects.create(
        user=member, category="events", title=f"You're registered for {event.title}", dedupe_key="layout:1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = communication_services.message_create(
            actor=staff_user, audience=Audience(kind="members"), kind="announcement",
            subject="Comments due on the plurilateral critical minerals agreement (USTR-2026-03868)",
            body="## What we ask\n\nSend your comments to the **Trade Policy Working Group** by Friday.",
            cta_label="Read the draft", cta_url="https://portal.cma-usa.example/groups/",
        )  # fmt: skip
        communication_services.message_send(actor=staff_user, message=message)
    delivered = OutgoingEmail.objects.filter(shared_body__message=message, recipient=member.email).get()
    membership = org.current_membership
    invoice = billing_services.invoice_issue(
        actor=None, organization=org, membership=membership, tier=membership.tier, kind="renewal",
        period_start=membership.ends_on + datetime.timedelta(days=1),
    )  # fmt: skip
    billing_services.payment_record(
        actor=None, invoice=invoice, amount=invoice.total / 4, method="check", received_on=invoice.issued_on,
        reference="Check 1042",
    )  # fmt: skip
    return {
        "org": org,
        "event": event,
        "group": group,
        "document": document,
        "petition": petition,
        "pending": pending,
        "message": message,
        "unsubscribe": notification_services.unsubscribe_path(notification_services.token_for(delivered)),
        "post": post,
        "members_post": members_post,
        "invoice": invoice,
        "application": applicant.applications.get(),
        "people": {
            "member": member,
            "primary contact": primary_contact,
            "applicant": applicant,
            "staff": staff_user,
        },
    }


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, files.pdf(), content_type="application/pdf")
