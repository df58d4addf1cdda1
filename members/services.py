"""Writes for membership: applications, organizations and their people,
the charter, terms and renewals.

Every function here is a transaction. State changes go through explicit
transitions (a conditional UPDATE from the allowed states), are refused with
`MembershipError` from any other state, and write an audit row.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cma.audit import audit
from notifications.services import notify, notify_each, notify_staff

from .models import (
    Application,
    CharterAcceptance,
    CharterVersion,
    Dues,
    Invitation,
    Membership,
    MembershipTerm,
    MembershipTier,
    Organization,
    OrganizationMember,
    User,
)
from .selectors import current_charter

INVITATION_SALT = "members.invitation"
Role = OrganizationMember.Role
AppStatus = Application.Status


class MembershipError(Exception):
    """A request the membership rules refuse; the message is for the user."""


# --- Applications -------------------------------------------------------------

APPLICATION_FIELDS = [
    "org_name", "legal_name", "website", "description", "hq_city", "hq_state", "hq_country",
    "size_band", "tier", "contact_name", "contact_title", "contact_phone", "statement",
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


def _transition(application: Application, action: str, *, actor: User, note: str = "", **fields: Any) -> None:
    """Move the application along one allowed transition, atomically.

    The UPDATE only matches while the row is still in an allowed state, so two
    staff members pressing "approve" at once change it once.
    """
    allowed_from, to_state = _TRANSITIONS[action]
    from_state = application.status
    updated = Application.objects.filter(pk=application.pk, status__in=allowed_from).update(
        status=to_state, updated_at=timezone.now(), **fields
    )
    if not updated:
        current = Application.objects.filter(pk=application.pk).values_list("status", flat=True).first()
        label = AppStatus(current).label.lower() if current else "gone"
        raise MembershipError(f"You can't {_ACTION_WORDS[action]} an application that is {label}.")
    application.refresh_from_db()
    audit(
        actor=actor,
        action=f"application.{action}",
        target=application,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def application_save_draft(
    *, applicant: User, data: dict[str, Any], segments, application: Application | None = None,
    organization: Organization | None = None,
) -> Application:  # fmt: skip
    """Create or update the applicant's application while it is editable.

    `organization` is set when applying for an organization already on file.
    Raises MembershipError when the application is not the applicant's or is
    no longer editable.
    """
    with transaction.atomic():
        if application is None:
            application = Application(applicant=applicant, organization=organization)
        else:
            application = Application.objects.select_for_update().get(pk=application.pk)
            if application.applicant_id != applicant.pk:
                raise MembershipError("This application belongs to someone else.")
            if not application.is_editable:
                raise MembershipError(
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
    when, from which address and browser is recorded. Refuses a second open
    application for the same organization, and a new organization whose name
    is already on file. Tells staff by email.
    """
    charter = current_charter()
    if charter is None:
        raise MembershipError("The charter has not been published yet; applications open once it is.")
    if application.applicant_id != applicant.pk:
        raise MembershipError("This application belongs to someone else.")
    missing = _missing_for_submission(application)
    if missing:
        raise MembershipError(f"Please complete: {', '.join(missing)}.")
    if application.organization_id is None and Organization.objects.filter(name__iexact=application.org_name).exists():
        raise MembershipError(
            f"{application.org_name} is already on file. Apply for it as an existing organization instead."
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            _transition(
                application,
                "submit",
                actor=applicant,
                submitted_at=now,
                charter_version=charter,
                charter_accepted_at=now,
                charter_ip_address=ip_address,
                charter_user_agent=(user_agent or "")[:500],
            )
            notify_staff(
                template="members/application_submitted",
                dedupe_key=f"application:{application.pk}:submitted:{now.timestamp():.0f}",
                context={
                    "application": application,
                    "review_url": settings.SITE_URL + reverse("staff:members:application", args=[application.pk]),
                },
                url=reverse("staff:members:application", args=[application.pk]),
            )
    except IntegrityError as exc:
        raise MembershipError(
            f"An application for {application.org_name} is already being reviewed. "
            "The association will be in touch about it."
        ) from exc
    return application


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
    with transaction.atomic():
        _transition(application, "start_review", actor=actor)
    return application


def application_request_info(*, actor: User, application: Application, note: str) -> Application:
    """Send the application back to the applicant with staff's question."""
    if not note.strip():
        raise MembershipError("Say what information you need; the applicant will read it.")
    with transaction.atomic():
        _transition(application, "request_info", actor=actor, note=note, decision_note=note)
        _tell_applicant(application, "members/application_info_requested", note)
    return application


def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """Reject with a reason, which the applicant receives by email."""
    if not reason.strip():
        raise MembershipError("Give the reason for the rejection; the applicant will read it.")
    with transaction.atomic():
        _transition(
            application, "reject", actor=actor, note=reason,
            decision_note=reason, decided_at=timezone.now(), decided_by=actor,
        )  # fmt: skip
        _tell_applicant(application, "members/application_rejected", reason)
    return application


def application_withdraw(*, applicant: User, application: Application) -> Application:
    if application.applicant_id != applicant.pk:
        raise MembershipError("This application belongs to someone else.")
    with transaction.atomic():
        _transition(application, "withdraw", actor=applicant)
    return application


def application_approve(*, actor: User, application: Application, note: str = "") -> Membership:
    """Approve: the organization becomes a member.

    Creates the organization (or updates the one on file), its membership
    with a one-year term and a dues invoice, makes the applicant its primary
    contact, records the charter acceptance given on submission, and emails
    the applicant. Raises MembershipError from any state but submitted or
    under review.
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
        organization = _organization_from_application(application)
        membership = _membership_start_or_renew(organization, application.tier, actor=actor)
        _make_primary_contact(organization, application.applicant)
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
        organization.save()
    else:
        try:
            with transaction.atomic():
                organization = Organization.objects.create(slug=_unique_slug(application.org_name), **details)
        except IntegrityError as exc:
            raise MembershipError(f"An organization called {application.org_name} is already on file.") from exc
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


# --- Terms, dues and renewals -------------------------------------------------


def _term_dates(start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """A year-long term: ends the day before the same date next year."""
    try:
        next_year = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        next_year = start.replace(year=start.year + 1, day=28)
    return start, next_year - datetime.timedelta(days=1)


def _next_invoice_number(year: int) -> str:
    prefix = f"CMA-{year}-"
    last = Dues.objects.filter(invoice_number__startswith=prefix).aggregate(m=Max("invoice_number"))["m"]
    sequence = int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{sequence:05d}"


def _start_term(membership: Membership, tier: MembershipTier, start: datetime.date) -> MembershipTerm:
    starts_on, ends_on = _term_dates(start)
    term = MembershipTerm.objects.create(membership=membership, tier=tier, starts_on=starts_on, ends_on=ends_on)
    for _ in range(5):  # two renewals at once may race for a number: try the next
        try:
            with transaction.atomic():
                Dues.objects.create(
                    term=term, invoice_number=_next_invoice_number(starts_on.year),
                    amount=tier.annual_dues, issued_on=timezone.localdate(),
                )  # fmt: skip
            break
        except IntegrityError:
            continue
    return term


def _membership_start_or_renew(organization: Organization, tier: MembershipTier, *, actor: User) -> Membership:
    today = timezone.localdate()
    membership = Membership.objects.select_for_update().filter(organization=organization).first()
    if membership is None:
        starts_on, ends_on = _term_dates(today)
        membership = Membership.objects.create(
            organization=organization, tier=tier, status=Membership.Status.ACTIVE,
            member_since=today, starts_on=starts_on, ends_on=ends_on,
        )  # fmt: skip
        _start_term(membership, tier, today)
        audit(actor=actor, action="membership.start", target=membership, to_state=membership.status)
        return membership
    return _renew(membership, tier, actor=actor)


def _renew(membership: Membership, tier: MembershipTier, *, actor: User) -> Membership:
    today = timezone.localdate()
    # Renewing early continues the term without a gap; renewing after it ended starts today.
    start = membership.ends_on + datetime.timedelta(days=1) if membership.ends_on >= today else today
    term = _start_term(membership, tier, start)
    from_state = membership.status
    membership.tier = tier
    membership.status = Membership.Status.ACTIVE
    if membership.ends_on < today:
        membership.starts_on = term.starts_on
    membership.ends_on = term.ends_on
    membership.save(update_fields=["tier", "status", "starts_on", "ends_on", "updated_at"])
    audit(
        actor=actor, action="membership.renew", target=membership, from_state=from_state,
        to_state=membership.status, data={"term_start": str(term.starts_on), "term_end": str(term.ends_on)},
    )  # fmt: skip
    return membership


def membership_renew(*, actor: User, membership: Membership, tier: MembershipTier | None = None) -> Membership:
    """Staff's one-click renewal: a new one-year term (continuing the current
    one if it has not ended, else from today), a dues invoice, status active.
    Primary and billing contacts are told. Refuses an ended membership."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
        if membership.status == Membership.Status.ENDED:
            raise MembershipError("This membership has ended; the organization needs to apply again.")
        membership = _renew(membership, tier or membership.tier, actor=actor)
        notify_each(
            users=_contacts(membership.organization, Role.PRIMARY_CONTACT, Role.BILLING_CONTACT),
            template="members/membership_renewed",
            dedupe_key=f"membership:{membership.pk}:renewed:{membership.ends_on}",
            context={"membership": membership, "organization": membership.organization},
            url=reverse("members:manage", args=[membership.organization.slug]),
        )
    return membership


