"""Staff pages at /staff/members/, named "staff:members:<name>"."""

from django.urls import path

from . import staff_views

app_name = "members"

urlpatterns = [
    path("applications/", staff_views.application_queue, name="applications"),
    path("applications/<int:pk>/", staff_views.application_review, name="application"),
    path("applications/<int:pk>/<slug:action>/", staff_views.application_action, name="application_action"),
    path("memberships/", staff_views.membership_list, name="memberships"),
    path("memberships/<int:pk>/", staff_views.membership_detail, name="membership"),
    path("memberships/<int:pk>/renew/", staff_views.membership_renew, name="renew"),
    path("memberships/<int:pk>/status/", staff_views.membership_status, name="membership_status"),
    path("dues/<int:pk>/paid/", staff_views.dues_paid, name="dues_paid"),
    path("export.csv", staff_views.directory_export, name="export"),
    path("charter/", staff_views.charter_admin, name="charter"),
    path("charter/<int:pk>/publish/", staff_views.charter_publish, name="charter_publish"),
]
