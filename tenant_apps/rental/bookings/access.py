"""Who may see and do what with bookings.

| action | who |
| --- | --- |
| ask for a price quote | anyone (public) |
| book a stay (``POST /bookings/``) | guests; never at their own property |
| see a booking | its guest; its property's host; customer service and admins (``bookings_visible_to``) |
| see the guest's e-mail and phone | the guest, customer service, admins (``sees_guest_contact``) |
| pay a booking | its guest |
| cancel a booking | its guest; admins (``can_cancel_booking``) |
| open a ticket about a booking | whoever sees it (``can_link_ticket``) |

The host sees the guest's name and party size only (what the stay needs), not their e-mail or phone.
One booking is fetched by ``access_booking``, which answers a hidden booking like a missing one
(404 ``not_found``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.kind import CUSTOMER_SERVICE, GUEST

#: Roles that see every booking of the site.
STAFF_ROLES = (ADMIN, CUSTOMER_SERVICE)
#: Roles that book stays.
GUEST_ROLES: tuple[str, ...] = (GUEST,)
#: Roles that cancel any booking (with its refund).
CANCEL_ANY_ROLES: tuple[str, ...] = (ADMIN,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user_has_role(user, *roles))


def can_book(user: Any) -> bool:
    """Whether ``user`` may book stays (guests)."""
    return _has(user, GUEST_ROLES)


def is_booking_staff(user: Any) -> bool:
    """Whether ``user`` sees every booking with the guests' contact details (admin, customer service)."""
    return _has(user, STAFF_ROLES)


def bookings_visible_to(user: Any) -> QuerySet[Booking]:
    """The bookings ``user`` may see: all for admins and customer service, else their own stays and
    their properties' bookings."""
    bookings = Booking.objects.all()
    if user is None or not user.is_authenticated:
        return bookings.none()
    if user_has_role(user, *STAFF_ROLES):
        return bookings
    return bookings.filter(Q(guest_id=user.pk) | Q(property__host_id=user.pk))


def sees_guest_contact(user: Any, booking: Booking) -> bool:
    """Whether ``user`` sees the e-mail and phone of ``booking``'s guest: the guest, staff. The
    property's host sees only the name and the party size (what the stay needs)."""
    return bool(user is not None and user.is_authenticated and (user.pk == booking.guest_id or is_booking_staff(user)))


def can_cancel_booking(user: Any, booking: Booking) -> bool:
    """Whether ``user`` may cancel ``booking``: its guest, or an admin."""
    return bool(
        user is not None and user.is_authenticated and (user.pk == booking.guest_id or _has(user, CANCEL_ANY_ROLES))
    )


def can_link_ticket(user: Any, booking: Booking) -> bool:
    """Whether ``user`` may open a ticket about ``booking``: its guest, its property's host, staff."""
    return bookings_visible_to(user).filter(pk=booking.pk).exists()


def access_booking(*, user: Any, pk: Any) -> Booking:
    """The booking ``pk`` if ``user`` may see it (``bookings_visible_to``), with its property, host,
    guest and invoice. Raises ``NotFound`` (404) for a missing and a hidden booking alike."""
    from tenant_apps.rental.bookings import selectors  # the booking's shape; selectors import this module

    booking = selectors.with_details(bookings_visible_to(user)).filter(pk=pk).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking
