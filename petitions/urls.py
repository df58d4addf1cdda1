"""Public pages under /petitions/ (staff pages: staff_urls.py)."""

from django.urls import path

from . import views

app_name = "petitions"

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
]