_STATUS_ACTIONS = {
    "suspend": ((Membership.Status.ACTIVE, Membership.Status.GRACE), Membership.Status.SUSPENDED),
    "reinstate": ((Membership.Status.SUSPENDED,), Membership.Status.ACTIVE),
    "end": (
        (Membership.Status.ACTIVE, Membership.Status.GRACE, Membership.Status.LAPSED, Membership.Status.SUSPENDED),
        Membership.Status.ENDED,
    ),
}


def membership_change_status(*, actor: User, membership: Membership, action: str, note: str = "") -> Membership:
    """Staff suspend, reinstate or end a membership (a note says why)."""
    allowed_from, to_state = _STATUS_ACTIONS[action]
    with transaction.atomic():
        from_state = membership.status
        if not Membership.objects.filter(pk=membership.pk, status__in=allowed_from).update(
            status=to_state, updated_at=timezone.now()
        ):
            raise MembershipError(f"You can't {action} a membership that is {membership.get_status_display().lower()}.")
        membership.refresh_from_db()
        audit(
            actor=actor,
            action=f"membership.{action}",
            target=membership,
            from_state=from_state,
            to_state=to_state,
            note=note,
        )
    return membership


def dues_record_payment(*, actor: User, dues: Dues, paid_on: datetime.date, note: str = "") -> Dues:
    """Record that an invoice was paid (by hand: there is no payment gateway)."""
    with transaction.atomic():
        if not Dues.objects.filter(pk=dues.pk, paid_on__isnull=True).update(
            paid_on=paid_on, payment_recorded_by=actor, note=note[:255]
        ):
            raise MembershipError(f"Invoice {dues.invoice_number} is already recorded as paid.")
        dues.refresh_from_db()
        audit(actor=actor, action="dues.paid", target=dues, note=f"paid on {paid_on}")
    return dues


