"""Pages for applicants, members and the public: thin, through permissions and services."""

from __future__ import annotations

import difflib

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cma import ratelimit
from cma.errors import form_errors, service_errors
from cma.http import client_ip, user_agent

from . import permissions, selectors, services
from .forms import (
    AccessibilityReportForm,
    ApplicationForm,
    DirectoryFilterForm,
    InviteForm,
    OrganizationForm,
    ProfileForm,
    RoleForm,
)
from .models import Application, CharterVersion, Invitation, Organization, OrganizationMember

DIRECTORY_PAGE_SIZE = 24


def home(request):
    """The association's front page: who it unites (the supply-chain segments)."""
    return render(request, "home.html", {"segments": selectors.segments_for_home()})


@require_http_methods(["GET", "POST"])
def accessibility(request):
    """The accessibility statement, with a form that reports a problem to staff
    (by email only: the report is stored nowhere else). Valid reports are
    rate-limited per client address."""
    initial = {"page": request.GET.get("page", "")[:300]}
    if request.user.is_authenticated:
        initial.update(name=request.user.name, email=request.user.email)
    form = AccessibilityReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        rate = ratelimit.parse_rate(settings.ACCESSIBILITY_REPORT_RATE_LIMIT_PER_IP)
        if ratelimit.hit("accessibility-report-ip", ratelimit.client_key(request), rate):
            services.accessibility_report_send(
                **form.cleaned_data, reporter=request.user if request.user.is_authenticated else None
            )
            messages.success(
                request,
                f"Thank you: your report is with association staff. A copy is on its way to "
                f"{form.cleaned_data['email']}, and we will reply within 5 working days.",
            )
            return redirect("accessibility")
        form.add_error(
            None,
            f"Several reports came from your connection in a short time. Please try again in {rate.minutes} minutes.",
        )
        status = 429
    return render(request, "members/accessibility.html", {"form": form}, status=status)


# --- Account ------------------------------------------------------------------


@login_required
def dashboard(request):
    """The signed-in user's home: organizations, status, and what to do next."""
    roles = selectors.dashboard_organizations(request.user)
    return render(
        request,
        "members/dashboard.html",
        {
            "mfa_enabled": is_mfa_enabled(request.user),
            "roles": roles,
            "invitations": list(selectors.pending_invitations_for(request.user)),
            "applications": list(selectors.applications_of(request.user)[:10]),
            "is_member": any(r.organization.membership_in_good_standing for r in roles),
        },
    )


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile was saved.")
        return redirect("dashboard")
    return render(request, "members/profile_form.html", {"form": form})


# --- Directory and profiles ---------------------------------------------------------


def _directory(request, *, public_only: bool, can_see_all: bool):
    show_tier = not public_only
    form = DirectoryFilterForm(request.GET or None, show_tier=show_tier)
    organizations = selectors.directory_organizations(public_only=public_only, **form.filters())
    page = Paginator(organizations, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "page": page,
            "form": form,
            "public_only": public_only,
            "show_tier": show_tier,
            "can_see_all": can_see_all,
        },
    )


def directory(request):
    """The public directory: member organizations that chose to be listed."""
    return _directory(request, public_only=True, can_see_all=permissions.can_use_member_directory(request.user))


@login_required
def member_directory(request):
    """Every member organization, for members and staff."""
    permissions.require_member_directory(request.user)
    return _directory(request, public_only=False, can_see_all=True)


def organization_profile(request, slug: str):
    access = permissions.get_organization_for_viewer(request.user, slug)
    organization = access.organization
    context = {"organization": organization, "sees_contacts": access.sees_contacts}
    if access.sees_contacts:
        context["people"] = selectors.organization_people(organization)
    return render(request, "members/organization.html", context)


