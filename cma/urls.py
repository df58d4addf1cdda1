from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from cma import staff_views, views

admin.site.site_header = "CMA USA staff administration"
admin.site.site_title = "CMA USA admin"
admin.site.index_title = "Administration"

# Every staff page lives under /staff/ and is named "staff:<app>:<name>".
staff_urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff_views.staff_index, name="index"),
    path("members/", include("members.staff_urls")),
    path("events/", include("events.staff_urls")),
    path("groups/", include("workinggroups.staff_urls")),
    path("petitions/", include("petitions.staff_urls")),
    path("communications/", include("communications.staff_urls")),
    path("insights/", include("insights.staff_urls")),
    path("billing/", include("billing.staff_urls")),
    path("reports/", include("reports.staff_urls")),
    path("minerals/", include("minerals.staff_urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    # Before the other apps at the root: signing is the busiest public write,
    # and every petitions path starts with "petitions/", which no other app
    # uses, so the order decides nothing else.
    path("", include("petitions.urls")),
    path("", include("members.account_urls")),
    path("", include("members.urls")),
    path("staff/", include((staff_urlpatterns, "staff"))),
    path("", include("events.urls")),
    path("", include("workinggroups.urls")),
    path("", include("communications.urls")),
    path("", include("insights.urls")),
    path("", include("billing.urls")),
    path("minerals/", include("minerals.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "cma.views.bad_request"
handler403 = "cma.views.permission_denied"
handler404 = "cma.views.page_not_found"
handler500 = "cma.views.server_error"
