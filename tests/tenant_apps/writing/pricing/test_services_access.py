"""Every write of the pricing services checks the actor's role itself, whatever view calls it:
only an active admin manages options, rates, extras and settings."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.errors import PermissionDenied
from tenant_apps.writing.pricing import services
from tenant_apps.writing.pricing.models import ExtraService, OrderOption, PageRate
from tests.tenant_apps.writing.conftest import Writing

WRITES: dict[str, Callable[[Any], Any]] = {
    "option_create": lambda actor: services.order_option_create(actor=actor, group="subject", name="Geology"),
    "option_update": lambda actor: services.order_option_update(
        actor=actor, option=OrderOption.objects.get(slug="history"), name="x"
    ),
    "option_retire": lambda actor: services.order_option_retire(
        actor=actor, option=OrderOption.objects.get(slug="history")
    ),
    "rate_create": lambda actor: services.page_rate_create(
        actor=actor,
        academic_level=OrderOption.objects.get(slug="masters"),
        deadline_hours_max=4,
        price_per_page=Decimal("50.00"),
    ),
    "rate_update": lambda actor: services.page_rate_update(
        actor=actor, rate=PageRate.objects.order_by("pk")[0], price_per_page=Decimal("1.00")
    ),
    "rate_delete": lambda actor: services.page_rate_delete(actor=actor, rate=PageRate.objects.order_by("pk")[0]),
    "extra_create": lambda actor: services.extra_service_create(
        actor=actor, name="Outline", pricing="fixed", amount=Decimal("4.00")
    ),
    "extra_update": lambda actor: services.extra_service_update(
        actor=actor, extra=ExtraService.objects.get(slug="top-writer"), is_active=False
    ),
    "settings_update": lambda actor: services.pricing_settings_update(actor=actor, changes={"maximum_pages": 10}),
}


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue", None])
@pytest.mark.parametrize("write", sorted(WRITES))
def test_only_an_admin_may_call_a_pricing_write(writing: Writing, who: str | None, write: str) -> None:
    actor = getattr(writing, who) if who else None
    with tenant_context(writing.tenant), pytest.raises(PermissionDenied):
        WRITES[write](actor)


def test_a_deactivated_admin_may_not_either(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        writing.admin.is_active = False
        with pytest.raises(PermissionDenied):
            WRITES["settings_update"](writing.admin)
