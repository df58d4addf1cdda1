"""The reference is edited in the staff pages (audited there); the admin only
lists it. Declarations are deliberately absent: no one reads rows of demand."""

from django.contrib import admin

from .models import Fact, Mineral


class FactInline(admin.TabularInline):
    model = Fact
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "percent", "end_use", "text", "source", "quotes", "source_date"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Mineral)
class MineralAdmin(admin.ModelAdmin):
    list_display = ["name", "symbol", "group", "import_reliance", "on_usgs_2025_list"]
    list_filter = ["group", "on_usgs_2025_list"]
    search_fields = ["name", "slug", "symbol"]
    readonly_fields = ["name", "slug", "symbol", "group", "uses", "unit", "on_usgs_2025_list", "import_reliance"]
    exclude = ["working_groups", "events", "petitions"]
    inlines = [FactInline]

    def has_add_permission(self, request) -> bool:
        return False
