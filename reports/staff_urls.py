"""Staff pages at /staff/reports/, named "staff:reports:<name>"."""

from django.urls import path

from . import staff_views

app_name = "reports"

urlpatterns = [
    path("", staff_views.report_index, name="index"),
    path("<slug:slug>/", staff_views.report_page, name="report"),
    path("<slug:slug>/csv/", staff_views.report_csv, name="csv"),
]
