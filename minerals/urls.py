from django.urls import path

from . import views

app_name = "minerals"

urlpatterns = [
    path("", views.mineral_index, name="index"),
    path("members/", views.member_directory, name="directory"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.csv", views.coverage_csv, name="coverage_csv"),
    path("coverage/<slug:slug>/<slug:stage>/", views.coverage_cell, name="cell"),
    path("organizations/<slug:slug>/", views.organization_minerals, name="organization"),
    path("demand/", views.demand_list, name="demand"),
    path("demand/<int:pk>/", views.demand_round, name="round"),
    path("<slug:slug>/", views.mineral_detail, name="detail"),
    path("<slug:slug>/follow/", views.mineral_follow, name="follow"),
]
