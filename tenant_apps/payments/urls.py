"""``/api/v1/`` routes of the payments app (every tenant kind)."""

from django.urls import path

from tenant_apps.payments import views

urlpatterns = [
    path("invoices/", views.InvoiceListCreateView.as_view(), name="payments-invoice-list"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="payments-invoice-detail"),
    path("invoices/<int:pk>/cancel/", views.InvoiceCancelView.as_view(), name="payments-invoice-cancel"),
    path("invoices/<int:pk>/pdf/", views.InvoicePdfView.as_view(), name="payments-invoice-pdf"),
    path(
        "invoices/<int:pk>/offline-payments/",
        views.InvoiceOfflinePaymentView.as_view(),
        name="payments-invoice-offline-payment",
    ),
    path(
        "invoices/<int:pk>/stripe-payment-intent/",
        views.InvoiceStripeIntentView.as_view(),
        name="payments-invoice-stripe-intent",
    ),
    path("payments/", views.PaymentListView.as_view(), name="payments-payment-list"),
    path("payments/stripe/webhook/", views.StripeWebhookView.as_view(), name="payments-stripe-webhook"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payments-payment-detail"),
    path("payments/<int:pk>/approve/", views.PaymentApproveView.as_view(), name="payments-payment-approve"),
    path("payments/<int:pk>/reject/", views.PaymentRejectView.as_view(), name="payments-payment-reject"),
]
