"""Event pages at /events/ and staff pages at /staff/events/, one namespace."""

from django.urls import path

from . import staff_views, views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/calendar/", views.event_month, name="month"),
    path("events/mine/", views.my_events, name="mine"),
    path("events/mine/feed/", views.feed_manage, name="feed_manage"),
    path("events/feed/<str:token>.ics", views.feed, name="feed"),
    path("events/<slug:slug>/", views.event_detail, name="detail"),
    path("events/<slug:slug>/register/", views.event_register, name="register"),
    path("events/<slug:slug>/cancel/", views.registration_cancel, name="cancel_registration"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="ics"),
    path("staff/events/", staff_views.event_list, name="staff_list"),
    path("staff/events/new/", staff_views.event_create, name="staff_create"),
    path("staff/events/<int:pk>/", staff_views.event_detail, name="staff_detail"),
    path("staff/events/<int:pk>/edit/", staff_views.event_edit, name="staff_edit"),
    path("staff/events/<int:pk>/publish/", staff_views.event_publish, name="staff_publish"),
    path("staff/events/<int:pk>/duplicate/", staff_views.event_duplicate, name="staff_duplicate"),
    path("staff/events/<int:pk>/reschedule/", staff_views.event_reschedule, name="staff_reschedule"),
    path("staff/events/<int:pk>/cancel/", staff_views.event_cancel, name="staff_cancel"),
    path("staff/events/<int:pk>/registrants/", staff_views.registrant_list, name="staff_registrants"),
    path("staff/events/<int:pk>/registrants.csv", staff_views.registrant_export, name="staff_export"),
    path("staff/events/<int:pk>/check-in/", staff_views.check_in, name="staff_check_in"),
    path(
        "staff/events/registrations/<int:pk>/cancel/", staff_views.registration_cancel, name="staff_registration_cancel"
    ),
    path("staff/events/registrations/<int:pk>/attendance/", staff_views.attendance, name="staff_attendance"),
]
