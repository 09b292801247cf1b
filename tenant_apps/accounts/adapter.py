"""allauth adapter: registration is an API call, so no redirects or flash messages."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open on tenant sites only; messages are not stored (there are no pages)."""

    def is_open_for_signup(self, request: Any) -> bool:
        from saas.db.tenant import current_schema

        return current_schema() != "public"

    def add_message(self, *args: Any, **kwargs: Any) -> None:
        return None

    def clean_email(self, email: str) -> str:
        """The address in canonical form (``addresses.normalize_email``): how sign-up stores it.

        Raises ``django.core.exceptions.ValidationError`` for an address that has none.
        """
        from tenant_apps.accounts.addresses import normalize_email

        return normalize_email(super().clean_email(email))
