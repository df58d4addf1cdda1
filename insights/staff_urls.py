"""Staff pages at /staff/insights/, named "staff:insights:<name>"."""

from django.urls import path

from . import staff_views

app_name = "insights"

urlpatterns = [
    path("", staff_views.post_list, name="list"),
    path("new/", staff_views.post_new, name="new"),
    path("<int:pk>/", staff_views.post_detail, name="detail"),
    path("<int:pk>/edit/", staff_views.post_edit, name="edit"),
    path("<int:pk>/images/", staff_views.post_image_upload, name="image"),
    path("<int:pk>/schedule/", staff_views.post_schedule, name="schedule"),
    path("<int:pk>/<slug:action>/", staff_views.post_action, name="action"),
]
