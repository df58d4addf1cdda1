"""Staff pages at /staff/petitions/, named "staff:petitions:<name>"."""

from django.urls import path

from . import staff_views

app_name = "petitions"

urlpatterns = [
    path("", staff_views.petition_list, name="list"),
    path("new/", staff_views.petition_create, name="create"),
    path("moderation/", staff_views.moderation_queue, name="moderation"),
    path("endorsements/<int:pk>/", staff_views.endorsement_detail, name="endorsement"),
    path(
        "endorsements/<int:pk>/approve/",
        staff_views.moderate,
        {"action": "approve"},
        name="approve",
    ),
    path("endorsements/<int:pk>/reject/", staff_views.moderate, {"action": "reject"}, name="reject"),
    path(
        "endorsements/<int:pk>/feature/",
        staff_views.moderate,
        {"action": "feature"},
        name="feature",
    ),
    path(
        "endorsements/<int:pk>/unfeature/",
        staff_views.moderate,
        {"action": "unfeature"},
        name="unfeature",
    ),
    path("<int:pk>/", staff_views.petition_detail, name="detail"),
    path("<int:pk>/edit/", staff_views.petition_edit, name="edit"),
    path(
        "<int:pk>/publish/",
        staff_views.petition_transition,
        {"action": "publish"},
        name="publish",
    ),
    path("<int:pk>/close/", staff_views.petition_transition, {"action": "close"}, name="close"),
    path("<int:pk>/reopen/", staff_views.petition_transition, {"action": "reopen"}, name="reopen"),
    path("<int:pk>/signatures.csv", staff_views.export_signatures, name="export_signatures"),
    path("<int:pk>/endorsements.csv", staff_views.export_endorsements, name="export_endorsements"),
]
