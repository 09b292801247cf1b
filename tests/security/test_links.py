"""Host-header poisoning: every link the platform hands out names the site's primary domain
(``SITE_URL_FORMAT``, ``https://{host}`` in tests), whatever Host the request was sent with."""

from __future__ import annotations

import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.middleware import TenantMiddleware
from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD
from tests.factories import DomainFactory
from tests.fixture_types import ClientFor, Login, MakeUser

RESET_LINK = re.compile(r"https?://\S+/password/reset/confirm/[^/\s]+/[^/\s]+/")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(host: str, token: str | None = None) -> APIClient:
    """An API client sending ``host`` as its Host header."""
    client = APIClient(HTTP_HOST=host)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _reset_link(client: APIClient, email: str) -> str:
    response = client.post("/api/v1/auth/password/reset/", {"email": email})
    assert response.status_code == 200, response.content
    assert len(mail.outbox) == 1
    link = RESET_LINK.search(str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    mail.outbox.clear()
    return link.group(0)


def _make_primary(tenant: Tenant, host: str) -> None:
    DomainFactory(domain=host, tenant=tenant, is_primary=True)


def test_password_reset_link_ignores_a_port_in_the_host_header(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given a user of alpha
    make_user(alpha, "victim@example.com")
    # when an attacker asks for their reset link with a port of theirs in the Host header
    link = _reset_link(_client("alpha.localhost:1337"), "victim@example.com")
    # then the e-mailed link (token included) points at the primary domain only
    assert link.startswith("https://alpha.localhost/api/v1/auth/password/reset/confirm/"), link


def test_password_reset_email_does_not_echo_the_host_header(alpha: Tenant, make_user: MakeUser) -> None:
    make_user(alpha, "victim@example.com")
    # when
    _client("alpha.localhost:1337").post("/api/v1/auth/password/reset/", {"email": "victim@example.com"})
    # then neither subject nor text repeats what the attacker sent
    message = mail.outbox[0]
    assert "1337" not in str(message.subject) + str(message.body), (message.subject, message.body)
    assert message.subject.startswith("[Alpha] ")


def test_password_reset_link_on_an_alias_domain_names_the_primary_domain(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given alpha also answers on a second, non-primary domain
    DomainFactory(domain="alias.localhost", tenant=alpha, is_primary=False)
    make_user(alpha, "victim@example.com")
    # when the reset is requested through the alias
    link = _reset_link(_client("alias.localhost"), "victim@example.com")
    # then the link names the primary domain
    assert link.startswith("https://alpha.localhost/"), link


def test_links_follow_a_new_primary_domain_at_once(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None:
    # given a reset link was sent (the primary domain is cached now)
    make_user(alpha, "victim@example.com")
    client = client_for(alpha)
    assert _reset_link(client, "victim@example.com").startswith("https://alpha.localhost/")
    # when another domain becomes primary
    _make_primary(alpha, "school.example.test")
    # then the next link uses it, although the request still came to alpha.localhost
    assert _reset_link(client, "victim@example.com").startswith("https://school.example.test/")


def test_set_password_email_names_the_primary_domain(alpha: Tenant, make_user: MakeUser) -> None:
    from tenant_apps.accounts.tasks import send_set_password_email

    # given alpha's primary domain is a custom one
    _make_primary(alpha, "school.example.test")
    user = make_user(alpha, "owner2@example.com")
    # when the set-password e-mail is sent (the task runs outside any request)
    with tenant_context(alpha):
        send_set_password_email(user.pk)
    # then its link names the primary domain
    assert "Link: https://school.example.test/api/v1/auth/password/reset/confirm/" in mail.outbox[0].body


def test_file_download_url_ignores_the_host_header(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given a user uploading through a Host with the attacker's port
    client = _client("alpha.localhost:1337", login(alpha, "admin@alpha.test")["access"])
    # when
    response = client.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", PDF, "application/pdf")}, format="multipart"
    )
    # then the download URL is on the primary domain
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith("https://alpha.localhost/api/v1/files/"), response.json()["url"]


def test_pagination_links_ignore_the_host_header(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given three users (admin included) and pages of one
    make_user(alpha, "one@example.com")
    make_user(alpha, "two@example.com")
    client = _client("alpha.localhost:1337", login(alpha, "admin@alpha.test")["access"])
    # when
    body = client.get("/api/v1/users/?page=2&page_size=1").json()
    # then both links are on the primary domain and keep the query
    assert body["next"] == "https://alpha.localhost/api/v1/users/?page=3&page_size=1"
    assert body["previous"] == "https://alpha.localhost/api/v1/users/?page_size=1"


def test_any_absolute_uri_built_from_the_request_names_the_primary_domain(alpha: Tenant) -> None:
    # given a request through the tenant middleware with a poisoned Host
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.build_absolute_uri("/x/?y=1"))
        seen.append(request.build_absolute_uri())
        return HttpResponse()

    request = RequestFactory().get("/api/v1/site/", HTTP_HOST="alpha.localhost:1337")
    # when
    TenantMiddleware(view)(request)
    # then
    assert seen == ["https://alpha.localhost/x/?y=1", "https://alpha.localhost/api/v1/site/"]


def test_platform_links_name_the_platform_domain(
    db: None, session_tenants: dict[str, Tenant], client_for: ClientFor
) -> None:
    # when a staff member pages through tenants on the platform host with another port
    token = client_for(None).post("/api/v1/auth/login/", {"email": "staff@localhost", "password": PASSWORD})
    client = _client("localhost:1337", token.json()["access"])
    body = client.get("/api/v1/tenants/?page_size=1").json()
    # then
    assert body["next"].startswith("https://localhost/api/v1/tenants/?"), body["next"]


def test_steady_state_links_cost_no_query(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given the primary domain was looked up once
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    client.get("/api/v1/users/?page_size=1")
    # when
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/users/?page_size=1")
    # then no query reads the domain table
    assert not [q for q in queries.captured_queries if "tenancy_domain" in q["sql"]]
