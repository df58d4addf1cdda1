"""Applications: drafts, submission, the review transitions, approval."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cma.audit import audit, history_of
from cma.errors import Conflict, Refused
from cma.http import absolute_url
from notifications.services import notify, notify_staff

from ..models import Application, CharterAcceptance, Membership, Organization, OrganizationMember, Segment, User
from ..selectors import current_charter
from .terms import membership_start_or_renew

Role = OrganizationMember.Role
AppStatus = Application.Status

APPLICATION_FIELDS = [
    "org_name", "legal_name", "website", "description", "hq_city", "hq_state", "hq_country",
    "size_band", "tier", "contact_name", "contact_title", "contact_phone", "statement", "public_listing",
]  # fmt: skip

# action: (states it may start from, state it leads to)
_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((AppStatus.DRAFT, AppStatus.INFO_REQUESTED), AppStatus.SUBMITTED),
    "start_review": ((AppStatus.SUBMITTED,), AppStatus.UNDER_REVIEW),
    "request_info": ((AppStatus.SUBMITTED, AppStatus.UNDER_REVIEW), AppStatus.INFO_REQUESTED),
    "approve": ((AppStatus.SUBMITTED, AppStatus.UNDER_REVIEW), AppStatus.APPROVED),
    "reject": ((AppStatus.SUBMITTED, AppStatus.UNDER_REVIEW), AppStatus.REJECTED),
    "withdraw": (
        (AppStatus.DRAFT, AppStatus.SUBMITTED, AppStatus.UNDER_REVIEW, AppStatus.INFO_REQUESTED),
        AppStatus.WITHDRAWN,
    ),
}
_ACTION_WORDS = {
    "submit": "submit",
    "start_review": "start reviewing",
    "request_info": "ask for more information on",
    "approve": "approve",
    "reject": "reject",
    "withdraw": "withdraw",
}
NOT_YOURS = "This application belongs to someone else."


def _transition(application: Application, action: str, *, actor: User, note: str = "", **fields: Any) -> str:
    """Move the application along one allowed transition, atomically; return
    the state it left. Raises Conflict from any other state. Call inside a
    transaction.

    The state it leaves is read under a row lock (a resubmission is told from
    a first submission by it). The UPDATE still only matches while the row is
    in an allowed state, so two staff members pressing "approve" at once
    change it once even where there are no row locks (SQLite).
    """
    allowed_from, to_state = _TRANSITIONS[action]
    from_state = (
        Application.objects.select_for_update().filter(pk=application.pk).values_list("status", flat=True).first()
    )
    if (
        from_state is None
        or from_state not in allowed_from
        or not Application.objects.filter(pk=application.pk, status__in=allowed_from).update(
            status=to_state, updated_at=timezone.now(), **fields
        )
    ):
        current = Application.objects.filter(pk=application.pk).values_list("status", flat=True).first()
        label = AppStatus(current).label.lower() if current else "gone"
        raise Conflict(f"You can't {_ACTION_WORDS[action]} an application that is {label}.")
    application.refresh_from_db()
    audit(
        actor=actor,
        action=f"application.{action}",
        target=application,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
    return from_state


def application_save_draft(
    *,
    applicant: User,
    data: Mapping[str, Any],
    segments: Iterable[Segment],
    application: Application | None = None,
    organization: Organization | None = None,
) -> Application:
    """Create or update the applicant's application while it is editable.

    `organization` is set when applying for an organization already on file.
    Raises Refused when the application is someone else's, Conflict when it
    is no longer editable.
    """
    with transaction.atomic():
        if application is None:
            application = Application(applicant=applicant, organization=organization)
        else:
            application = Application.objects.select_for_update().get(pk=application.pk)
            if application.applicant_id != applicant.pk:
                raise Refused(NOT_YOURS)
            if not application.is_editable:
                raise Conflict(
                    f"The application is {application.get_status_display().lower()} and can no longer be edited."
                )
        for field in APPLICATION_FIELDS:
            if field in data:
                setattr(application, field, data[field])
        application.save()
        application.segments.set(segments)
    return application


def application_submit(
    *, applicant: User, application: Application, ip_address: str | None, user_agent: str
) -> Application:
    """Submit a draft (or an application sent back for more information).

    The applicant accepts the current charter version by submitting; who,
    when, from which address and browser is recorded. Raises Refused for
    someone else's application; Conflict before the charter is published,
    while a required answer is missing, for a second open application for
    the same organization, and for a new organization whose name is already
    on file.

    Tells staff by email, and the applicant: what was received, what happens
    next, where to follow it (once per submission; a resubmission after staff
    asked for more information says so).
    """
    charter = current_charter()
    if charter is None:
        raise Conflict("The charter has not been published yet; applications open once it is.")
    if application.applicant_id != applicant.pk:
        raise Refused(NOT_YOURS)
    missing = _missing_for_submission(application)
    if missing:
        raise Conflict(f"Please complete: {', '.join(missing)}.")
    if application.organization_id is None and Organization.objects.filter(name__iexact=application.org_name).exists():
        raise Conflict(
            f"{application.org_name} is already on file. Apply for it as an existing organization instead.",
            field="org_name",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            from_state = _transition(
                application,
                "submit",
                actor=applicant,
                submitted_at=now,
                charter_version=charter,
                charter_accepted_at=now,
                charter_ip_address=ip_address,
                charter_user_agent=(user_agent or "")[:500],
            )
            path = reverse("staff:members:application", args=[application.pk])
            notify_staff(
                template="members/application_submitted",
                dedupe_key=f"application:{application.pk}:submitted:{now.timestamp():.0f}",
                context={"application": application, "review_url": absolute_url(path)},
                url=path,
            )
            _acknowledge(application, resubmitted=from_state == AppStatus.INFO_REQUESTED)
    except IntegrityError as exc:
        raise Conflict(
            f"An application for {application.org_name} is already being reviewed. "
            "The association will be in touch about it.",
            field="org_name",
        ) from exc
    return application


def _acknowledge(application: Application, *, resubmitted: bool) -> None:
    """Tell the applicant the submission arrived and what comes next.

    Keyed by the submission's number (this one included): submitting again
    after "more information requested" is a new submission and a new email;
    the same submission never sends twice.
    """
    submission = history_of(application).filter(action="application.submit").count()
    path = reverse("members:application", args=[application.pk])
    notify(
        user=application.applicant,
        template="members/application_received",
        dedupe_key=f"application:{application.pk}:received:{submission}",
        context={
            "application": application,
            "resubmitted": resubmitted,
            "review_days": settings.APPLICATION_REVIEW_DAYS,
            "status_url": absolute_url(path),
        },
        url=path,
    )


def _missing_for_submission(application: Application) -> list[str]:
    required = {
        "organization name": application.org_name,
        "membership tier": application.tier_id,
        "what the organization does": application.description,
        "headquarters city": application.hq_city,
        "contact name": application.contact_name,
        "statement of interest": application.statement,
    }
    missing = [label for label, value in required.items() if not value]
    if not application.segments.exists():
        missing.append("at least one supply-chain segment")
    return missing


def application_start_review(*, actor: User, application: Application) -> Application:
    """Mark a submitted application as under review. Raises Conflict from any other state."""
    with transaction.atomic():
        _transition(application, "start_review", actor=actor)
    return application


def application_request_info(*, actor: User, application: Application, note: str) -> Application:
    """Send the application back to the applicant with staff's question,
    which the applicant receives by email. Raises ValidationError without a
    question, Conflict unless the application awaits a decision."""
    if not note.strip():
        raise ValidationError("Say what information you need; the applicant will read it.", code="required")
    with transaction.atomic():
        _transition(application, "request_info", actor=actor, note=note, decision_note=note)
        _tell_applicant(application, "members/application_info_requested", note)
    return application


def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """Reject with a reason, which the applicant receives by email. Raises
    ValidationError without a reason, Conflict unless the application awaits
    a decision."""
    if not reason.strip():
        raise ValidationError("Give the reason for the rejection; the applicant will read it.", code="required")
    with transaction.atomic():
        _transition(
            application, "reject", actor=actor, note=reason,
            decision_note=reason, decided_at=timezone.now(), decided_by=actor,
        )  # fmt: skip
        _tell_applicant(application, "members/application_rejected", reason)
    return application


def application_withdraw(*, applicant: User, application: Application) -> Application:
    """The applicant withdraws the application. Raises Refused for someone
    else's, Conflict once it is decided or withdrawn."""
    if application.applicant_id != applicant.pk:
        raise Refused(NOT_YOURS)
    with transaction.atomic():
        _transition(application, "withdraw", actor=applicant)
    return application


