"""Plans (public schema)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from shared_apps.billing.models import Plan
from shared_apps.billing.services import plan_create
from tests.factories.base import ServiceFactory


class PlanFactory(ServiceFactory[Plan]):
    """A plan made by ``plan_create`` (its rules: code, price, currency, limit names and values),
    USD monthly, free and unlimited unless told otherwise.

    ``stripe_product_id`` / ``stripe_price_id``, when given, are stored as the Stripe sync would
    store them (the sync itself runs after commit and calls nothing without ``STRIPE_SECRET_KEY``).
    """

    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    price = Decimal("0.00")
    currency = "USD"
    limits: dict[str, int | None] = {}

    @classmethod
    def _create(cls, model_class: type[Plan], *args: Any, **kwargs: Any) -> Plan:
        synced = {key: kwargs.pop(key) for key in ("stripe_product_id", "stripe_price_id") if key in kwargs}
        plan = plan_create(fields=kwargs)
        if synced:
            Plan.objects.filter(pk=plan.pk).update(**synced)
            plan.refresh_from_db()
        return plan
