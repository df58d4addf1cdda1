"""Memberships: terms, dues, renewals, status changes, reminders and lapsing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict
from notifications.services import notify_each

from ..models import Dues, Membership, MembershipTerm, MembershipTier, Organization, OrganizationMember, User
from ..signals import term_started

Status = Membership.Status
Role = OrganizationMember.Role


def _contacts(organization_id: int, *roles: str) -> list[User]:
    """The organization's active people in these roles: who its membership notices go to."""
    return [
        m.user
        for m in OrganizationMember.objects.filter(
            organization_id=organization_id, role__in=roles, user__is_active=True
        ).select_related("user")
    ]


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


def _start_term(
    membership: Membership, tier: MembershipTier, start: datetime.date, *, actor: User | None, first: bool
) -> MembershipTerm:
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
    # Billing issues the term's invoice from this, inside this transaction
    # (members can't import billing: see members.signals).
    term_started.send(sender=MembershipTerm, term=term, membership=membership, first=first, actor=actor)
    return term


def membership_start_or_renew(*, actor: User, organization: Organization, tier: MembershipTier) -> Membership:
    """The organization's membership from today, or its membership renewed:
    a term and its invoice. A step of approval, run inside its transaction
    (so not exported as a service of its own); sends nothing."""
    today = timezone.localdate()
    membership = Membership.objects.select_for_update().filter(organization=organization).first()
    if membership is None:
        starts_on, ends_on = _term_dates(today)
        membership = Membership.objects.create(
            organization=organization, tier=tier, status=Status.ACTIVE,
            member_since=today, starts_on=starts_on, ends_on=ends_on,
        )  # fmt: skip
        _start_term(membership, tier, today, actor=actor, first=True)
        audit(actor=actor, action="membership.start", target=membership, to_state=membership.status)
        return membership
    return _renew(membership, tier, actor=actor)


def _renew(membership: Membership, tier: MembershipTier, *, actor: User | None) -> Membership:
    today = timezone.localdate()
    # Renewing early continues the term without a gap; renewing after it ended starts today.
    start = membership.ends_on + datetime.timedelta(days=1) if membership.ends_on >= today else today
    term = _start_term(membership, tier, start, actor=actor, first=False)
    from_state = membership.status
    membership.tier = tier
    membership.status = Status.ACTIVE
    if membership.ends_on < today:
        membership.starts_on = term.starts_on
    membership.ends_on = term.ends_on
    membership.save(update_fields=["tier", "status", "starts_on", "ends_on", "updated_at"])
    audit(
        actor=actor, action="membership.renew", target=membership, from_state=from_state,
        to_state=membership.status, data={"term_start": str(term.starts_on), "term_end": str(term.ends_on)},
    )  # fmt: skip
    return membership


def membership_renew(*, actor: User | None, membership: Membership, tier: MembershipTier | None = None) -> Membership:
    """Staff's one-click renewal: a new one-year term (continuing the current
    one if it has not ended, else from today), a dues invoice, status active.
    Primary and billing contacts are told. Raises Conflict for an ended
    membership."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
        if membership.status == Status.ENDED:
            raise Conflict("This membership has ended; the organization needs to apply again.")
        membership = _renew(membership, tier or membership.tier, actor=actor)
        notify_each(
            users=_contacts(membership.organization_id, Role.PRIMARY_CONTACT, Role.BILLING_CONTACT),
            template="members/membership_renewed",
            dedupe_key=f"membership:{membership.pk}:renewed:{membership.ends_on}",
            context={"membership": membership, "organization": membership.organization},
            url=reverse("members:manage", args=[membership.organization.slug]),
        )
    return membership


# action: (states it may start from, state it leads to)
_STATUS_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "suspend": ((Status.ACTIVE, Status.GRACE), Status.SUSPENDED),
    "reinstate": ((Status.SUSPENDED,), Status.ACTIVE),
    "end": ((Status.ACTIVE, Status.GRACE, Status.LAPSED, Status.SUSPENDED), Status.ENDED),
    # Billing's dunning: an unpaid invoice moves the membership to grace, then
    # lapsed; settling it (or staff extending the deadline) restores it.
    "grace": ((Status.ACTIVE,), Status.GRACE),
    "lapse": ((Status.ACTIVE, Status.GRACE), Status.LAPSED),
    "restore": ((Status.GRACE, Status.LAPSED), Status.ACTIVE),
}


def membership_change_status(*, actor: User | None, membership: Membership, action: str, note: str = "") -> Membership:
    """Staff suspend, reinstate or end a membership (a note says why).
    Raises Conflict when the membership is in a state the action can't leave."""
    allowed_from, to_state = _STATUS_ACTIONS[action]
    with transaction.atomic():
        from_state = membership.status
        if not Membership.objects.filter(pk=membership.pk, status__in=allowed_from).update(
            status=to_state, updated_at=timezone.now()
        ):
            raise Conflict(f"You can't {action} a membership that is {membership.get_status_display().lower()}.")
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


def dues_settle(*, actor: User | None, term: MembershipTerm, on: datetime.date, note: str = "") -> bool:
    """Mark the term's dues settled: billing calls this, and only billing,
    when the term's invoice is paid or cancelled by credit note (the invoice
    is the one record of money; this mark is what members' pages read,
    since members may not import billing). Idempotent: returns False when
    the mark was already there."""
    with transaction.atomic():
        dues = Dues.objects.filter(term=term, paid_on__isnull=True).first()
        if dues is None or not Dues.objects.filter(pk=dues.pk, paid_on__isnull=True).update(
            paid_on=on, payment_recorded_by=actor, note=note[:255]
        ):
            return False
        audit(actor=actor, action="dues.paid", target=dues, note=f"settled on {on}: {note}")
    return True


def dues_link_invoice(*, term: MembershipTerm, invoice_number: str, amount: Decimal) -> None:
    """Show the billing invoice's number and total on the term's dues record
    (billing owns invoices; the dues row is the term's "paid" mark)."""
    Dues.objects.filter(term=term).update(invoice_number=invoice_number, amount=amount)


RENEWAL_REMINDER_DAYS = (60, 30, 7)


def memberships_send_renewal_reminders(*, today: datetime.date | None = None) -> int:
    """Remind primary and billing contacts 60, 30 and 7 days before the term ends.

    Each reminder goes once per term (its dedupe key names the term's end and
    the threshold), however often this runs. A membership first seen inside a
    window gets only that window's reminder, not the earlier ones too.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(RENEWAL_REMINDER_DAYS))
    due = Membership.objects.filter(status=Status.ACTIVE, ends_on__gte=today, ends_on__lte=horizon).select_related(
        "organization", "tier"
    )
    sent = 0
    for membership in due.iterator(chunk_size=500):
        days_left = (membership.ends_on - today).days
        threshold = min(d for d in RENEWAL_REMINDER_DAYS if d >= days_left)
        with transaction.atomic():
            sent += len(
                notify_each(
                    users=_contacts(membership.organization_id, Role.PRIMARY_CONTACT, Role.BILLING_CONTACT),
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
        (Status.ACTIVE, {"ends_on__lt": grace_end}, Status.LAPSED),
        (Status.ACTIVE, {"ends_on__lt": today}, Status.GRACE),
        (Status.GRACE, {"ends_on__lt": grace_end}, Status.LAPSED),
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
