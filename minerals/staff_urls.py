"""Staff pages at /staff/minerals/, named "staff:minerals:<name>"."""

from django.urls import path

from . import staff_views

app_name = "minerals"

urlpatterns = [
    path("", staff_views.home, name="home"),
    path("entries/", staff_views.entries, name="entries"),
    path("entries/<int:pk>/verify/", staff_views.entry_verify, name="verify"),
    path("rounds/new/", staff_views.round_new, name="round_new"),
    path("rounds/<int:pk>/close/", staff_views.round_close, name="round_close"),
    path("matrix/publish/", staff_views.matrix_publish, name="publish"),
    path("demand.csv", staff_views.demand_export, name="demand_csv"),
    path("<slug:slug>/", staff_views.mineral_edit, name="edit"),
    path("<slug:slug>/facts/", staff_views.fact_add, name="fact_add"),
    path("<slug:slug>/facts/<int:pk>/remove/", staff_views.fact_remove, name="fact_remove"),
]
