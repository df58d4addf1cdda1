"""Staff pages at /staff/events/, named "staff:events:<name>"."""

from django.urls import path

from . import staff_views

app_name = "events"

urlpatterns = [
    path("", staff_views.event_list, name="list"),
    path("new/", staff_views.event_create, name="create"),
    path("<int:pk>/", staff_views.event_detail, name="detail"),
    path("<int:pk>/edit/", staff_views.event_edit, name="edit"),
    path("<int:pk>/publish/", staff_views.event_publish, name="publish"),
    path("<int:pk>/duplicate/", staff_views.event_duplicate, name="duplicate"),
    path("<int:pk>/reschedule/", staff_views.event_reschedule, name="reschedule"),
    path("<int:pk>/cancel/", staff_views.event_cancel, name="cancel"),
    path("<int:pk>/registrants/", staff_views.registrant_list, name="registrants"),
    path("<int:pk>/registrants.csv", staff_views.registrant_export, name="export"),
    path("<int:pk>/check-in/", staff_views.check_in, name="check_in"),
    path("registrations/<int:pk>/cancel/", staff_views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/attendance/", staff_views.attendance, name="attendance"),
]
