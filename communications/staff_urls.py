"""Staff pages at /staff/communications/, named "staff:communications:<name>"."""

from django.urls import path

from . import staff_views

app_name = "communications"

urlpatterns = [
    path("", staff_views.message_list, name="list"),
    path("new/", staff_views.message_new, name="new"),
    path("preview/", staff_views.audience_preview, name="preview"),
    path("suppressions.csv", staff_views.suppression_export, name="suppressions"),
    path("<int:pk>/", staff_views.message_detail, name="detail"),
    path("<int:pk>/edit/", staff_views.message_edit, name="edit"),
    path("<int:pk>/progress/", staff_views.message_progress, name="progress"),
    path("<int:pk>/test/", staff_views.message_test, name="test"),
    path("<int:pk>/send/", staff_views.message_send, name="send"),
    path("<int:pk>/<slug:action>/", staff_views.message_action, name="action"),
]
