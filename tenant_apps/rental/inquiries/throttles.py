"""Throttles of anonymous inquiries: a visitor may open a few per hour, per e-mail address and per
client IP, per site (rates in ``RENTAL_INQUIRY_VISITOR_RATES``: ``{"address": "N/h", "ip": "N/h"}``;
a missing rate is not throttled). Signed-in users are not throttled here.

Built on the auth throttles (``tenant_apps/accounts/throttles.py``): the same canonical-address and
client-IP keys (``TRUSTED_PROXY_COUNT``), the same 429 ``throttled`` answer with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request

from tenant_apps.accounts.throttles import AddressRateThrottle, ClientIPRateThrottle

#: The throttle scope of ``POST /api/v1/inquiries/`` by a visitor.
SCOPE = "inquiry_open"


class _VisitorRateMixin:
    """Rate from ``RENTAL_INQUIRY_VISITOR_RATES[suffix]``; signed-in users are let through."""

    suffix: str

    def get_rate(self) -> str | None:
        return settings.RENTAL_INQUIRY_VISITOR_RATES.get(self.suffix)

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return super().allow_request(request, view)  # type: ignore[misc]


class VisitorAddressRateThrottle(_VisitorRateMixin, AddressRateThrottle):
    """Per canonical e-mail address of a visitor's inquiry."""


class VisitorIPRateThrottle(_VisitorRateMixin, ClientIPRateThrottle):
    """Per client IP of a visitor's inquiry."""


VISITOR_THROTTLES = [VisitorAddressRateThrottle, VisitorIPRateThrottle]
