from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/", views.directory, name="directory"),
    path("members/all/", views.member_directory, name="member_directory"),
    path("members/<slug:slug>/", views.organization_profile, name="organization"),
    path("members/<slug:slug>/logo/", views.organization_logo, name="logo"),
    path("members/<slug:slug>/manage/", views.organization_manage, name="manage"),
    path("members/<slug:slug>/edit/", views.organization_edit, name="edit"),
    path("members/<slug:slug>/invite/", views.organization_invite, name="invite"),
    path("members/<slug:slug>/people/<int:pk>/role/", views.organization_change_role, name="change_role"),
    path("members/<slug:slug>/people/<int:pk>/remove/", views.organization_remove_person, name="remove_person"),
    path(
        "members/<slug:slug>/invitations/<int:pk>/revoke/",
        views.organization_revoke_invitation,
        name="revoke_invitation",
    ),
    path("members/<slug:slug>/charter/accept/", views.organization_accept_charter, name="accept_charter"),
    path("invitations/<int:pk>/accept/", views.invitation_accept_from_dashboard, name="accept_invitation"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("apply/", views.apply, name="apply"),
    path("apply/<int:pk>/", views.application_detail, name="application"),
    path("apply/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("charter/", views.charter, name="charter"),
    path("charter/diff/", views.charter_diff, name="charter_diff"),
]
