"""Public pages under /petitions/ and staff pages under /staff/petitions/ (one include in cma/urls.py)."""

from django.urls import include, path

from . import staff_views, views

app_name = "petitions"

# /staff/petitions/…, named "petitions:staff:<name>": a namespace of their own, so the
# site header marks them as staff pages rather than public petition pages.
staff_urlpatterns = [
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

urlpatterns = [
    path("petitions/", views.petition_list, name="list"),
    path("petitions/endorsements/<int:pk>/logo.png", views.endorsement_logo, name="endorsement_logo"),
    path("petitions/<slug:slug>/", views.petition_detail, name="detail"),
    path("petitions/<slug:slug>/sign/", views.sign, name="sign"),
    path("petitions/<slug:slug>/endorse/", views.endorse, name="endorse"),
    path("petitions/<slug:slug>/check-your-email/", views.check_email, name="check_email"),
    path("petitions/<slug:slug>/confirm/<str:token>/", views.signature_confirm, name="signature_confirm"),
    path("petitions/<slug:slug>/withdraw/<str:token>/", views.signature_withdraw, name="signature_withdraw"),
    path(
        "petitions/<slug:slug>/endorsement/confirm/<str:token>/",
        views.endorsement_confirm,
        name="endorsement_confirm",
    ),
    path(
        "petitions/<slug:slug>/endorsement/withdraw/<str:token>/",
        views.endorsement_withdraw,
        name="endorsement_withdraw",
    ),
    path("petitions/<slug:slug>/widget/", views.widget, name="widget"),
    path("petitions/<slug:slug>/data.json", views.api, name="api"),
    path("staff/petitions/", include((staff_urlpatterns, "staff"))),
]
