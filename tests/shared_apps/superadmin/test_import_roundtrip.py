"""Round trip (issue 17, point 4): a store site with its demo data is exported, dropped and imported
under the same slug, and every GET endpoint of its API (the kind's and the shared services', lists
and the detail of each list's first item, read from the OpenAPI schema the site serves) answers the
admin exactly as before.

The store kind is the richest demo (catalog, orders in every delivery state, an auction with bids,
reviews, a return, wallets and invoices); the other kinds share the mechanism, not the comparison."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context
from drf_spectacular.generators import SchemaGenerator
from pytest_django import DjangoDbBlocker
from rest_framework.test import APIClient

from saas.db.tenant import use_public_schema
from shared_apps.superadmin.portability.export import tenant_export
from shared_apps.superadmin.portability.restore import tenant_import
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_drop
from tests.conftest import PASSWORD, host_of
from tests.shared_apps.superadmin.portability_fixtures import committed_tenant, unique_slug

URLCONF = "tenant_apps.store.urls"


def _get_paths() -> list[str]:
    schema = SchemaGenerator(urlconf=URLCONF).get_schema(request=None, public=True)
    return sorted(path for path, operations in schema["paths"].items() if "get" in operations)


def _items(body: Any) -> list[Any]:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return list(body["results"])
    return list(body) if isinstance(body, list) else []


def answers(tenant: Tenant) -> dict[str, Any]:
    """``{path: (status, body)}`` of every GET endpoint without parameters, and of each one-parameter
    detail endpoint for the first item of its list, as the site's admin (signed in now)."""
    client = APIClient(HTTP_HOST=host_of(tenant))
    login = client.post("/api/v1/auth/login/", {"email": f"admin@{tenant.slug}.test", "password": PASSWORD})
    assert login.status_code == 200, login.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    found: dict[str, Any] = {}
    paths = _get_paths()
    for path in paths:
        if "{" in path:
            continue
        response = client.get(path)
        found[path] = (response.status_code, _body(response))
    for path in paths:
        params = path.count("{")
        if params != 1 or not path.endswith("}/"):
            continue
        listing = path[: path.index("{")]
        status, body = found.get(listing, (None, None))
        items = _items(body) if status == 200 else []
        if not items or not isinstance(items[0], dict):
            continue
        name = path[path.index("{") + 1 : path.index("}")]
        value = items[0].get(name, items[0].get("id"))
        if value is None:
            continue
        concrete = path.replace("{" + name + "}", str(value))
        response = client.get(concrete)
        found[concrete] = (response.status_code, _body(response))
    return found


def _body(response: Any) -> Any:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.loads(response.content)
    return response.content


def seed(tenant: Tenant) -> None:
    """What ``manage.py setup_demo`` makes in a store site: a user of every role, an invoice, the
    kind's demo data."""
    from shared_apps.billing.limits import limits_off
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.roles import roles_of
    from tenant_apps.accounts.services import user_create
    from tenant_apps.payments.demo import create_demo_invoice
    from tenant_apps.store.demo import seed_demo

    with limits_off():
        for role in roles_of("store"):
            email = f"{role.replace('_', '-')}@{tenant.slug}.{settings.PLATFORM_DOMAIN}"
            user_create(email=email, password=PASSWORD, roles=[role], full_name=f"Demo {role.title()}")
        create_demo_invoice(User.objects.get(email=f"{roles_of('store')[0]}@{tenant.slug}.{settings.PLATFORM_DOMAIN}"))
        seed_demo(password=PASSWORD)


@pytest.fixture(scope="module")
def round_trip(
    session_tenants: dict[str, Tenant], django_db_blocker: DjangoDbBlocker, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    slug = unique_slug("trip")
    path = tmp_path_factory.mktemp("trip") / "trip.tar"
    with committed_tenant(django_db_blocker, kind="store", slug=slug) as tenant, django_db_blocker.unblock():
        with tenant_context(tenant):
            seed(tenant)
        use_public_schema()
        # Both readings at the same instant: answers that count down (an auction's time left, a
        # session's expiry) depend on the clock, not on the data.
        instant = timezone.now() + timedelta(minutes=1)
        with time_machine.travel(instant, tick=False):
            answers(tenant)  # the first sign-in writes what every later one only updates (last_login...)
            before = answers(tenant)
        with open(path, "wb") as out:
            tenant_export(tenant=tenant, target=out)
        old_uuid = tenant.uuid
        tenant_drop(tenant=tenant, confirm_slug=slug)
        with open(path, "rb") as source:
            restored = tenant_import(source=source, slug=slug)
        with time_machine.travel(instant, tick=False):
            after = answers(restored)
        yield {"before": before, "after": after, "old_uuid": old_uuid, "restored": restored}


def test_every_get_answer_is_the_same_after_export_drop_import(round_trip: dict[str, Any], db: None) -> None:
    before, after = round_trip["before"], round_trip["after"]
    assert len(before) > 20  # the store API's lists and details, not a handful
    assert sum(1 for status, _ in before.values() if status == 200) > 15
    assert set(after) == set(before)
    differing = {path: (before[path], after[path]) for path in before if before[path] != after[path]}
    assert {p: _diff(list(b), list(a)) for p, (b, a) in differing.items()} == {}
    assert round_trip["restored"].uuid != round_trip["old_uuid"]


def _diff(a: Any, b: Any, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in set(a) | set(b) for d in _diff(a.get(k), b.get(k), f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]
