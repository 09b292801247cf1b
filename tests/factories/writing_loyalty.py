"""Loyalty tiers and points, made by ``writing.loyalty.services``.

``LoyaltyTierFactory()`` adds a tier (``tier_create`` by the site's admin): ``silver`` from 100.00
spent, 10 % bonus (a sequence names later ones). ``PointsAwardFactory(user=...)`` awards 100
points (``points_award``: an ``award`` entry, reference a sequence ``test:award:<n>``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from tenant_apps.writing.loyalty import services
from tenant_apps.writing.loyalty.models import LoyaltyTier, PointsEntry
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin


class LoyaltyTierFactory(ServiceFactory[LoyaltyTier]):
    """A tier made by the site's admin (``services.tier_create``)."""

    class Meta:
        model = LoyaltyTier

    name = factory.Sequence(lambda n: "Silver" if n == 0 else f"Silver {n}")
    slug = factory.Sequence(lambda n: "silver" if n == 0 else f"silver-{n}")
    minimum_spend = factory.Sequence(lambda n: Decimal(100 + 100 * n))
    bonus_percent = Decimal("10.00")

    @classmethod
    def _create(cls, model_class: type[LoyaltyTier], *args: Any, **kwargs: Any) -> LoyaltyTier:
        return services.tier_create(actor=site_admin(), **kwargs)


class PointsAwardFactory(ServiceFactory[PointsEntry]):
    """Points awarded to ``user`` (default: a new client) through ``services.points_award``."""

    class Meta:
        model = PointsEntry

    user = factory.SubFactory(UserFactory, roles=["client"])
    points = 100
    reason = "Welcome gift"
    reference = factory.Sequence(lambda n: f"test:award:{n}")

    @classmethod
    def _create(cls, model_class: type[PointsEntry], *args: Any, **kwargs: Any) -> PointsEntry:
        return services.points_award(**kwargs)
