"""Discount codes and campaigns, made by ``writing.discounts.services``.

``DiscountFactory()`` creates an active code ``SAVE10`` (a sequence: ``SAVE10``, ``SAVE10-1``...)
of 10 % off, no limits, made by the site's admin (``discount_create``). Traits: ``campaign`` (no
code: applied by itself), ``fixed`` (5.00 off), ``one_use`` (``max_uses=1``), ``expired`` (its
window ended yesterday).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from tenant_apps.writing.discounts import services
from tenant_apps.writing.discounts.models import Discount, DiscountKind
from tests.factories.base import ServiceFactory, site_admin


class DiscountFactory(ServiceFactory[Discount]):
    """A discount made by the site's admin through ``services.discount_create`` (see the module)."""

    class Meta:
        model = Discount

    class Params:
        campaign = factory.Trait(code=None, name="Autumn campaign")
        fixed = factory.Trait(kind=DiscountKind.FIXED, value=Decimal("5.00"))
        one_use = factory.Trait(max_uses=1)
        expired = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30)),
            ends_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )

    name = "Ten percent off"
    code: Any = factory.Sequence(lambda n: "SAVE10" if n == 0 else f"SAVE10-{n}")
    kind = DiscountKind.PERCENT
    value = Decimal("10.00")

    @classmethod
    def _create(cls, model_class: type[Discount], *args: Any, **kwargs: Any) -> Discount:
        actor = kwargs.pop("actor", None) or site_admin()
        options = kwargs.pop("options", None)
        return services.discount_create(actor=actor, options=options, **kwargs)