def application_approve(*, actor: User, application: Application, note: str = "") -> Membership:
    """Approve: the organization becomes a member.

    Creates the organization (or updates the one on file, its directory
    listing included: the application asked the applicant), its membership
    with a one-year term and a dues invoice, makes the applicant its primary
    contact, records the charter acceptance given on submission, and emails
    the applicant. Raises Conflict from any state but submitted or under
    review, when the application names no tier, and when a new organization's
    name is already on file.
    """
    with transaction.atomic():
        _transition(
            application,
            "approve",
            actor=actor,
            note=note,
            decision_note=note,
            decided_at=timezone.now(),
            decided_by=actor,
        )
        tier = application.tier
        if tier is None:
            raise Conflict("Choose the membership tier before approving the application.", field="tier")
        organization = _organization_from_application(application)
        # The primary contact first: the invoice the new term brings (billing,
        # through members.signals.term_started) is emailed to them.
        _make_primary_contact(organization, application.applicant)
        membership = membership_start_or_renew(actor=actor, organization=organization, tier=tier)
        if application.charter_version_id:
            CharterAcceptance.objects.get_or_create(
                organization=organization,
                version_id=application.charter_version_id,
                defaults={
                    "accepted_by": application.applicant,
                    "accepted_at": application.charter_accepted_at or timezone.now(),
                    "ip_address": application.charter_ip_address,
                    "user_agent": application.charter_user_agent,
                },
            )
        Application.objects.filter(pk=application.pk).update(organization=organization)
        application.organization = organization
        _tell_applicant(application, "members/application_approved", note, membership=membership)
    return membership


