"""Who may see and do what with properties (rental roles, ``tenant_apps/rental/kind.py``).

| action | who |
| --- | --- |
| list and read amenities | anyone, signed in or not |
| create, change, delete amenities | admin |
| list and read properties | anyone: published ones; hosts also their own unpublished ones; admin all |
| create properties | hosts, admin (the requester becomes the host) |
| change, (un)publish a property; its photos, blocked dates, calendar | its host (still a host); admin |
| read a property's calendar feed (``calendar.ics``) | whoever holds its ``calendar_token`` |
| read a photo's file (``files``) | whoever may see the property |

A property a user may not see answers 404 (``NotFound``), exactly like a missing one; a change
their role does not allow on a property they may see answers 403. Reads start from
``properties_visible_to``; one property is fetched, checked, by ``access_property``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.db.tenant import current_kind
from saas.errors import NotFound, PermissionDenied
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.rental.kind import HOST, KIND
from tenant_apps.rental.properties.models import Amenity, BlockedPeriod, Property, PropertyPhoto, PropertyStatus

#: Manage every property and the amenities.
PROPERTY_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)
#: List properties of one's own.
HOST_ROLES: tuple[str, ...] = (HOST,)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_all_properties(user: Any) -> bool:
    """Whether ``user`` manages every property and the amenities (an active admin)."""
    return _active(user) and user_has_role(user, *PROPERTY_ADMIN_ROLES)


def can_create_property(user: Any) -> bool:
    """Whether ``user`` may list a property of their own (hosts and admins)."""
    return _active(user) and user_has_role(user, *HOST_ROLES, *PROPERTY_ADMIN_ROLES)


def can_manage_property(user: Any, prop: Property) -> bool:
    """Whether ``user`` may change ``prop``, its photos, blocked dates and calendar: its host (still
    a host) or an admin."""
    if can_manage_all_properties(user):
        return True
    return _active(user) and prop.host_id == user.pk and user_has_role(user, *HOST_ROLES)


def properties_visible_to(user: Any) -> QuerySet[Property]:
    """Properties ``user`` may see: admin all; anyone else the published ones and their own."""
    properties = Property.objects.all()
    if can_manage_all_properties(user):
        return properties
    published = Q(status=PropertyStatus.PUBLISHED)
    if _active(user):
        return properties.filter(published | Q(host_id=user.pk))
    return properties.filter(published)


def ensure_can_manage_property(user: Any, prop: Property) -> None:
    """Raise ``PermissionDenied`` (403 ``permission_denied``) unless ``can_manage_property``."""
    if not can_manage_property(user, prop):
        raise PermissionDenied("Only the property's host or an admin may do this.")


def access_property(*, user: Any, property_id: Any, for_change: bool = False, lock: bool = False) -> Property:
    """The property ``property_id`` if ``user`` may see it (``properties_visible_to``), in the
    shape the API answers with (``selectors.with_details``). With ``for_change``, ``user`` must
    also manage it (403 otherwise); with ``lock`` (inside ``transaction.atomic``), the row is
    locked (``locks.property_lock``) and returned bare.

    Raises ``NotFound`` (404 ``not_found``) for an unknown and a hidden property alike,
    ``PermissionDenied`` (403) for a change by someone who may only read it.
    """
    from tenant_apps.rental.properties import selectors  # selectors import this module
    from tenant_apps.rental.properties.locks import property_lock

    try:
        pk = int(property_id)
    except (TypeError, ValueError):
        raise NotFound("No such property.") from None
    found = selectors.with_details(properties_visible_to(user)).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such property.")
    if for_change:
        ensure_can_manage_property(user, found)
    if lock:
        return property_lock(pk)
    return found


def access_amenity(*, pk: Any) -> Amenity:
    """The amenity ``pk`` (amenities are public); ``NotFound`` (404) otherwise."""
    amenity = Amenity.objects.filter(pk=pk).first()
    if amenity is None:
        raise NotFound("No such amenity.")
    return amenity


def access_property_photo(*, prop: Property, pk: Any) -> PropertyPhoto:
    """Photo ``pk`` of ``prop`` (already checked by ``access_property``); ``NotFound`` (404) otherwise."""
    photo = PropertyPhoto.objects.select_related("property").filter(property=prop, pk=pk).first()
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def access_blocked_period(*, prop: Property, pk: Any) -> BlockedPeriod:
    """Blocked period ``pk`` of ``prop`` (already checked for change); ``NotFound`` (404) otherwise."""
    block = BlockedPeriod.objects.select_related("property").filter(property=prop, pk=pk).first()
    if block is None:
        raise NotFound("No such blocked period.")
    return block


def property_photo_readable(user: Any, stored_file: Any) -> bool:
    """File-access rule (``tenant_apps.files.access``): a photo of a property ``user`` may see is
    readable by ``user`` (a published property's by anyone; an unpublished one's by its host and
    admins). Registered process-wide: ``False`` outside rental sites, whose schemas lack the table."""
    if current_kind() != KIND.name:
        return False
    visible = properties_visible_to(user).values("pk")
    return PropertyPhoto.objects.filter(file_id=stored_file.pk, property_id__in=visible).exists()
