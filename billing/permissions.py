"""Who may see an organization's invoices: its primary and billing contacts, and staff."""

from __future__ import annotations

from typing import Any

from cma.access import is_staff_with_mfa
from members.models import OrganizationMember

from .models import Invoice

BILLING_ROLES = (OrganizationMember.Role.PRIMARY_CONTACT, OrganizationMember.Role.BILLING_CONTACT)


def can_view_billing_of(user: Any, organization_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if is_staff_with_mfa(user):
        return True
    return OrganizationMember.objects.filter(
        organization_id=organization_id, user_id=user.pk, role__in=BILLING_ROLES, user__is_active=True
    ).exists()


def can_view_invoice(user: Any, invoice: Invoice) -> bool:
    return can_view_billing_of(user, invoice.organization_id)
