from __future__ import annotations

from django.contrib import admin

from .models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Read-only here: posts are written and published from the staff pages,
    where the lifecycle (review, schedule, publish, archive) and its audit hold."""

    list_display = ["title", "kind", "status", "visibility", "published_at"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title", "standfirst"]
    readonly_fields = [f.name for f in Post._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
