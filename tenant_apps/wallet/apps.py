from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "tenant_apps.wallet"
    label = "wallet"
