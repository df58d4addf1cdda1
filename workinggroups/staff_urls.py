"""Staff pages at /staff/groups/, named "staff:workinggroups:<name>"."""

from django.urls import path

from . import staff_views

app_name = "workinggroups"

urlpatterns = [
    path("", staff_views.group_index, name="index"),
    path("new/", staff_views.group_new, name="group_new"),
    path("requests/", staff_views.request_queue, name="requests"),
    path("<slug:slug>/", staff_views.group_edit, name="group_edit"),
    path("<slug:slug>/archive/", staff_views.group_archive, name="group_archive"),
    path("<slug:slug>/reactivate/", staff_views.group_reactivate, name="group_reactivate"),
]
