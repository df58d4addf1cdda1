"""Working groups at /groups/… (staff pages: staff_urls.py)."""

from django.urls import path

from . import views

app_name = "workinggroups"

urlpatterns = [
    path("groups/", views.group_list, name="list"),
    path("groups/mine/", views.my_groups, name="mine"),
    path("groups/<slug:slug>/", views.group_detail, name="detail"),
    path("groups/<slug:slug>/join/", views.join, name="join"),
    path("groups/<slug:slug>/leave/", views.leave, name="leave"),
    path("groups/<slug:slug>/mute/", views.mute, name="mute"),
    path("groups/<slug:slug>/request/withdraw/", views.withdraw, name="withdraw"),
    path("groups/<slug:slug>/invitation/accept/", views.accept_invitation, name="accept_invitation"),
    path("groups/<slug:slug>/invitation/decline/", views.decline_invitation, name="decline_invitation"),
    path("groups/<slug:slug>/members/", views.members, name="members"),
    path("groups/<slug:slug>/members.csv", views.members_export, name="members_export"),
    path("groups/<slug:slug>/members/invite/", views.invite, name="invite"),
    path("groups/<slug:slug>/members/<int:pk>/approve/", views.member_approve, name="member_approve"),
    path("groups/<slug:slug>/members/<int:pk>/decline/", views.member_decline, name="member_decline"),
    path("groups/<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("groups/<slug:slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("groups/<slug:slug>/documents/", views.documents, name="documents"),
    path("groups/<slug:slug>/documents/archive/", views.documents_archive, name="documents_archive"),
    path("groups/<slug:slug>/documents/new/", views.document_new, name="document_new"),
    path("groups/<slug:slug>/documents/<int:pk>/", views.document_detail, name="document"),
    path("groups/<slug:slug>/documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("groups/<slug:slug>/documents/<int:pk>/download/", views.download, name="download_latest"),
    path("groups/<slug:slug>/documents/<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("groups/<slug:slug>/documents/<int:pk>/versions/<int:number>/download/", views.download, name="download"),
    path("groups/<slug:slug>/documents/<int:pk>/archive/", views.document_archive, name="document_archive"),
    path("groups/<slug:slug>/documents/<int:pk>/restore/", views.document_restore, name="document_restore"),
    path("groups/<slug:slug>/documents/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("groups/<slug:slug>/comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("groups/<slug:slug>/comments/<int:pk>/remove/", views.comment_remove, name="comment_remove"),
    path("groups/<slug:slug>/meetings/new/", views.meeting_new, name="meeting_new"),
]
