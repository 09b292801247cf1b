"""Wallet endpoints under ``/api/v1/`` of every tenant kind (see ``views.py``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.wallet.views import MyLedgerView, MyWalletView, WalletViewSet

router = SimpleRouter(use_regex_path=False)
router.register("wallets", WalletViewSet, basename="wallet")

urlpatterns = [
    path("wallet/", MyWalletView.as_view(), name="my-wallet"),
    path("wallet/ledger/", MyLedgerView.as_view(), name="my-wallet-ledger"),
    *router.urls,
]
