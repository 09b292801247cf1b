"""The rental site's admin pages for bookings.

Read-only pages (amounts, statuses and the ledger they lead to are the services'); the moves an
admin makes are actions calling the same services as the API and the periodic tasks, with the
signed-in admin as the actor:

* cancel, with a reason asked on an intermediate page (``booking_cancel``: a pending booking's
  invoice called off, a confirmed one refunded under the property's policy, the guest and host
  told);
* complete stays that have ended (``booking_complete``: commission and host payout computed, the
  payout credited to the host's wallet once). The daily task does the same; this is for a stay the
  admin wants settled now. A booking not due answers a per-object error and is left as it is.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import form_action
from saas.errors import Conflict, ErrorCode
from tenant_apps.rental.bookings import selectors, services
from tenant_apps.rental.bookings.models import Booking


class CancelForm(forms.Form):
    """Why the booking is cancelled (the guest and the host are told)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


@register(Booking)
class BookingAdmin(ServiceModelAdmin):
    """Bookings: cancel (with a refund by policy), complete ended stays."""

    list_display = (
        "number",
        "property",
        "guest",
        "check_in",
        "check_out",
        "guests",
        "status",
        "total",
        "currency",
        "invoice",
        "created_at",
    )
    list_filter = ("status", "currency", "check_in")
    search_fields = ("number", "guest__email", "guest__full_name", "property__title", "invoice__number")
    date_hierarchy = "check_in"
    fields = (
        "number",
        "property",
        "guest",
        "status",
        "check_in",
        "check_out",
        "nights",
        "guests",
        "currency",
        "nightly_price",
        "cleaning_fee",
        "total",
        "invoice",
        "expires_at",
        "confirmed_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "refund_amount",
        "completed_at",
        "commission",
        "host_payout",
        "created_at",
    )
    actions = ("cancel", "complete")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The bookings the admin may see with property, host, guest and invoice joined
        (``selectors.booking_list``), in the list's order."""
        queryset = selectors.booking_list(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @form_action(description="Cancel the selected bookings", form=CancelForm, success="{count} cancelled.")
    def cancel(self, request: HttpRequest, booking: Booking, *, reason: str) -> None:
        services.booking_cancel(booking=booking, actor=request.user, reason=reason)

    @service_action(
        description="Complete the selected stays that have ended (pay the hosts)", success="{count} completed."
    )
    def complete(self, request: HttpRequest, booking: Booking) -> None:
        if not services.booking_complete(booking_id=booking.pk, actor=request.user):
            raise Conflict(
                "Only a confirmed booking whose check-out day has passed can be completed.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
            )
