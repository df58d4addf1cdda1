from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse
from django.utils.html import format_html

from cma.admin import ReadOnlyAdmin, run_action
from cma.forms import HTTPS_URL_OVERRIDES

from . import services
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
    Segment,
    User,
)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class RolesInline(admin.TabularInline):
    model = OrganizationMember
    fk_name = "user"
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [RolesInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("name", "time_zone")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "description"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(MembershipTier)
class MembershipTierAdmin(admin.ModelAdmin):
    list_display = ["name", "annual_dues", "is_open", "position"]
    list_editable = ["is_open", "position"]
    prepopulated_fields = {"slug": ["name"]}


class PeopleInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "hq_state", "membership_status", "public_listing", "created_at"]
    list_filter = ["membership__status", "segments", "membership__tier", "hq_state", "public_listing", "size_band"]
    search_fields = ["name", "legal_name", "website"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["segments"]
    inlines = [PeopleInline]
    list_select_related = ["membership"]
    formfield_overrides = HTTPS_URL_OVERRIDES

    @admin.display(description="membership", ordering="membership__status")
    def membership_status(self, obj: Organization) -> str:
        membership = obj.current_membership
        return membership.get_status_display() if membership else "—"


class TermInline(admin.TabularInline):
    model = MembershipTerm
    extra = 0
    readonly_fields = ["tier", "starts_on", "ends_on", "created_at"]
    can_delete = False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organization", "tier", "status", "starts_on", "ends_on", "member_since"]
    list_filter = ["status", "tier", "ends_on"]
    search_fields = ["organization__name"]
    raw_id_fields = ["organization"]
    readonly_fields = ["status"]
    inlines = [TermInline]
    actions = ["renew", "suspend", "reinstate"]
    list_select_related = ["organization", "tier"]

    @admin.action(description="Renew for a year (new term and invoice)")
    def renew(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda m: services.membership_renew(actor=request.user, membership=m),
            done="Renewed",
        )

    @admin.action(description="Suspend")
    def suspend(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda m: services.membership_change_status(actor=request.user, membership=m, action="suspend"),
            done="Suspended",
        )

    @admin.action(description="Reinstate")
    def reinstate(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda m: services.membership_change_status(actor=request.user, membership=m, action="reinstate"),
            done="Reinstated",
        )


@admin.register(Dues)
class DuesAdmin(ReadOnlyAdmin):
    """Read only: billing writes these marks when the term's invoice is
    settled; payments are recorded on the invoice (staff billing pages)."""

    list_display = ["invoice_number", "organization", "amount", "issued_on", "paid_on"]
    list_filter = ["paid_on", "issued_on"]
    search_fields = ["invoice_number", "term__membership__organization__name"]
    list_select_related = ["term__membership__organization"]

    @admin.display(description="organization")
    def organization(self, obj: Dues) -> str:
        return obj.term.membership.organization.name


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["org_name", "applicant", "tier", "status", "submitted_at", "review_link"]
    list_filter = ["status", "tier", "segments", "submitted_at"]
    search_fields = ["org_name", "legal_name", "applicant__email", "applicant__name"]
    date_hierarchy = "submitted_at"
    raw_id_fields = ["applicant", "organization"]
    readonly_fields = [
        "status", "submitted_at", "decided_at", "decided_by", "charter_version",
        "charter_accepted_at", "charter_ip_address", "charter_user_agent",
    ]  # fmt: skip
    actions = ["start_review", "approve"]
    list_select_related = ["applicant", "tier"]
    formfield_overrides = HTTPS_URL_OVERRIDES

    @admin.display(description="review")
    def review_link(self, obj: Application) -> str:
        if obj.status == Application.Status.DRAFT:
            return "—"
        return format_html('<a href="{}">Review</a>', reverse("staff:members:application", args=[obj.pk]))

    @admin.action(description="Mark as under review")
    def start_review(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda a: services.application_start_review(actor=request.user, application=a),
            done="Under review",
        )

    @admin.action(description="Approve (creates the membership)")
    def approve(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda a: services.application_approve(actor=request.user, application=a),
            done="Approved",
        )


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "published_at", "published_by"]
    readonly_fields = ["published_at", "published_by"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        # A published text is what members accepted: it can't change.
        if obj is not None and obj.is_published:
            return ["number", "title", "body", "summary_of_changes", "published_at", "published_by"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.is_published

    @admin.action(description="Publish (members are asked to accept it)")
    def publish(self, request, queryset):
        run_action(
            self,
            request,
            queryset.order_by("number"),
            lambda v: services.charter_publish(actor=request.user, version=v),
            done="Published",
        )


@admin.register(CharterAcceptance)
class CharterAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["organization", "version", "accepted_by", "accepted_at", "ip_address"]
    list_filter = ["version"]
    search_fields = ["organization__name", "accepted_by__email"]
    readonly_fields = ["organization", "version", "accepted_by", "accepted_at", "ip_address", "user_agent"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["email", "organization__name"]
    raw_id_fields = ["organization", "invited_by", "accepted_by"]
    readonly_fields = ["accepted_at", "accepted_by", "revoked_at"]
