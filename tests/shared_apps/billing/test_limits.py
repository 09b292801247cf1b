"""Plan limits in the product (issue 16, point 4): creating what a limit counts beyond the site's
plan answers 403 ``plan_limit_reached`` with the limit, what is allowed and the usage, and writes
nothing; the platform's limits (users, storage, custom domains) through the endpoints a user
calls. Each kind's limit is tested next to its app (``tests/tenant_apps/**/test_plan_limit.py``);
the race on the last slot is ``test_limits_race.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from saas.db.tenant import in_tenant
from shared_apps.billing.limits import BYTES_PER_MB, LimitUsage, known_limits, limits_off, plan_slot, usage_of
from shared_apps.billing.models import BillingAccount
from shared_apps.tenancy.models import CustomDomain, Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.files.models import StoredFile
from tests.api import error_code
from tests.conftest import PASSWORD
from tests.factories import StoredFileFactory, UserFactory
from tests.fixture_types import ClientFor, Login, MakeUser
from tests.shared_apps.billing.plans import plan_for

USERS = "/api/v1/users/"
REGISTER = "/api/v1/auth/registration/"
FILES = "/api/v1/files/"
DOMAINS = "/api/v1/domains/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def admin(alpha: Tenant, login: Login, client_for: ClientFor) -> APIClient:
    """alpha's admin's API client (alpha: a school site)."""
    return client_for(alpha, login(alpha, "admin@alpha.test")["access"])


def _active_users(tenant: Tenant) -> int:
    with in_tenant(tenant):
        return User.objects.filter(is_active=True).count()


def _audit_rows(tenant: Tenant) -> int:
    with in_tenant(tenant):
        return AuditLogEntry.objects.count()


def _refused(response: Any, *, limit: str, allowed: int, usage: int) -> None:
    assert response.status_code == 403, response.content
    assert error_code(response) == "plan_limit_reached"
    assert response.json()["error"]["details"] == {"limit": limit, "allowed": allowed, "usage": usage}


def _register(client: APIClient, email: str) -> Any:
    return client.post(REGISTER, {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def _upload(client: APIClient, content: bytes = PDF) -> Any:
    return client.post(FILES, {"file": SimpleUploadedFile("r.pdf", content, "application/pdf")}, format="multipart")


# --------------------------------------------------------------------------------------------
# users
# --------------------------------------------------------------------------------------------


def test_registration_at_the_user_limit_is_refused_and_creates_no_account(alpha: Tenant, client_for: ClientFor) -> None:
    # given: the plan allows exactly the active users alpha has
    usage = _active_users(alpha)
    plan_for(alpha, users=usage)
    # when
    response = _register(client_for(alpha), "late@alpha.test")
    # then
    _refused(response, limit="users", allowed=usage, usage=usage)
    with in_tenant(alpha):
        assert not User.objects.filter(email="late@alpha.test").exists()


def test_registration_under_the_user_limit_works(alpha: Tenant, client_for: ClientFor) -> None:
    # given
    plan_for(alpha, users=_active_users(alpha) + 1)
    # when
    response = _register(client_for(alpha), "early@alpha.test")
    # then
    assert response.status_code == 201, response.content
    # and the last slot is taken now
    _refused(
        _register(client_for(alpha), "later@alpha.test"),
        limit="users",
        allowed=_active_users(alpha),
        usage=_active_users(alpha),
    )


def test_an_admin_creating_a_user_at_the_limit_is_refused_and_nothing_is_written(
    alpha: Tenant, admin: APIClient
) -> None:
    # given
    usage = _active_users(alpha)
    plan_for(alpha, users=usage)
    audited = _audit_rows(alpha)
    # when
    response = admin.post(USERS, {"email": "made@alpha.test", "roles": ["teacher"]})
    # then
    _refused(response, limit="users", allowed=usage, usage=usage)
    with in_tenant(alpha):
        assert not User.objects.filter(email="made@alpha.test").exists()
    assert _audit_rows(alpha) == audited


def test_an_inactive_user_may_be_created_at_the_limit_but_not_reactivated(
    alpha: Tenant, admin: APIClient, make_user: MakeUser
) -> None:
    # given: alpha at its limit, with a deactivated user
    parked = make_user(alpha, "parked@alpha.test", is_active=False)
    usage = _active_users(alpha)
    plan_for(alpha, users=usage)
    # when
    response = admin.patch(f"{USERS}{parked.pk}/", {"is_active": True}, format="json")
    # then
    _refused(response, limit="users", allowed=usage, usage=usage)
    with in_tenant(alpha):
        assert User.objects.get(pk=parked.pk).is_active is False


def test_a_downgrade_below_usage_blocks_creation_until_users_are_deactivated(
    alpha: Tenant, admin: APIClient, make_user: MakeUser
) -> None:
    # given: two more users, then a plan one below the usage (a downgrade is allowed)
    one = make_user(alpha, "one@alpha.test")
    two = make_user(alpha, "two@alpha.test")
    usage = _active_users(alpha)
    plan_for(alpha, users=usage - 1)
    # when / then: refused while over
    _refused(admin.post(USERS, {"email": "three@alpha.test"}), limit="users", allowed=usage - 1, usage=usage)
    # when: one deactivated: at the limit, still refused
    assert admin.delete(f"{USERS}{one.pk}/").status_code == 204
    _refused(admin.post(USERS, {"email": "three@alpha.test"}), limit="users", allowed=usage - 1, usage=usage - 1)
    # when: another deactivated: a slot is free
    assert admin.delete(f"{USERS}{two.pk}/").status_code == 204
    response = admin.post(USERS, {"email": "three@alpha.test"})
    # then
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("limits", [{}, {"users": None}, {"storage_mb": 1}], ids=["empty", "null", "other-limit"])
def test_a_plan_without_a_user_limit_limits_no_users(alpha: Tenant, admin: APIClient, limits: dict[str, Any]) -> None:
    plan_for(alpha, **limits)
    assert admin.post(USERS, {"email": "free@alpha.test"}).status_code == 201


def test_a_site_without_a_billing_account_or_a_plan_is_not_limited(alpha: Tenant, admin: APIClient) -> None:
    # given: no account (provisioning opens one, without a plan here: removed for this case)
    BillingAccount.objects.filter(tenant=alpha).delete()
    assert admin.post(USERS, {"email": "a@alpha.test"}).status_code == 201
    # given: an account without a plan
    BillingAccount.objects.create(tenant=alpha, plan=None)
    assert admin.post(USERS, {"email": "b@alpha.test"}).status_code == 201


# --------------------------------------------------------------------------------------------
# storage
# --------------------------------------------------------------------------------------------


def test_an_upload_beyond_the_storage_limit_is_refused_and_nothing_is_stored(alpha: Tenant, admin: APIClient) -> None:
    # given: 1 MB allowed, 1 MB less 10 bytes used
    with in_tenant(alpha):
        used = StoredFileFactory(uploaded_by=User.objects.get(email="admin@alpha.test"))
        StoredFile.objects.filter(pk=used.pk).update(size=BYTES_PER_MB - 10)
        files = StoredFile.objects.count()
    plan_for(alpha, storage_mb=1)
    audited = _audit_rows(alpha)
    # when: the PDF is more than 10 bytes
    response = _upload(admin)
    # then
    _refused(response, limit="storage_mb", allowed=1, usage=1)
    with in_tenant(alpha):
        assert StoredFile.objects.count() == files
    assert _audit_rows(alpha) == audited


def test_an_upload_that_fits_the_storage_limit_works(alpha: Tenant, admin: APIClient) -> None:
    # given
    plan_for(alpha, storage_mb=1)
    # when
    response = _upload(admin)
    # then
    assert response.status_code == 201, response.content


def test_storage_usage_is_in_megabytes_rounded_up(alpha: Tenant) -> None:
    # given: no file
    plan_for(alpha, storage_mb=5)
    assert _usage(alpha)["storage_mb"] == LimitUsage("storage_mb", "Storage (MB)", 5, 0, "MB")
    # given: one byte
    with in_tenant(alpha):
        stored = StoredFileFactory(uploaded_by=User.objects.get(email="admin@alpha.test"))
        StoredFile.objects.filter(pk=stored.pk).update(size=1)
    assert _usage(alpha)["storage_mb"].usage == 1
    # given: exactly one MB, then one byte more
    with in_tenant(alpha):
        StoredFile.objects.filter(pk=stored.pk).update(size=BYTES_PER_MB)
    assert _usage(alpha)["storage_mb"].usage == 1
    with in_tenant(alpha):
        StoredFile.objects.filter(pk=stored.pk).update(size=BYTES_PER_MB + 1)
    assert _usage(alpha)["storage_mb"].usage == 2


# --------------------------------------------------------------------------------------------
# custom domains
# --------------------------------------------------------------------------------------------


def test_adding_a_domain_beyond_the_plans_limit_is_refused(
    alpha: Tenant, admin: APIClient, settings: SettingsWrapper
) -> None:
    # given: the plan's limit wins over the setting
    settings.CUSTOM_DOMAINS_MAX = 5
    plan_for(alpha, custom_domains=1)
    assert admin.post(DOMAINS, {"domain": "one.example.com"}, format="json").status_code == 201
    # when
    response = admin.post(DOMAINS, {"domain": "two.example.com"}, format="json")
    # then
    _refused(response, limit="custom_domains", allowed=1, usage=1)
    assert list(CustomDomain.objects.filter(tenant=alpha).values_list("domain", flat=True)) == ["one.example.com"]


def test_a_plan_without_a_domain_limit_is_capped_by_the_setting(
    alpha: Tenant, admin: APIClient, settings: SettingsWrapper
) -> None:
    # given
    settings.CUSTOM_DOMAINS_MAX = 1
    plan_for(alpha, users=None)
    assert admin.post(DOMAINS, {"domain": "one.example.com"}, format="json").status_code == 201
    # when
    response = admin.post(DOMAINS, {"domain": "two.example.com"}, format="json")
    # then
    _refused(response, limit="custom_domains", allowed=1, usage=1)


def test_a_deleted_domain_frees_its_slot(alpha: Tenant, admin: APIClient) -> None:
    # given
    plan_for(alpha, custom_domains=1)
    added = admin.post(DOMAINS, {"domain": "one.example.com"}, format="json").json()
    # when
    assert admin.delete(f"{DOMAINS}{added['id']}/").status_code == 204
    # then
    assert admin.post(DOMAINS, {"domain": "two.example.com"}, format="json").status_code == 201


# --------------------------------------------------------------------------------------------
# usage, isolation, the registry
# --------------------------------------------------------------------------------------------


def _usage(tenant: Tenant) -> dict[str, LimitUsage]:
    return {row.name: row for row in usage_of(tenant)}


def test_usage_lists_the_platforms_limits_then_the_kinds_with_what_the_plan_allows(
    alpha: Tenant, gamma: Tenant, settings: SettingsWrapper
) -> None:
    # given
    settings.CUSTOM_DOMAINS_MAX = 3
    plan_for(alpha, users=10, programs=2)
    # when
    school = usage_of(alpha)
    store = usage_of(gamma)
    # then
    assert [row.name for row in school] == ["users", "storage_mb", "custom_domains", "programs"]
    assert [row.name for row in store] == ["users", "storage_mb", "custom_domains", "products"]
    rows = {row.name: row for row in school}
    assert rows["users"] == LimitUsage("users", "Active users", 10, _active_users(alpha), "count")
    assert (rows["storage_mb"].allowed, rows["storage_mb"].unit) == (None, "MB")
    assert (rows["custom_domains"].allowed, rows["custom_domains"].usage) == (3, 0)
    assert (rows["programs"].allowed, rows["programs"].usage, rows["programs"].unit) == (2, 0, "count")
    assert {row.name: row.allowed for row in store} == {
        "users": None,
        "storage_mb": None,
        "custom_domains": 3,
        "products": None,
    }


def test_one_sites_usage_never_counts_another_sites_rows(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: beta full (more users, 1 MB stored, a domain), then both school sites on one plan,
    # which leaves alpha one slot of each
    for n in range(3):
        make_user(beta, f"b{n}@beta.test")
    with in_tenant(beta):
        StoredFileFactory(uploaded_by=User.objects.get(email="admin@beta.test"))
        StoredFile.objects.update(size=BYTES_PER_MB)
    CustomDomain.objects.create(tenant=beta, domain="beta-own.example.com", verification_token="t")
    plan = plan_for(alpha, users=_active_users(alpha) + 1, storage_mb=1, custom_domains=1)
    BillingAccount.objects.update_or_create(tenant=beta, defaults={"plan": plan})
    alpha_admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when
    user = alpha_admin.post(USERS, {"email": "mine@alpha.test"})
    upload = _upload(alpha_admin)
    domain = alpha_admin.post(DOMAINS, {"domain": "alpha-own.example.com"}, format="json")
    # then
    assert (user.status_code, upload.status_code, domain.status_code) == (201, 201, 201)
    # and beta, over its limits, is refused each
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    assert error_code(beta_admin.post(USERS, {"email": "more@beta.test"})) == "plan_limit_reached"
    assert error_code(_upload(beta_admin)) == "plan_limit_reached"
    assert _usage(beta)["users"].usage == _active_users(beta)
    assert _usage(alpha)["users"].usage == _active_users(alpha)
    assert _usage(beta)["custom_domains"].usage == 1


def test_known_limits_name_the_platforms_and_each_kinds() -> None:
    assert known_limits("store") == {
        "users": "Active users",
        "storage_mb": "Storage (MB)",
        "custom_domains": "Custom domains",
        "products": "Products",
    }
    assert set(known_limits()) == {
        "users",
        "storage_mb",
        "custom_domains",
        "programs",
        "products",
        "properties",
        "service_pages",
    }
    assert set(known_limits("nosuchkind")) == {"users", "storage_mb", "custom_domains"}


# --------------------------------------------------------------------------------------------
# plan_slot's own rules
# --------------------------------------------------------------------------------------------


def test_plan_slot_must_run_inside_the_callers_transaction(alpha: Tenant) -> None:
    # given: pytest-django's test transaction is an atomic block: leave it for this check
    with in_tenant(alpha):
        connection_atomic = transaction.get_connection().in_atomic_block
        assert connection_atomic  # the test's own transaction
        with transaction.atomic():
            plan_slot("users")  # inside: fine
    # when / then: outside any atomic block
    with in_tenant(alpha), pytest.raises(AssertionError, match="transaction"):
        _outside_atomic(lambda: plan_slot("users"))


def _outside_atomic(fn: Any) -> None:
    connection = transaction.get_connection()
    saved = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        fn()
    finally:
        connection.in_atomic_block = saved


def test_inside_limits_off_the_platform_creates_past_the_plan(alpha: Tenant) -> None:
    # given
    usage = _active_users(alpha)
    plan_for(alpha, users=usage)
    # when: what provisioning and the demo seeders do
    with in_tenant(alpha), limits_off():
        UserFactory(email="seeded@alpha.test")
    # then: created; and outside the block the limit holds again
    assert _active_users(alpha) == usage + 1
    with in_tenant(alpha), pytest.raises(Exception, match="plan allows") as refused:
        UserFactory(email="after@alpha.test")
    assert getattr(refused.value, "code", None) == "plan_limit_reached"


def test_the_platform_schema_is_never_limited(alpha: Tenant) -> None:
    # given: a plan on some tenant does not matter on the public schema (platform staff accounts)
    plan_for(alpha, users=0)
    # when
    with transaction.atomic():
        plan_slot("users")  # public schema: nothing to check
    # then: no error


def test_provisioning_makes_the_owner_whatever_the_plan_allows(alpha: Tenant) -> None:
    # given: a plan that allows no user at all (a default plan set before the owner is made)
    from shared_apps.tenancy.services import PROVISIONING_STEPS, ProvisioningContext

    plan_for(alpha, users=0)
    create_owner = next(step for step in PROVISIONING_STEPS if step.__name__ == "_create_owner")
    context = ProvisioningContext(
        kind=alpha.kind,
        slug=alpha.schema_name,
        name=alpha.name,
        owner_email="second-owner@alpha.test",
        owner_password=PASSWORD,
        template="",
        tenant=alpha,
    )
    # when
    create_owner(context)
    # then
    with in_tenant(alpha):
        assert User.objects.get(email="second-owner@alpha.test").role_names == ["admin"]


def test_the_demo_seeders_run_under_limits_off_whatever_the_plan_allows(gamma: Tenant, make_user: MakeUser) -> None:
    # given: a store on a plan that allows nothing, with the per-role users setup_demo makes
    from django.conf import settings

    from shared_apps.tenancy.management.commands.setup_demo import _seed_kind
    from tenant_apps.kinds import kind_spec

    for role in ("customer", "seller", "delivery"):
        make_user(gamma, f"{role}@gamma.{settings.PLATFORM_DOMAIN}", roles=[role])
    plan_for(gamma, users=0, storage_mb=0, products=0)
    spec = kind_spec("store")
    assert spec is not None
    # when: as setup_demo seeds each site
    with in_tenant(gamma), limits_off():
        seeded = _seed_kind(spec, "demo-pass-1234")
    # then
    assert isinstance(seeded, dict) and seeded["orders"]


def test_usage_reads_a_fixed_number_of_queries_whatever_the_site_holds(alpha: Tenant, make_user: MakeUser) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given
    plan_for(alpha, users=100)
    with CaptureQueriesContext(connection) as empty:
        usage_of(alpha)
    for n in range(5):
        make_user(alpha, f"many{n}@alpha.test")
    with in_tenant(alpha):
        for _ in range(3):
            StoredFileFactory(uploaded_by=User.objects.get(email="admin@alpha.test"))
    # when
    with CaptureQueriesContext(connection) as full:
        usage_of(alpha)

    # then: the account and its plan, then one count per limit (two for programs: one per type)
    def reads(queries: CaptureQueriesContext) -> int:
        return len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")])

    assert reads(full) == reads(empty) == 6
