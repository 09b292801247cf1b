"""The plan's ``service_pages`` limit (``writing/kind.py``: a writing site's catalogue of
services): beyond it a new page is 403 ``plan_limit_reached`` and nothing is written; deleting a
page frees its slot."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.writing.cms.models import ServicePage
from tests.api import error_code
from tests.shared_apps.billing.plans import plan_for
from tests.tenant_apps.writing.cms.conftest import PAGES, make_page, page_url
from tests.tenant_apps.writing.conftest import Writing


def test_a_service_page_beyond_the_plan_is_refused_until_one_is_deleted(writing: Writing) -> None:
    # given: one page (unpublished: counted all the same) under a limit of one
    page = make_page(writing, title="Essays", is_published=False)
    plan_for(writing.tenant, service_pages=1)
    admin = writing.client("admin")
    with tenant_context(writing.tenant):
        before = (ServicePage.objects.count(), AuditLogEntry.objects.count())
    # when
    response = admin.post(PAGES, {"title": "Editing"}, format="json")
    # then
    assert response.status_code == 403, response.content
    assert error_code(response) == "plan_limit_reached"
    assert response.json()["error"]["details"] == {"limit": "service_pages", "allowed": 1, "usage": 1}
    with tenant_context(writing.tenant):
        assert (ServicePage.objects.count(), AuditLogEntry.objects.count()) == before
    # when: the page is deleted
    assert admin.delete(page_url(page.slug)).status_code == 204
    # then
    assert admin.post(PAGES, {"title": "Editing"}, format="json").status_code == 201
