"""Brute-force throttles of the auth endpoints: per address and per client IP, per tenant.

Built on DRF's ``SimpleRateThrottle`` (a sliding window of request times in the cache). A view
names its endpoint in ``throttle_scope`` (``login``, ``password_reset``, ``otp_request``, ...);
each throttle class here adds its suffix and reads the rate from ``AUTH_THROTTLE_RATES``
(``"<scope>_address"``, ``"<scope>_ip"``, ``"<scope>_user"``; a scope with no rate is not
throttled). A refused request gets DRF's ``Throttled``: 429 in the API's error shape
(``code: "throttled"``) with a ``Retry-After`` header in seconds.

* The address is the canonical form of ``email`` (``addresses.normalize_email``) or the E.164
  ``phone`` of the request body, so look-alike spellings of one address share one budget.
* The client IP is DRF's ``get_ident``: ``REMOTE_ADDR``, or the address ``NUM_PROXIES`` hops from
  the right of ``X-Forwarded-For`` (setting ``TRUSTED_PROXY_COUNT``; 0 trusts no proxy, so a
  client cannot pick its own IP by sending the header).
* Keys carry the schema name: one site's budget never touches another's (the tenant cache's key
  function prefixes it too, in production).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from saas.db.tenant import current_schema
from tenant_apps.accounts.addresses import normalize_email_or_none


class _AuthRateThrottle(SimpleRateThrottle):
    """Rate from ``AUTH_THROTTLE_RATES["<view.throttle_scope>_<suffix>"]``; keys per tenant."""

    suffix = ""

    def __init__(self) -> None:  # the rate depends on the view: set in allow_request
        pass

    def get_rate(self) -> str | None:
        return settings.AUTH_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: Any) -> bool:
        base = getattr(view, "throttle_scope", None)
        if not base:
            return True
        self.scope = f"{base}_{self.suffix}"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def tenant_key(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": f"{current_schema()}:{ident}"}


class AddressRateThrottle(_AuthRateThrottle):
    """Per canonical e-mail address (or phone number) named in the request body."""

    suffix = "address"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data if isinstance(request.data, Mapping) else {}
        email, phone = data.get("email"), data.get("phone")
        address: str | None = None
        if isinstance(email, str) and email.strip():
            address = normalize_email_or_none(email) or email.strip().casefold()
        elif isinstance(phone, str) and phone.strip():
            address = "".join(ch for ch in phone if ch.isascii() and (ch.isdigit() or ch == "+"))
        if not address:
            return None  # nothing to count against: the request fails validation anyway
        return self.tenant_key(hashlib.sha256(address.encode()).hexdigest())


class ClientIPRateThrottle(_AuthRateThrottle):
    """Per client IP address (``get_ident``, honouring ``TRUSTED_PROXY_COUNT``)."""

    suffix = "ip"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.tenant_key(self.get_ident(request))


class UserRateThrottle(_AuthRateThrottle):
    """Per authenticated user (e.g. wrong old passwords on a password change)."""

    suffix = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.tenant_key(str(request.user.pk))


#: The throttles of an endpoint that names an address in its body (login, reset, OTP).
ADDRESS_AND_IP = [AddressRateThrottle, ClientIPRateThrottle]
