"""Helpers of the writing campaigns tests: URLs, campaigns made through the API or the factory,
the messages sent, and unsubscribe links read from them."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django_tenants.utils import tenant_context

from tenant_apps.writing.campaigns.models import Campaign
from tests.api import error_code
from tests.factories import CampaignFactory
from tests.tenant_apps.writing.conftest import Writing

CAMPAIGNS = "/api/v1/campaigns/"
PREFERENCE = "/api/v1/marketing-preference/"

__all__ = [
    "CAMPAIGNS",
    "PREFERENCE",
    "campaign_url",
    "create",
    "error_code",
    "make_campaign",
    "messages_to",
    "unsubscribe_path",
]


def campaign_url(pk: Any, action: str = "") -> str:
    """``/api/v1/campaigns/{pk}/{action}``."""
    return f"{CAMPAIGNS}{pk}/{action}"


def body(**overrides: Any) -> dict[str, Any]:
    """A valid create body (to all clients), with ``overrides``."""
    data: dict[str, Any] = {
        "subject": "Spring offers for {{ first_name }}",
        "html": "<p>Hello {{ first_name }}, <b>10% off</b> this week.</p>",
        "text": "Hello {{ first_name }}, 10% off this week.",
        "audience": "all_clients",
    }
    data.update(overrides)
    return data


def create(writing: Writing, **overrides: Any) -> dict[str, Any]:
    """A draft made by the admin through ``POST /campaigns/``; its JSON."""
    response = writing.client("admin").post(CAMPAIGNS, body(**overrides), format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def make_campaign(writing: Writing, **kwargs: Any) -> Campaign:
    """A campaign made by ``CampaignFactory`` in the writing site."""
    with tenant_context(writing.tenant):
        return CampaignFactory(**kwargs)


def messages_to(address: str) -> list[Any]:
    """The messages of ``mail.outbox`` sent to ``address``."""
    return [message for message in mail.outbox if address in message.to]


_LINK = re.compile(r"https?://[^/\s]+(/api/v1/unsubscribe/[^/\s]+/)")


def unsubscribe_path(message: Any) -> str:
    """The path of the unsubscribe link in ``message``'s text part."""
    found = _LINK.search(message.body)
    assert found, message.body
    return found.group(1)
