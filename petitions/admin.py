"""The admin for petitions. Every change with rules goes through `services.py`:
status changes are actions (never an editable field), moderation actions
call the same services as the staff queue, signatures are view-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone

from cma.admin import run_action
from cma.csv import stream_csv

from . import selectors, services
from .models import Endorsement, FAQItem, Petition, Resource, Signature


class FAQItemInline(admin.StackedInline):
    model = FAQItem
    extra = 0
    fields = ["position", "question", "answer"]


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["position", "title", "publisher", "published_on", "url"]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "phase_display", "accepts", "confirmed", "opens_at", "closes_at", "created_at"]
    list_filter = ["status", "accepts", "created_at"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "published_at", "closed_at", "created_by", "created_at", "updated_at"]
    fields = [
        "title", "slug", "summary", "ask", "body", "signature_goal", "accepts", "opens_at", "closes_at",
        "status", "published_at", "closed_at", "created_by", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [FAQItemInline, ResourceInline]
    actions = ["publish", "close", "reopen"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(confirmed_count=selectors.count_subquery(Signature, status=Signature.Status.CONFIRMED))
        )

    @admin.display(description="confirmed signatures", ordering="confirmed_count")
    def confirmed(self, obj: Petition) -> int:
        return obj.confirmed_count  # type: ignore[attr-defined]  # annotated by get_queryset()

    @admin.display(description="visitors see")
    def phase_display(self, obj: Petition) -> str:
        return Petition.Phase(obj.phase).label

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.PETITION_FIELDS if name in form.cleaned_data}
        if change:
            services.petition_update(actor=request.user, petition=Petition.objects.get(pk=obj.pk), fields=fields)
        else:
            services.petition_create(actor=request.user, fields=fields, instance=obj)

    @admin.action(description="Publish the selected drafts")
    def publish(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda p: services.petition_publish(actor=request.user, petition=p),
            done="Published",
        )

    @admin.action(description="Close the selected petitions")
    def close(self, request, queryset):
        run_action(
            self, request, queryset, lambda p: services.petition_close(actor=request.user, petition=p), done="Closed"
        )

    @admin.action(description="Reopen the selected closed petitions")
    def reopen(self, request, queryset):
        run_action(
            self, request, queryset, lambda p: services.petition_reopen(actor=request.user, petition=p), done="Reopened"
        )


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "email", "state", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "petition", "show_name", "wants_updates", "state"]
    search_fields = ["email", "name", "zip_code"]
    list_select_related = ["petition"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # COUNT(*) over a large petition on every page is wasted work
    actions = ["withdraw", "export_csv"]
    readonly_fields = [
        "petition", "name", "email", "zip_code", "state", "comment", "show_name", "wants_updates", "status",
        "created_at", "confirmed_at", "withdrawn_at", "erased_at",
    ]  # fmt: skip
    fields = tuple(readonly_fields)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # withdraw instead: the row stays, without personal data, so counts stay true

    def get_actions(self, request):
        # Django offers actions only to users who may change something; here
        # they call services, so staff get them on this view-only list too.
        actions = super().get_actions(request)
        for name in self.actions:
            func, action_name, description = self.get_action(name)
            actions.setdefault(action_name, (func, action_name, description))
        return actions

    @admin.action(description="Withdraw the selected signatures and erase their details")
    def withdraw(self, request, queryset):
        run_action(self, request, queryset, lambda s: services.signature_withdraw(signature_id=s.pk), done="Withdrawn")

    @admin.action(description="Export the selected confirmed signatures as CSV")
    def export_csv(self, request, queryset):
        zone = timezone.get_current_timezone()
        rows = (
            [s.petition.title, s.name, s.email, s.zip_code, s.state, s.comment, s.confirmed_at.astimezone(zone)]
            for s in queryset.filter(status=Signature.Status.CONFIRMED).select_related("petition").iterator()
        )
        return stream_csv(
            "signatures.csv", ["Petition", "Name", "Email", "ZIP code", "State", "Comment", f"Confirmed ({zone})"], rows
        )


class EndorsementAdminForm(forms.ModelForm):
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")

    class Meta:
        model = Endorsement
        fields = ["organization_name", "scope", "state", "website"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == Endorsement.Scope.STATE and not cleaned.get("state"):
            self.add_error("state", "A State or Local endorsement needs its state.")
        return cleaned


class RejectReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to each organization's contact)", max_length=1000, widget=forms.Textarea
    )


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    form = EndorsementAdminForm
    list_display = ["organization_name", "petition", "scope", "state", "status", "featured", "confirmed_at"]
    list_filter = ["status", "scope", "featured", "petition", "state"]
    search_fields = ["organization_name", "contact_name", "contact_email", "website"]
    list_select_related = ["petition"]
    date_hierarchy = "created_at"
    actions = ["approve", "reject", "feature", "unfeature"]
    readonly_fields = [
        "petition", "status", "featured", "logo", "contact_name", "contact_title", "contact_email", "authorized",
        "rejection_reason", "created_at", "confirmed_at", "moderated_at", "moderated_by", "withdrawn_at",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False  # organizations endorse through the public form, which confirms their email

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # reject instead: the contact is told and the record stays

    def save_model(self, request, obj, form, change):
        # The service may refuse (a name this contact already uses): said as an action's refusal is.
        run_action(
            self,
            request,
            [Endorsement.objects.get(pk=obj.pk)],
            lambda e: services.endorsement_update(
                actor=request.user,
                endorsement=e,
                fields={name: form.cleaned_data[name] for name in form.changed_data},
            ),
            done="Listing updated",
        )

    @admin.action(description="Approve the selected endorsements (the contacts are told)")
    def approve(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda e: services.endorsement_approve(actor=request.user, endorsement=e),
            done="Approved",
        )

    @admin.action(description="Reject the selected endorsements, with a reason…")
    def reject(self, request, queryset):
        form = RejectReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_action(
                self,
                request,
                queryset,
                lambda e: services.endorsement_reject(actor=request.user, endorsement=e, reason=reason),
                done="Rejected",
            )
            return None
        return TemplateResponse(
            request,
            "petitions/admin/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject endorsements",
                "opts": self.model._meta,
                "form": form,
                "endorsements": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Feature the selected approved endorsements")
    def feature(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda e: services.endorsement_set_featured(actor=request.user, endorsement=e, featured=True),
            done="Featured",
        )

    @admin.action(description="Stop featuring the selected endorsements")
    def unfeature(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda e: services.endorsement_set_featured(actor=request.user, endorsement=e, featured=False),
            done="No longer featured",
        )
