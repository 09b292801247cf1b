"""``/api/v1/`` routes of the writing wallets app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.wallets import views

urlpatterns = [
    path("wallet/top-ups/", views.TopUpListView.as_view(), name="writing-wallet-top-ups"),
    path("payouts/", views.PayoutListView.as_view(), name="writing-payouts-list"),
    path("payouts/<int:pk>/", views.PayoutDetailView.as_view(), name="writing-payouts-detail"),
    path("payouts/<int:pk>/approve/", views.PayoutApproveView.as_view(), name="writing-payouts-approve"),
    path("payouts/<int:pk>/reject/", views.PayoutRejectView.as_view(), name="writing-payouts-reject"),
    path("payouts/<int:pk>/mark-paid/", views.PayoutMarkPaidView.as_view(), name="writing-payouts-mark-paid"),
]
