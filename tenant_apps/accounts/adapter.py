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
