"""Helpers of the order messages tests: URLs, posting, and the site's message settings."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.messages.models import MessageSettings
from tenant_apps.writing.messages.services import message_settings
from tests.fixture_types import ApiResponse
from tests.tenant_apps.writing.conftest import Writing

FLAGGED = "/api/v1/order-messages/flagged/"
SETTINGS = "/api/v1/order-messages/settings/"

__all__ = ["FLAGGED", "SETTINGS", "messages_url", "post", "set_message_settings"]


def messages_url(order_id: Any) -> str:
    """``/api/v1/orders/{order_id}/messages/``."""
    return f"/api/v1/orders/{order_id}/messages/"


def post(writing: Writing, who: str, order_id: int, body: str) -> ApiResponse:
    """``who`` posts ``{body}`` (JSON) on order ``order_id``'s thread."""
    response: ApiResponse = writing.client(who).post(messages_url(order_id), {"body": body}, format="json")
    return response


def set_message_settings(writing: Writing, **fields: Any) -> MessageSettings:
    """Change the site's message settings directly (test set-up)."""
    with tenant_context(writing.tenant):
        row = message_settings()
        for field, value in fields.items():
            setattr(row, field, value)
        row.save()
        return row