RENEWAL_REMINDER_DAYS = (60, 30, 7)


def memberships_send_renewal_reminders(*, today: datetime.date | None = None) -> int:
    """Remind primary and billing contacts 60, 30 and 7 days before the term ends.

    Each reminder goes once per term (its dedupe key names the term's end and
    the threshold), however often this runs. A membership first seen inside a
    window gets only that window's reminder, not the earlier ones too.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(RENEWAL_REMINDER_DAYS))
    due = Membership.objects.filter(
        status=Membership.Status.ACTIVE, ends_on__gte=today, ends_on__lte=horizon
    ).select_related("organization", "tier")
    sent = 0
    for membership in due.iterator(chunk_size=500):
        days_left = (membership.ends_on - today).days
        threshold = min(d for d in RENEWAL_REMINDER_DAYS if d >= days_left)
        with transaction.atomic():
            sent += len(
                notify_each(
                    users=_contacts(membership.organization, Role.PRIMARY_CONTACT, Role.BILLING_CONTACT),
                    template="members/renewal_reminder",
                    dedupe_key=f"membership:{membership.pk}:renewal:{membership.ends_on}:{threshold}",
                    context={"membership": membership, "organization": membership.organization, "days_left": days_left},
                    url=reverse("members:manage", args=[membership.organization.slug]),
                )
            )
    return sent


def memberships_lapse_expired(*, today: datetime.date | None = None) -> int:
    """Move memberships past the end of their term on: to the grace period if
    MEMBERSHIP_GRACE_DAYS is set, then to lapsed. Returns how many changed."""
    today = today or timezone.localdate()
    grace_end = today - datetime.timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    changed = 0
    moves = [
        # (from, condition on ends_on, to)
        (Membership.Status.ACTIVE, {"ends_on__lt": grace_end}, Membership.Status.LAPSED),
        (Membership.Status.ACTIVE, {"ends_on__lt": today}, Membership.Status.GRACE),
        (Membership.Status.GRACE, {"ends_on__lt": grace_end}, Membership.Status.LAPSED),
    ]
    for from_state, condition, to_state in moves:
        with transaction.atomic():
            ids = list(
                Membership.objects.select_for_update(skip_locked=True)
                .filter(status=from_state, **condition)
                .values_list("pk", flat=True)
            )
            for membership in Membership.objects.filter(pk__in=ids):
                audit(
                    actor=None, action="membership.expire", target=membership, from_state=from_state, to_state=to_state
                )
            changed += Membership.objects.filter(pk__in=ids, status=from_state).update(
                status=to_state, updated_at=timezone.now()
            )
    return changed


# --- Charter ------------------------------------------------------------------


def charter_version_create(*, actor: User, body: str, summary_of_changes: str = "") -> CharterVersion:
    """A new draft version, numbered after the last one."""
    with transaction.atomic():
        last = CharterVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0
        version = CharterVersion.objects.create(number=last + 1, body=body, summary_of_changes=summary_of_changes)
        audit(actor=actor, action="charter.draft", target=version)
    return version


def charter_publish(*, actor: User, version: CharterVersion) -> CharterVersion:
    """Publish a draft version: it becomes the charter every member must accept.

    Every member organization's primary contacts are told (by a task, after
    commit; one email per person per version however often it runs).
    """
    from . import tasks

    with transaction.atomic():
        newer = CharterVersion.objects.filter(published_at__isnull=False, number__gt=version.number).exists()
        if newer:
            raise MembershipError("A later version is already published.")
        if not CharterVersion.objects.filter(pk=version.pk, published_at__isnull=True).update(
            published_at=timezone.now(), published_by=actor
        ):
            raise MembershipError(f"Version {version.number} is already published.")
        version.refresh_from_db()
        audit(actor=actor, action="charter.publish", target=version, to_state="published")
        tasks.charter_notify_members.delay_on_commit(version.pk)
    return version


def charter_notify_members(*, version_id: int) -> int:
    """Tell every primary contact of every member organization about a new version."""
    version = CharterVersion.objects.get(pk=version_id)
    contacts = (
        OrganizationMember.objects.filter(
            role=Role.PRIMARY_CONTACT, organization__membership__status__in=Membership.IN_GOOD_STANDING
        )
        .select_related("user", "organization")
        .order_by("pk")
    )
    sent = 0
    for contact in contacts.iterator(chunk_size=500):
        with transaction.atomic():
            notify(
                user=contact.user,
                template="members/charter_published",
                dedupe_key=f"charter:{version.pk}:org{contact.organization_id}:u{contact.user_id}",
                context={
                    "version": version,
                    "organization": contact.organization,
                    "grace_days": settings.CHARTER_GRACE_DAYS,
                },
                url=reverse("members:manage", args=[contact.organization.slug]),
            )
        sent += 1
    return sent


def charter_accept(
    *, user: User, organization: Organization, version: CharterVersion, ip_address: str | None, user_agent: str
) -> CharterAcceptance:
    """Record that a primary contact accepted `version` for the organization.

    Accepting a version already accepted returns the existing record (a double
    click changes nothing). Refuses anyone but a primary contact, and any
    version but the current one.
    """
    if not OrganizationMember.objects.filter(organization=organization, user=user, role=Role.PRIMARY_CONTACT).exists():
        raise MembershipError("Only a primary contact can accept the charter for the organization.")
    current = current_charter()
    if current is None or current.pk != version.pk:
        raise MembershipError(
            "That is not the current version of the charter; reload the page and read the current one."
        )
    try:
        with transaction.atomic():
            acceptance = CharterAcceptance.objects.create(
                organization=organization, version=version, accepted_by=user,
                ip_address=ip_address, user_agent=(user_agent or "")[:500],
            )  # fmt: skip
            audit(actor=user, action="charter.accept", target=organization, note=f"version {version.number}")
    except IntegrityError:
        return CharterAcceptance.objects.get(organization=organization, version=version)
    return acceptance


# --- Organizations and their people ------------------------------------------


def organization_update(
    *,
    actor: User,
    organization: Organization,
    data: dict[str, Any],
    segments=None,
    logo=None,
    remove_logo: bool = False,
) -> Organization:
    """Update the organization's profile (primary contacts and staff)."""
    editable = [
        "name",
        "legal_name",
        "website",
        "description",
        "hq_city",
        "hq_state",
        "hq_country",
        "size_band",
        "public_listing",
    ]
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        for field in editable:
            if field in data:
                setattr(organization, field, data[field])
        if remove_logo and organization.logo:
            organization.logo.delete(save=False)
            organization.logo = ""
        if logo is not None:
            if organization.logo:
                organization.logo.delete(save=False)
            organization.logo.save(logo.name, logo, save=False)
        try:
            with transaction.atomic():
                organization.save()
        except IntegrityError as exc:
            raise MembershipError(f"Another organization is already called {organization.name}.") from exc
        if segments is not None:
            organization.segments.set(segments)
        audit(actor=actor, action="organization.update", target=organization)
    return organization


