"""Event pages at /events/ (staff pages: staff_urls.py)."""

from django.urls import path

from . import views

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
]
