"""The front page, the accessibility statement, and the signed-in user's own pages (no namespace: allauth
redirects to "dashboard", every page links "home")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/profile/", views.profile_edit, name="profile_edit"),
]
