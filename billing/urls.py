from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_download, name="invoice_pdf"),
    path("credit-notes/<int:pk>/pdf/", views.credit_note_download, name="credit_note_pdf"),
    path("invoices/<int:pk>/pay/", views.invoice_pay, name="invoice_pay"),
    path("members/<slug:slug>/invoices/", views.organization_invoices, name="organization_invoices"),
    path("billing/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
