"""Rental properties (rental kind), made by ``rental.properties.services``: amenities, properties
(with photos), blocked periods."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import factory
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.rental.properties.models import Amenity, BlockedPeriod, Property, PropertyStatus
from tenant_apps.rental.properties.services import (
    amenity_create,
    blocked_period_create,
    property_create,
    property_photo_add,
)
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, in_days, site_admin
from tests.factories.store_catalog import png_bytes


class AmenityFactory(ServiceFactory[Amenity]):
    """An amenity made by ``amenity_create`` as ``actor`` (default: the site's admin); slug from the name."""

    class Meta:
        model = Amenity

    actor = factory.LazyFunction(site_admin)
    name = factory.Sequence(lambda n: f"Amenity {n}")
    slug = ""

    @classmethod
    def _create(cls, model_class: type[Amenity], *args: Any, **kwargs: Any) -> Amenity:
        return amenity_create(**kwargs)


class PropertyFactory(ServiceFactory[Property]):
    """A property listed by ``host`` (default: a new host) through ``property_create``: published,
    in Lisbon, 100.00 a night (``DEFAULT_CURRENCY``) plus 20.00 cleaning, for 4 guests, 2 bedrooms, 1 minimum night.
    ``photos`` small PNGs are added by ``property_photo_add``.

    Traits: ``unpublished`` (a draft), ``with_photo`` (one photo).
    """

    class Meta:
        model = Property

    class Params:
        unpublished = factory.Trait(status=PropertyStatus.UNPUBLISHED)
        with_photo = factory.Trait(photos=1)

    host = factory.SubFactory(UserFactory, roles=["host"])
    title = factory.Sequence(lambda n: f"Flat {n}")
    description = ""
    address = "1 Rua Augusta"
    city = "Lisbon"
    country = "PT"
    latitude: Decimal | str = "38.710000"
    longitude: Decimal | str = "-9.140000"
    nightly_price: Decimal | str = "100.00"
    currency = factory.LazyFunction(lambda: settings.DEFAULT_CURRENCY)  # the wallets': hosts are paid in it
    cleaning_fee: Decimal | str = "20.00"
    max_guests = 4
    bedrooms = 2
    amenities: list[Amenity] = []
    check_in_time: time | str = "15:00"
    check_out_time: time | str = "11:00"
    minimum_nights = 1
    cancellation_policy = "moderate"
    status = PropertyStatus.PUBLISHED
    ical_import_url = ""
    photos = 0

    @classmethod
    def _create(cls, model_class: type[Property], *args: Any, **kwargs: Any) -> Property:
        photos = kwargs.pop("photos")
        host = kwargs.pop("host")
        prop = property_create(actor=host, **kwargs)
        for n in range(photos):
            upload = SimpleUploadedFile(f"photo-{n}.png", png_bytes(color=(n * 40 % 256, 120, 60)))
            property_photo_add(actor=host, prop=prop, upload=upload)
        prop.refresh_from_db()
        return prop


class BlockedPeriodFactory(ServiceFactory[BlockedPeriod]):
    """Nights ``[start, end)`` of ``property`` (default: a new property) blocked by its host through
    ``blocked_period_create`` (default: from 30 to 33 days ahead)."""

    class Meta:
        model = BlockedPeriod

    property = factory.SubFactory(PropertyFactory)
    start = factory.LazyFunction(lambda: in_days(30))
    end = factory.LazyFunction(lambda: in_days(33))
    summary = "Owner's stay"

    @classmethod
    def _create(cls, model_class: type[BlockedPeriod], *args: Any, **kwargs: Any) -> BlockedPeriod:
        prop = kwargs.pop("property")
        return blocked_period_create(actor=prop.host, prop=prop, **kwargs)
