"""Staff pages at /staff/billing/, named "staff:billing:<name>"."""

from django.urls import path

from . import staff_views

app_name = "billing"

urlpatterns = [
    path("", staff_views.invoice_list, name="list"),
    path("invoices/<int:pk>/", staff_views.invoice_detail, name="detail"),
    path("by-number/<str:number>/", staff_views.invoice_by_number, name="by_number"),
    path("invoices/<int:pk>/payments/", staff_views.payment_new, name="payment"),
    path("invoices/<int:pk>/credit-notes/", staff_views.credit_new, name="credit"),
    path("invoices/<int:pk>/extend/", staff_views.extend, name="extend"),
]
