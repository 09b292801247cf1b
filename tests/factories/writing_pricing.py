"""Writing order options and pricing (writing kind), made by ``writing.pricing.services`` as the
site's admin: order options, page rates, extra services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from tenant_apps.writing.pricing.models import ExtraService, OptionGroup, OrderOption, PageRate
from tenant_apps.writing.pricing.services import (
    extra_service_create,
    order_option_create,
    order_option_retire,
    page_rate_create,
)
from tests.factories.base import ServiceFactory, site_admin


class OrderOptionFactory(ServiceFactory[OrderOption]):
    """An option of ``group`` (default: a subject) made by ``order_option_create``; slug from the
    name. ``retired=True``: retired by ``order_option_retire`` after creation."""

    class Meta:
        model = OrderOption

    actor = factory.LazyFunction(site_admin)
    retired = False
    group = OptionGroup.SUBJECT
    name = factory.Sequence(lambda n: f"Option {n}")
    slug = ""

    @classmethod
    def _create(cls, model_class: type[OrderOption], *args: Any, retired: bool = False, **kwargs: Any) -> OrderOption:
        option = order_option_create(**kwargs)
        if retired:
            option = order_option_retire(actor=kwargs["actor"], option=option)
        return option


class AcademicLevelFactory(OrderOptionFactory):
    """A new academic level (no rates yet: add them with ``PageRateFactory``)."""

    group = OptionGroup.ACADEMIC_LEVEL
    name = factory.Sequence(lambda n: f"Level {n}")


class PageRateFactory(ServiceFactory[PageRate]):
    """A band of ``academic_level`` (default: a new level) made by ``page_rate_create``: 10.00 a
    page for deadlines up to 24 hours."""

    class Meta:
        model = PageRate

    actor = factory.LazyFunction(site_admin)
    academic_level = factory.SubFactory(AcademicLevelFactory)
    deadline_hours_max = 24
    price_per_page = Decimal("10.00")

    @classmethod
    def _create(cls, model_class: type[PageRate], *args: Any, **kwargs: Any) -> PageRate:
        return page_rate_create(**kwargs)


class ExtraServiceFactory(ServiceFactory[ExtraService]):
    """An extra service made by ``extra_service_create``: 5.00 fixed per order. Trait ``percent``:
    10 % of the pages' price."""

    class Meta:
        model = ExtraService

    class Params:
        percent = factory.Trait(pricing="percent", amount=Decimal("10.00"))

    actor = factory.LazyFunction(site_admin)
    name = factory.Sequence(lambda n: f"Extra {n}")
    slug = ""
    pricing = "fixed"
    amount = Decimal("5.00")

    @classmethod
    def _create(cls, model_class: type[ExtraService], *args: Any, **kwargs: Any) -> ExtraService:
        return extra_service_create(**kwargs)
