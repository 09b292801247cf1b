"""Orders of a writing site (one schema per site).

Life of an order (``OrderStatus``; the moves and who makes them: ``transitions.py``)::

    unpaid --paid--> available --request/assign--> assigned --start--> in_progress
                                                       \\---------submit---------\\--submit--> in_review
    in_review --return--> in_progress     in_review --deliver--> delivered --approve--> completed
    delivered --revision--> revision_requested --start/submit--> in_progress / in_review
    delivered --dispute (client)--> disputed --resolve (admin)--> completed / cancelled / revision_requested
    unpaid, available, assigned, in_progress --cancel (client while unpaid; admin)--> cancelled

* **Price**, fixed at placement: ``pricing.quote`` is called once and its result copied onto the
  order (``currency``, ``price_per_page``, ``subtotal``, ``extras_total``, ``discount_total`` (a
  discount code or campaign), ``loyalty_total`` (points redeemed), ``total = subtotal +
  extras_total - discount_total - loyalty_total``, the lines as JSON); never recomputed, so a later
  change of the pricing table never changes a placed order.
  The order is billed by one invoice (``payments``), paid from the client's wallet or by card.
* **Lateness** is computed, not stored (``is_late``): the deadline has passed and the order was not
  delivered (``LATE_STATUSES``); no beat task is needed and it can never go stale.
* **Earning**: when the order completes (the client approves it, or an admin resolves its dispute
  ``completed``), the writer's earning is credited to their wallet once (``earning``, ledger
  reference ``order:<id>:earning``): by the site's ``OrderSettings.earning_mode``, their level's
  share of what the client kept (``share``) or their level's per-page amount times the pages
  (``per_page``), never above what was kept (``writers/earnings.py``; a writer without a profile
  is of the default level). *Kept* is the total less the order's refunds.
* **Refunds** (``OrderRefund``): an admin's decision on a paid order that is ``cancelled`` or
  ``disputed``: the amount goes to the client's wallet (one ledger row, reference
  ``order:<id>:refund:<refund id>``); the refunds of an order never add up to more than its
  invoice was paid. Cancelling a paid order moves no money by itself.
  So for a disputed order refunded in part and then resolved ``completed``: the client paid
  ``total``, got ``refunded`` back, the writer earns by their level on ``total - refunded``, and
  the site keeps the rest; ``refunded + earning <= total`` always.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from tenant_apps.payments.models import Invoice
from tenant_apps.writing.orders.numbers import new_order_number
from tenant_apps.writing.pricing.models import OrderOption

DEFAULT_FREE_REVISION_DAYS = 7


class OrderStatus(models.TextChoices):
    """Where an order is (see the module's diagram)."""

    UNPAID = "unpaid", "Awaiting payment"
    AVAILABLE = "available", "Available to writers"
    ASSIGNED = "assigned", "Assigned to a writer"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    DELIVERED = "delivered", "Delivered"
    REVISION_REQUESTED = "revision_requested", "Revision requested"
    DISPUTED = "disputed", "Disputed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


#: Statuses in which an order has its writer (``writer`` set; the constraint below).
WITH_WRITER = (
    OrderStatus.ASSIGNED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.IN_REVIEW,
    OrderStatus.DELIVERED,
    OrderStatus.REVISION_REQUESTED,
    OrderStatus.DISPUTED,
    OrderStatus.COMPLETED,
)
#: Statuses in which a passed deadline makes an order late (it has not reached the client yet).
LATE_STATUSES = (
    OrderStatus.AVAILABLE,
    OrderStatus.ASSIGNED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.IN_REVIEW,
    OrderStatus.REVISION_REQUESTED,
)


def _any_status(statuses: tuple[str, ...]) -> Q:
    # ORed equalities rather than ``status__in``: PostgreSQL prints ``IN`` in a form a cloned
    # schema would not reproduce exactly (see rental bookings).
    condition = Q(status=statuses[0])
    for status in statuses[1:]:
        condition |= Q(status=status)
    return condition


class AssignmentMode(models.TextChoices):
    """How a paid order gets its writer."""

    ADMIN = "admin", "Writers request, an admin assigns one"
    FIRST_REQUEST = "first_request", "The first writer to request it gets it"


class EarningMode(models.TextChoices):
    """How a completed order's earning is computed from the writer's level (``writers/earnings.py``)."""

    SHARE = "share", "The level's share of the order's (kept) total"
    PER_PAGE = "per_page", "The level's amount per page, at most the (kept) total"


class OrderSettings(models.Model):
    """The orders settings of the site (one row, ``pk=1``).

    ``assignment_mode``: ``admin`` or ``first_request``; ``earning_mode``: ``share`` (default) or
    ``per_page``, how a writer's level sets their earning (``writing_writers.WriterLevel``);
    ``free_revision_days``: how many days after delivery the client may ask for a free revision.
    """

    assignment_mode = models.CharField(max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.ADMIN)
    earning_mode = models.CharField(max_length=16, choices=EarningMode.choices, default=EarningMode.SHARE)
    free_revision_days = models.PositiveIntegerField(default=DEFAULT_FREE_REVISION_DAYS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "order settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="writing_orders_settings_single_row"),
            models.CheckConstraint(
                condition=Q(earning_mode__in=EarningMode.values), name="writing_orders_settings_earning_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(assignment_mode__in=AssignmentMode.values), name="writing_orders_settings_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return "order settings"


class Order(models.Model):
    """A client's order; amounts are ``Decimal`` with 2 places in ``currency`` (copied from the quote)."""

    number = models.CharField(
        max_length=32, unique=True, default=new_order_number, help_text="WO-7F3A9C21: random (numbers.py)."
    )
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_orders")
    topic = models.CharField(max_length=300)
    paper_type = models.ForeignKey(OrderOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    academic_level = models.ForeignKey(OrderOption, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(OrderOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    formatting_style = models.ForeignKey(OrderOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    language = models.ForeignKey(OrderOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pages = models.PositiveIntegerField()
    spacing = models.CharField(max_length=8)
    deadline = models.DateTimeField(help_text="Aware, stored in UTC.")
    instructions = models.TextField(blank=True)
    sources = models.PositiveIntegerField(default=0, help_text="How many sources the paper cites.")
    extras = models.JSONField(default=list, blank=True, help_text="Slugs of the extra services ordered.")
    currency = models.CharField(max_length=3)
    price_per_page = models.DecimalField(max_digits=12, decimal_places=2)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    extras_total = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Taken off by a discount code or campaign."
    )
    loyalty_total = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Taken off by loyalty points redeemed."
    )
    total = models.DecimalField(max_digits=12, decimal_places=2)
    price_lines = models.JSONField(default=list, help_text="The quote's lines: kind, slug, description, amount.")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.UNPAID)
    invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="writing_order"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="writing_assignments"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="writing_reviews"
    )
    revision_count = models.PositiveIntegerField(default=0)
    dispute_reason = models.TextField(blank=True, help_text="The client's reason, when they disputed the delivery.")
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The client's rating of the work, 1-5, given when approving."
    )
    revision_instructions = models.TextField(blank=True)
    editor_notes = models.TextField(blank=True)
    earning = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["client", "-created_at"], name="writing_orders_client_recent"),
            models.Index(fields=["writer", "-created_at"], name="writing_orders_writer_recent"),
            models.Index(fields=["status", "deadline"], name="writing_orders_status_deadline"),
            models.Index(fields=["-created_at", "-id"], name="writing_orders_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="writing_orders_total_positive"),
            models.CheckConstraint(condition=Q(pages__gte=1), name="writing_orders_pages_positive"),
            models.CheckConstraint(
                condition=Q(subtotal__gt=0)
                & Q(extras_total__gte=0)
                & Q(discount_total__gte=0)
                & Q(loyalty_total__gte=0)
                & Q(
                    total=models.F("subtotal")
                    + models.F("extras_total")
                    - models.F("discount_total")
                    - models.F("loyalty_total")
                ),
                name="writing_orders_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="writing_orders_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(earning__gte=0) & Q(earning__lte=models.F("total")), name="writing_orders_earning_range"
            ),
            # The writer is set exactly when the order is past ``available`` (a cancelled order
            # keeps the writer it had, if any).
            models.CheckConstraint(
                condition=(_any_status(WITH_WRITER) & Q(writer__isnull=False))
                | ((Q(status=OrderStatus.UNPAID) | Q(status=OrderStatus.AVAILABLE)) & Q(writer__isnull=True))
                | Q(status=OrderStatus.CANCELLED),
                name="writing_orders_writer_iff_assigned",
            ),
            models.CheckConstraint(
                condition=Q(status=OrderStatus.UNPAID) | Q(status=OrderStatus.CANCELLED) | Q(paid_at__isnull=False),
                name="writing_orders_paid_at_when_paid",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_late(self) -> bool:
        """Whether the deadline has passed and the order has not reached the client (computed)."""
        return self.status in LATE_STATUSES and self.deadline <= timezone.now()


class OrderRefund(models.Model):
    """Money given back to an order's client by an admin's decision: ``amount`` (> 0, ``currency``
    the order's) credited to the client's wallet by ``ledger_entry`` (reference
    ``order:<order id>:refund:<id>``). The refunds of an order add up to at most what its invoice
    was paid (checked under the order's lock, ``services.refunds``)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    ledger_entry = models.OneToOneField(
        "wallet.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set in the transaction that creates the refund (its reference names the refund's id).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_orders_refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} -> order {self.order_id}"


class WriterRequest(models.Model):
    """A writer's request to work on an available order (``assignment_mode`` ``admin``: an admin
    assigns one of the requesters); one per writer and order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="writer_requests")
    writer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(fields=("order", "writer"), name="writing_orders_request_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.writer_id} -> {self.order_id}"


class OrderUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-user object permissions on orders, with a real foreign key (as
    tickets and rental inquiries have): the client, the writer and the editor of an order hold
    ``writing_orders.view_order`` on it (``access.grant_party``); rows go away with their order."""

    content_object = models.ForeignKey(Order, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False

    def __str__(self) -> str:
        return f"{self.permission.codename} on order {self.content_object_id} for {self.user_id}"
