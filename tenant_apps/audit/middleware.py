"""Records the client IP of each request for the audit log, and each request made with an
impersonation token."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenant_apps.audit.context import reset_client_ip, reset_impersonator, set_client_ip, set_impersonator

#: Attribute of the ``HttpRequest`` set by JWT authentication when the request's access token is an
#: impersonation token: ``{"impersonator": {"email", "id"}, "session": <jti>, "user": <User>}``.
IMPERSONATION_ATTR = "impersonation"


def request_ip(request: HttpRequest) -> str | None:
    """The client address: ``REMOTE_ADDR``, which the ingress/proxy layer must set to the client
    (trusting a client-sent ``X-Forwarded-For`` would let anyone forge the audit trail)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Sets the audit client IP (``request_ip``) for the duration of each request, and resets it
    after (the impersonator too). A request authenticated by an impersonation token gets one
    ``impersonation.request`` row (method, path, status, session) in the tenant's audit log;
    other requests cost nothing more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_client_ip(request_ip(request))
        imp_token = set_impersonator(None)
        try:
            response = self.get_response(request)
            impersonation = getattr(request, IMPERSONATION_ATTR, None)
            if impersonation is not None:
                from tenant_apps.audit.impersonation import REQUEST
                from tenant_apps.audit.services import audit_record

                audit_record(
                    actor=impersonation["user"],
                    verb=REQUEST,
                    changes={
                        "method": request.method,
                        "path": request.path[:500],
                        "status": response.status_code,
                        "session": impersonation["session"],
                    },
                )
            return response
        finally:
            reset_impersonator(imp_token)
            reset_client_ip(token)