def _contacts(organization: Organization, *roles: str) -> list[User]:
    return [
        m.user
        for m in OrganizationMember.objects.filter(
            organization=organization, role__in=roles, user__is_active=True
        ).select_related("user")
    ]


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email.lower()}, salt=INVITATION_SALT)


def invitation_create(*, actor: User, organization: Organization, email: str, role: str) -> Invitation:
    """Invite a colleague by email; the signed link expires after
    INVITATION_MAX_AGE_DAYS. Inviting an address with an open invitation sends
    it again rather than creating a second one. Refuses someone already in the
    organization."""
    email = email.strip().lower()
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        if OrganizationMember.objects.filter(organization=organization, user__email__iexact=email).exists():
            raise MembershipError(f"{email} is already in {organization.name}.")
        invitation = Invitation.objects.filter(
            organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).first()
        if invitation is None:
            invitation = Invitation.objects.create(organization=organization, email=email, role=role, invited_by=actor)
            audit(actor=actor, action="invitation.create", target=invitation, note=email)
        # One email per invitation per minute: a double click sends once, a
        # deliberate "send again" later goes out.
        window = int(timezone.now().timestamp() // 60)
        notify(
            email=email,
            template="members/invitation",
            dedupe_key=f"invitation:{invitation.pk}:{window}",
            context={
                "invitation": invitation,
                "organization": organization,
                "inviter": actor,
                "accept_url": settings.SITE_URL + reverse("members:invitation", args=[invitation_token(invitation)]),
                "expires_days": settings.INVITATION_MAX_AGE_DAYS,
            },
        )
    return invitation


@dataclass(frozen=True)
class InvitationLookup:
    invitation: Invitation | None
    problem: str = ""


def invitation_from_token(token: str) -> InvitationLookup:
    """The invitation a link points at, or why it can't be used."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        return InvitationLookup(
            None, "This invitation has expired. Ask your organization's primary contact to send a new one."
        )
    except signing.BadSignature:
        return InvitationLookup(None, "This invitation link is not valid. Check that you copied all of it.")
    invitation = Invitation.objects.select_related("organization").filter(pk=payload.get("i")).first()
    if invitation is None or invitation.email.lower() != payload.get("e"):
        return InvitationLookup(None, "This invitation link is not valid. Check that you copied all of it.")
    if invitation.revoked_at:
        return InvitationLookup(invitation, "This invitation was withdrawn by the organization.")
    if invitation.accepted_at:
        return InvitationLookup(invitation, "This invitation has already been accepted.")
    return InvitationLookup(invitation)


def invitation_accept(*, user: User, invitation: Invitation) -> OrganizationMember:
    """Join the organization. The signed-in person must own the invited
    address (a verified email on their account)."""
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise MembershipError(
            f"This invitation was sent to {invitation.email}. Sign in with that address (or add and verify it in your account) to accept it."
        )
    with transaction.atomic():
        if not Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        ):
            raise MembershipError("This invitation has already been used or was withdrawn.")
        try:
            with transaction.atomic():
                member = OrganizationMember.objects.create(
                    organization=invitation.organization, user=user, role=invitation.role
                )
        except IntegrityError as exc:
            raise MembershipError(f"You are already in {invitation.organization.name}.") from exc
        audit(actor=user, action="invitation.accept", target=invitation.organization, note=invitation.email)
    return member


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    with transaction.atomic():
        if not Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            raise MembershipError("This invitation was already accepted or withdrawn.")
        audit(actor=actor, action="invitation.revoke", target=invitation, note=invitation.email)


def _ensure_another_primary(member: OrganizationMember) -> None:
    others = OrganizationMember.objects.filter(
        organization_id=member.organization_id, role=Role.PRIMARY_CONTACT
    ).exclude(pk=member.pk)
    if member.role == Role.PRIMARY_CONTACT and not others.exists():
        raise MembershipError(
            "An organization always needs a primary contact. Make someone else primary contact first."
        )


def organization_member_change_role(*, actor: User, member: OrganizationMember, role: str) -> OrganizationMember:
    """Change a person's role; the last primary contact can't be demoted."""
    with transaction.atomic():
        # Lock the organization: two primaries demoting each other at once must
        # not leave it with none.
        Organization.objects.select_for_update().get(pk=member.organization_id)
        member = OrganizationMember.objects.get(pk=member.pk)
        if role != Role.PRIMARY_CONTACT:
            _ensure_another_primary(member)
        from_role = member.role
        member.role = role
        member.save(update_fields=["role"])
        audit(
            actor=actor,
            action="organization.role",
            target=member.organization,
            from_state=from_role,
            to_state=role,
            note=member.user.email,
        )
    return member


def organization_member_remove(*, actor: User, member: OrganizationMember) -> None:
    """Remove someone from the organization (or leave it); never the last primary contact."""
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=member.organization_id)
        member = OrganizationMember.objects.select_related("organization", "user").get(pk=member.pk)
        _ensure_another_primary(member)
        member.delete()
        audit(actor=actor, action="organization.remove_person", target=member.organization, note=member.user.email)