def _organization_from_application(application: Application) -> Organization:
    details = {
        "name": application.org_name,
        "legal_name": application.legal_name,
        "website": application.website,
        "description": application.description,
        "hq_city": application.hq_city,
        "hq_state": application.hq_state,
        "hq_country": application.hq_country,
        "size_band": application.size_band,
    }
    if application.organization_id:
        organization = Organization.objects.select_for_update().get(pk=application.organization_id)
        for field, value in details.items():
            if value and field != "name":
                setattr(organization, field, value)
        organization.public_listing = application.public_listing
        organization.save()
    else:
        try:
            with transaction.atomic():
                organization = Organization.objects.create(
                    slug=_unique_slug(application.org_name), public_listing=application.public_listing, **details
                )
        except IntegrityError as exc:
            raise Conflict(
                f"An organization called {application.org_name} is already on file.", field="org_name"
            ) from exc
    organization.segments.set(application.segments.all())
    return organization


# Paths under /members/ that are not organizations.
RESERVED_SLUGS = {"all"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organization"
    if base in RESERVED_SLUGS:
        base = f"{base}-organization"
    taken = set(Organization.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for candidate in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2))):
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def _make_primary_contact(organization: Organization, user: User) -> None:
    OrganizationMember.objects.update_or_create(
        organization=organization, user=user, defaults={"role": Role.PRIMARY_CONTACT}
    )


def _tell_applicant(application: Application, template: str, note: str, **extra: Any) -> None:
    notify(
        user=application.applicant,
        template=template,
        dedupe_key=f"application:{application.pk}:{template}:{application.updated_at.timestamp():.0f}",
        context={"application": application, "note": note, **extra},
        url=reverse("members:application", args=[application.pk]),
    )
