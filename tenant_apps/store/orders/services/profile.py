"""A user's store profile: the delivery location copied onto their orders at checkout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from tenant_apps.audit.services import audit_record
from tenant_apps.store.shop.models import StoreProfile

_FIELDS = ("location_lat", "location_lng", "location_address")


def profile_update(
    *,
    user: Any,
    location_lat: Decimal | object | None = ...,
    location_lng: Decimal | object | None = ...,
    location_address: str | object = ...,
) -> StoreProfile:
    """Set the fields given (``...``: unchanged) of ``user``'s profile, creating it when missing.

    ``location_lat`` -90..90 and ``location_lng`` -180..180 decimal degrees (WGS 84, 6 places; the
    serializer checks the ranges, the table's constraints too); ``location_address`` up to 500
    characters. Atomic, audited with the changed fields.
    """
    given = {
        name: value
        for name, value in zip(_FIELDS, (location_lat, location_lng, location_address), strict=True)
        if value is not ...
    }
    with transaction.atomic():
        profile = StoreProfile.objects.select_for_update(no_key=True).filter(user_id=user.pk).first()
        if profile is None:
            try:
                with transaction.atomic():
                    profile = StoreProfile.objects.create(user_id=user.pk)
            except IntegrityError:  # created meanwhile by a concurrent request
                profile = StoreProfile.objects.select_for_update(no_key=True).get(user_id=user.pk)
        changes = {
            name: [str(getattr(profile, name)), str(value)]
            for name, value in given.items()
            if getattr(profile, name) != value
        }
        if changes:
            for name, value in given.items():
                setattr(profile, name, value)
            profile.save()
            audit_record(actor=user, verb="store_profile.updated", target=profile, changes=changes)
    return profile