def organization_logo(request, slug: str):
    """Logos are served through the same visibility check as the profile."""
    organization = permissions.get_organization_for_viewer(request.user, slug).organization
    if not organization.logo:
        raise Http404
    response = FileResponse(organization.logo.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Managing an organization ----------------------------------------------------------


def _manage_page(request: HttpRequest, *, slug: str, **_: object) -> str:
    """Where an organization action's refusal is shown: its manage page."""
    return reverse("members:manage", args=[slug])


@login_required
def organization_manage(request, slug: str):
    organization = permissions.get_organization_to_manage(request.user, slug)
    status = selectors.charter_status(organization)
    return render(
        request,
        "members/manage.html",
        {
            "organization": organization,
            "people": selectors.organization_people(organization),
            "invitations": organization.invitations.filter(
                accepted_at__isnull=True, revoked_at__isnull=True
            ).select_related("invited_by"),
            "invite_form": InviteForm(),
            "role_choices": OrganizationMember.Role.choices,
            "charter": status,
            "is_primary": permissions.is_primary_contact(request.user, organization),
            "terms": organization.membership.terms.select_related("dues", "tier")
            if hasattr(organization, "membership")
            else [],
        },
    )


@login_required
@service_errors
def organization_edit(request, slug: str):
    organization = permissions.get_organization_to_manage(request.user, slug)
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.organization_update(
                actor=request.user,
                organization=organization,
                data=form.cleaned_data,
                segments=form.cleaned_data["segments"],
                logo=form.cleaned_data.get("logo_upload"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
            messages.success(request, f"{form.cleaned_data['name']}'s profile was saved.")
            return redirect("members:manage", slug=organization.slug)
    return render(request, "members/organization_form.html", {"form": form, "organization": organization})


@login_required
@require_POST
@service_errors(back=_manage_page)
def organization_invite(request, slug: str):
    organization = permissions.get_organization_to_manage(request.user, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid email address to invite.")
        return redirect("members:manage", slug=organization.slug)
    services.invitation_create(
        actor=request.user,
        organization=organization,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
    )
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    return redirect("members:manage", slug=organization.slug)


def _person(organization: Organization, pk: int) -> OrganizationMember:
    return get_object_or_404(OrganizationMember.objects.select_related("user"), pk=pk, organization=organization)


@login_required
@require_POST
@service_errors(back=_manage_page)
def organization_change_role(request, slug: str, pk: int):
    organization = permissions.get_organization_to_manage(request.user, slug)
    person = _person(organization, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("members:manage", slug=organization.slug)
    services.organization_member_change_role(actor=request.user, member=person, role=form.cleaned_data["role"])
    messages.success(
        request,
        f"{person.user.display_name} is now {OrganizationMember.Role(form.cleaned_data['role']).label.lower()}.",
    )
    return redirect("members:manage", slug=organization.slug)


@login_required
@require_POST
@service_errors(back=_manage_page)
def organization_remove_person(request, slug: str, pk: int):
    organization = permissions.get_organization_to_manage(request.user, slug)
    person = _person(organization, pk)
    services.organization_member_remove(actor=request.user, member=person)
    messages.success(request, f"{person.user.display_name} was removed from {organization.name}.")
    return redirect("members:manage", slug=organization.slug)


@login_required
@require_POST
@service_errors(back=_manage_page)
def organization_revoke_invitation(request, slug: str, pk: int):
    organization = permissions.get_organization_to_manage(request.user, slug)
    invitation = get_object_or_404(Invitation, pk=pk, organization=organization)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("members:manage", slug=organization.slug)


@login_required
@require_POST
@service_errors(back=_manage_page)
def organization_accept_charter(request, slug: str):
    organization = permissions.get_organization_to_manage(request.user, slug)
    version = get_object_or_404(CharterVersion, pk=request.POST.get("version"), published_at__isnull=False)
    services.charter_accept(
        user=request.user, organization=organization, version=version,
        ip_address=client_ip(request), user_agent=user_agent(request),
    )  # fmt: skip
    messages.success(request, f"Thank you: {organization.name} accepted version {version.number} of the charter.")
    return redirect("members:manage", slug=organization.slug)


# --- Invitations -------------------------------------------------------------------


def _this_page(request: HttpRequest, **_: object) -> str:
    return request.path


def _dashboard(request: HttpRequest, **_: object) -> str:
    return reverse("dashboard")


@service_errors(back=_this_page)
def invitation(request, token: str):
    """The link in an invitation email: sign in (or sign up), then accept."""
    lookup = services.invitation_from_token(token)
    invite = lookup.invitation
    if lookup.problem or invite is None:
        return render(
            request, "members/invitation.html", {"problem": lookup.problem}, status=400 if invite is None else 410
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if _accept(request, invite):
            return redirect("dashboard")
    return render(request, "members/invitation.html", {"invitation": invite, "next": request.path})


@login_required
@require_POST
@service_errors(back=_dashboard)
def invitation_accept_from_dashboard(request, pk: int):
    invite = get_object_or_404(Invitation.objects.select_related("organization"), pk=pk)
    # The dashboard only lists invitations to the user's own verified
    # addresses; the service checks that again before joining.
    _accept(request, invite)
    return redirect("dashboard")


def _accept(request, invite: Invitation) -> bool:
    """Join through the service; say how it went. True when joined.

    An invitation for another address is answered on the page itself (the
    person can sign in with that address); other refusals go to
    @service_errors like everywhere else."""
    try:
        services.invitation_accept(user=request.user, invitation=invite)
    except services.InvitationForAnotherAddress as error:
        messages.error(request, error.message)
        return False
    messages.success(request, f"Welcome to {invite.organization.name}.")
    return True


# --- Applying ------------------------------------------------------------------------


@login_required
@service_errors
def apply(request):
    """Start an application: for a new organization, or (with ?organization=)
    one already on file that the applicant belongs to."""
    organization = None
    slug = request.GET.get("organization") or request.POST.get("organization")
    if slug:
        organization = get_object_or_404(Organization, slug=slug, people__user=request.user)
    open_app = Application.objects.filter(applicant=request.user, status__in=Application.EDITABLE)
    if organization is not None:
        open_app = open_app.filter(organization=organization)
    existing = open_app.first() if organization is not None else None
    if existing is not None:
        return redirect("members:application", pk=existing.pk)
    initial = {"contact_name": request.user.name}
    if organization is not None:
        initial.update(
            org_name=organization.name, legal_name=organization.legal_name, website=organization.website,
            description=organization.description, hq_city=organization.hq_city, hq_state=organization.hq_state,
            hq_country=organization.hq_country, size_band=organization.size_band,
            segments=list(organization.segments.all()), public_listing=organization.public_listing,
        )  # fmt: skip
    return _application_form(request, None, organization=organization, initial=initial)


@login_required
@service_errors
def application_detail(request, pk: int):
    application = permissions.get_own_application(request.user, pk)
    if not application.is_editable:
        return render(request, "members/application_status.html", {"application": application})
    return _application_form(request, application, organization=application.organization)


def _application_form(request, application: Application | None, *, organization, initial=None):
    submitting = request.method == "POST" and request.POST.get("action") == "submit"
    form = ApplicationForm(
        request.POST or None,
        instance=application,
        initial=initial,
        submitting=submitting,
        locked_name=organization is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        if organization is not None:
            data["org_name"] = organization.name
        with form_errors(form):
            # Saved and submitted together or not at all: a refused submission
            # leaves the application as it was, and the form shows why.
            with transaction.atomic():
                saved = services.application_save_draft(
                    applicant=request.user, application=application, organization=organization,
                    data=data, segments=form.cleaned_data["segments"],
                )  # fmt: skip
                if submitting:
                    services.application_submit(
                        applicant=request.user, application=saved,
                        ip_address=client_ip(request), user_agent=user_agent(request),
                    )  # fmt: skip
            if submitting:
                messages.success(
                    request, "Your application was submitted. We'll email you when the association has reviewed it."
                )
            else:
                messages.success(
                    request, "Your draft was saved. Come back to it from your account page whenever you like."
                )
            return redirect("members:application", pk=saved.pk)
    return render(
        request,
        "members/application_form.html",
        {
            "form": form,
            "application": application,
            "organization": organization,
            "charter": selectors.current_charter(),
        },
    )


@login_required
@require_POST
@service_errors(back="members:application")
def application_withdraw(request, pk: int):
    application = permissions.get_own_application(request.user, pk)
    services.application_withdraw(applicant=request.user, application=application)
    messages.success(request, "Your application was withdrawn.")
    return redirect("members:application", pk=application.pk)


# --- The charter -------------------------------------------------------------------------


def charter(request):
    versions = list(selectors.charter_versions())
    if not versions:
        return render(request, "members/charter.html", {"current": None, "versions": []})
    number = request.GET.get("version")
    current = versions[0]
    shown = next((v for v in versions if str(v.number) == number), current)
    history = list(zip(versions, [*versions[1:], None], strict=True))  # (version, the one before it)
    return render(request, "members/charter.html", {"current": current, "shown": shown, "history": history})


def charter_diff(request):
    versions = {v.number: v for v in selectors.charter_versions()}
    try:
        old, new = versions[int(request.GET.get("from", ""))], versions[int(request.GET.get("to", ""))]
    except (KeyError, ValueError):
        raise Http404 from None
    lines = list(difflib.ndiff(old.body.splitlines(), new.body.splitlines()))
    rows = [(line[:1], line[2:]) for line in lines if not line.startswith("?")]
    return render(
        request,
        "members/charter_diff.html",
        {"old": old, "new": new, "rows": rows, "versions": list(versions.values())},
    )
