"""Host -> tenant -> schema -> the kind's URL conf, for every request.

Replaces django-tenants' ``TenantMainMiddleware``, which queries the domain table on every
request and answers unknown hosts with an HTML 404. Here:

* the lookup is answered from process memory (``hosts.tenant_for_host``), so a steady-state
  request costs no query and no Redis round trip (and a Redis outage falls back to the database);
* ``set_tenant`` does not touch the database; the ``search_path`` is set by the first query,
  and not at all when the connection already has it (``saas.db.backend``);
* the Host header is checked for syntax (a malformed one, or an IP address, is a JSON 400
  ``unknown_host``); a host ``ALLOWED_HOSTS`` matches (the platform domain and its subdomains)
  is Django-validated as before; any other host is served only if the tenant lookup finds it
  (a verified custom domain has a routing ``Domain`` row): the lookup is the allow-list, so
  ``ALLOWED_HOSTS`` never lists customer domains (see ``hostname_of``);
* unknown hosts (pending custom domains too), suspended, archived and not-yet-provisioned
  tenants get a JSON error in the API's one shape;
* a tenant suspended for billing (``Tenant.billing_suspended_at``, set by the dunning of
  ``shared_apps/billing/sync.py``) answers 403 ``tenant_suspended`` with ``details.reason``
  ``"billing"``, except on the paths its admin needs to sign in and pay (``BILLING_OPEN_PATHS``);
  staff's suspension (``status``) still closes everything. The cached tenant carries the field:
  no query;
* absolute URLs built from the request (``request.build_absolute_uri``, used by DRF, allauth
  and dj-rest-auth) name the site's primary domain in ``SITE_URL_FORMAT`` (``site_url``), not
  the Host header the client sent (host-header poisoning, see ``saas.db.tenant.site_url``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host
from django.urls import set_urlconf

from saas.api.errors import error_response
from saas.db.tenant import site_url, tenant_connection
from saas.observability import tag_tenant
from shared_apps.tenancy.hosts import tenant_for_host
from shared_apps.tenancy.models import Tenant, TenantStatus

_STATUS_ERRORS = {
    TenantStatus.SUSPENDED: (403, "tenant_suspended", "This site is suspended. Contact the site owner."),
    TenantStatus.ARCHIVED: (410, "tenant_archived", "This site has been archived."),
    TenantStatus.PROVISIONING: (503, "tenant_provisioning", "This site is being set up. Try again shortly."),
}

#: What a site suspended for billing still serves: what its admin needs to sign in (password
#: reset included), stay signed in and sign out, and its billing. Not registration, one-time
#: codes or the site's settings: a closed site takes no new users.
BILLING_OPEN_PATHS = (
    "/api/v1/auth/login/",
    "/api/v1/auth/logout/",
    "/api/v1/auth/token/",
    "/api/v1/auth/session/",
    "/api/v1/auth/password/",
    "/api/v1/auth/user/",
    "/api/v1/billing/",
)


def hostname_of(request: HttpRequest) -> str:
    """The request's host name, lower case, without port or trailing dot.

    Raises ``DisallowedHost`` for a malformed Host header (Django's host syntax: letters,
    digits, ``-`` and ``.``, or a bracketed IPv6 address; an optional port) or an IP address,
    and its subclass ``UnknownHost`` for a host outside ``ALLOWED_HOSTS`` that no site serves.

    A host outside ``ALLOWED_HOSTS`` that a site serves (a verified custom domain) is returned,
    and ``request.get_host`` is bound on this request instance to return it (with its port, as
    Django's does): Django's own would raise ``DisallowedHost`` for it, while CSRF's origin
    check and anything else that asks the request for its host must see the validated custom
    domain. Links are never built from it (``site_url``).
    """
    raw = request._get_raw_host()  # type: ignore[attr-defined]  # Django's, before ALLOWED_HOSTS
    domain, _port = split_domain_port(raw)
    if not domain:
        raise DisallowedHost(f"Invalid HTTP_HOST header: {raw!r}.")
    try:
        ipaddress.ip_address(domain.strip("[]"))
    except ValueError:
        pass
    else:
        raise DisallowedHost(f"An IP address is not a site: {raw!r}.")
    if validate_host(domain, settings.ALLOWED_HOSTS):
        return request.get_host().rsplit(":", 1)[0].rstrip(".").lower()
    if domain.startswith("[") or _lookup(domain) is None:
        raise UnknownHost(domain)
    request.get_host = lambda: raw  # type: ignore[method-assign]
    return domain


class UnknownHost(DisallowedHost):
    """A well-formed host outside ``ALLOWED_HOSTS`` that no site serves: a 404 ``unknown_tenant``
    from the middleware (a malformed one is a 400)."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host


def _lookup(host: str) -> Tenant | None:
    return tenant_for_host(host)


class TenantMiddleware:
    """Resolve the tenant from the Host header and route the request to its kind's URL conf."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            host = hostname_of(request)
        except UnknownHost as unknown:
            return error_response("unknown_tenant", f"No site is served at {unknown.host}.", 404)
        except DisallowedHost:
            return error_response("unknown_host", "This host is not served here.", 400)

        tenant = tenant_for_host(host)
        if tenant is None:
            return error_response("unknown_tenant", f"No site is served at {host}.", 404)
        if tenant.status in _STATUS_ERRORS:
            status, code, message = _STATUS_ERRORS[TenantStatus(tenant.status)]
            return error_response(code, message, status)
        if tenant.billing_suspended_at is not None and not request.path_info.startswith(BILLING_OPEN_PATHS):
            return error_response(
                "tenant_suspended",
                "This site is suspended until its subscription is paid. Its admin can sign in and pay in Billing.",
                403,
                {"reason": "billing"},
            )

        tenant.domain_url = host
        request.tenant = tenant  # type: ignore[attr-defined]
        tenant_connection().set_tenant(tenant)
        # build_absolute_uri() prefixes paths with this (a cached property of HttpRequest).
        request._current_scheme_host = site_url("", tenant)  # type: ignore[attr-defined]
        urlconf = str(settings.TENANT_TYPES[tenant.kind]["URLCONF"])
        request.urlconf = urlconf  # type: ignore[attr-defined]
        set_urlconf(urlconf)
        tag_tenant(tenant.schema_name)
        return self.get_response(request)
