"""Records the client IP of each request for the audit log."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenant_apps.audit.context import reset_client_ip, set_client_ip


def request_ip(request: HttpRequest) -> str | None:
    """The client address: ``REMOTE_ADDR``, which the ingress/proxy layer must set to the client
    (trusting a client-sent ``X-Forwarded-For`` would let anyone forge the audit trail)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Sets the audit client IP (``request_ip``) for the duration of each request, and resets it after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_client_ip(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_client_ip(token)
