"""The accounts app (every tenant schema): users, per-kind roles, password, JWT and one-time-code login;
``ready`` connects its signals."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, roles and login (password, JWT, one-time codes), in every schema."""

    name = "tenant_apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from tenant_apps.accounts import signals  # noqa: F401
