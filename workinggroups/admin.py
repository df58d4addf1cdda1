"""Working groups in the admin: lists, filters, search; actions call the services."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from cma.admin import run_action

from . import services
from .models import Activity, Comment, Document, DocumentTag, DocumentVersion, GroupMembership, WorkingGroup


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    fields = ("user", "role", "status", "joined_at")
    readonly_fields = ("user", "role", "status", "joined_at")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # memberships change through the services (actions, group pages)


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "join_policy", "updated_at", "page")
    list_filter = ("status", "join_policy")
    search_fields = ("name", "summary", "mission")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [MembershipInline]
    actions = ["archive", "reactivate"]

    @admin.display(description="Page")
    def page(self, obj):
        return format_html('<a href="{}">view</a>', reverse("workinggroups:detail", kwargs={"slug": obj.slug}))

    @admin.action(description="Archive (read-only)")
    def archive(self, request, queryset):
        run_action(
            self, request, queryset, lambda g: services.group_archive(actor=request.user, group=g), done="Archived"
        )

    @admin.action(description="Reactivate")
    def reactivate(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda g: services.group_reactivate(actor=request.user, group=g),
            done="Reactivated",
        )


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "role", "status", "joined_at", "updated_at")
    list_filter = ("status", "role", "group")
    search_fields = ("user__email", "user__name", "group__name")
    list_select_related = ("user", "group")
    readonly_fields = [f.name for f in GroupMembership._meta.fields]
    actions = ["approve", "decline", "remove"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # history stays: rows change state, they are never deleted

    @admin.action(description="Approve selected join requests")
    def approve(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related("group", "user"),
            lambda m: services.membership_approve(actor=request.user, membership=m),
            done="Approved",
        )

    @admin.action(description="Decline selected join requests")
    def decline(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related("group", "user"),
            lambda m: services.membership_decline(actor=request.user, membership=m),
            done="Declined",
        )

    @admin.action(description="Remove selected members from their group")
    def remove(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related("group", "user"),
            lambda m: services.membership_remove(actor=request.user, membership=m),
            done="Removed",
        )


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ("number", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at", "change_note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "group", "status", "version_count", "created_by", "updated_at")
    list_filter = ("status", "group", "tags")
    search_fields = ("title", "description", "group__name")
    list_select_related = ("group", "created_by")
    readonly_fields = (
        "group",
        "status",
        "created_by",
        "latest_version",
        "version_count",
        "created_at",
        "updated_at",
        "archived_at",
    )
    fields = ("group", "title", "description", "tags", *readonly_fields[1:])
    filter_horizontal = ("tags",)
    inlines = [VersionInline]
    actions = ["archive", "restore"]

    def has_add_permission(self, request):
        return False  # documents arrive through the checked upload on the group pages

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Move to the group's archive")
    def archive(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related("group"),
            lambda d: services.document_archive(actor=request.user, document=d),
            done="Archived",
        )

    @admin.action(description="Restore from the archive")
    def restore(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related("group"),
            lambda d: services.document_restore(actor=request.user, document=d),
            done="Restored",
        )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("document", "author", "created_at", "edited_at", "removed_at")
    list_filter = (("removed_at", admin.EmptyFieldListFilter), "document__group")
    search_fields = ("body", "author__email", "document__title")
    list_select_related = ("document", "author")
    readonly_fields = [f.name for f in Comment._meta.fields]
    actions = ["remove"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Remove selected comments")
    def remove(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related("document__group"),
            lambda c: services.comment_remove(actor=request.user, comment=c),
            done="Removed",
        )


@admin.register(DocumentTag)
class DocumentTagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("group", "actor", "kind", "subject", "created_at")
    list_filter = ("kind", "group")
    list_select_related = ("group", "actor")
    readonly_fields = [f.name for f in Activity._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
