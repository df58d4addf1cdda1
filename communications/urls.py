from django.urls import path

from . import views

app_name = "communications"

urlpatterns = [
    path("announcements/", views.archive_list, name="archive"),
    path("announcements/<int:pk>/", views.archive_detail, name="archive_detail"),
]
