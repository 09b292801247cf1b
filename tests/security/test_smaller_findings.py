"""Smaller findings of the audit: look-alike and reserved tenant slugs, self-approved payments,
an existence oracle on enrolments, and Unicode digits in amounts."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_exists

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD

RECEIPT = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# ---------------------------------------------------------------------------------------------
# a. Tenant slugs: punycode, "--", template schema names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "code"), [
    ("xn--80ak6aa92e", "invalid_slug"),  # punycode: shows as a look-alike Unicode name
    ("xn--alpha-9ta", "invalid_slug"),
    ("my--school", "invalid_slug"),
    ("template", "reserved_slug"),
    ("template-school", "reserved_slug"),  # "_template_school" as a DNS label
    ("templates", "reserved_slug"),
])
def test_look_alike_or_template_slugs_are_refused(session_tenants, db, client_for, login, slug, code):
    staff = client_for(None, login(None, "staff@localhost")["access"])
    # when
    response = staff.post("/api/v1/tenants/", {"name": "Evil", "slug": slug, "kind": "school",
                                               "owner_email": "o@evil.test", "owner_password": PASSWORD})
    # then
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert "slug" in response.json()["error"]["details"]
    assert not Tenant.objects.filter(schema_name=slug).exists()
    assert not schema_exists(slug)
