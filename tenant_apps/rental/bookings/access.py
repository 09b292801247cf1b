"""Who may see and do what with bookings.

* A guest sees their own bookings; a host the bookings of their properties (``bookings_visible_to``);
  customer service and admins see every booking.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.kind import CUSTOMER_SERVICE

#: Roles that see every booking of the site.
STAFF_ROLES = (ADMIN, CUSTOMER_SERVICE)


def bookings_visible_to(user: Any) -> QuerySet[Booking]:
    """The bookings ``user`` may see: all for admins and customer service, else their own stays and
    their properties' bookings."""
    bookings = Booking.objects.all()
    if not user.is_authenticated:
        return bookings.none()
    if user_has_role(user, *STAFF_ROLES):
        return bookings
    return bookings.filter(Q(guest_id=user.pk) | Q(property__host_id=user.pk))


def can_link_ticket(user: Any, booking: Booking) -> bool:
    """Whether ``user`` may open a ticket about ``booking``: its guest, its property's host, staff."""
    return bookings_visible_to(user).filter(pk=booking.pk).exists()
