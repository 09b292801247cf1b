"""Class bundles and express classes of a writing site (issue 14 point 6; one schema per site).

* ``Bundle``: what an admin sells: ``quantity`` units (``unit``: pages or assignments) for ``price``
  (``currency``, the site's pricing currency when it was set), usable for ``validity_days`` days
  after the purchase is paid. Inactive bundles are not sold; a bundle with purchases is never
  deleted (its purchases keep a copy of its terms).
* ``BundlePurchase``: a client's bundle, billed by one invoice (``payments``), paid from the wallet
  or by card::

      pending --invoice paid (invoice_paid)--> active --last unit drawn--> used_up
      active --expires_at passed (beat task, or seen when drawing)--> expired
      used_up --units given back (its order cancelled), before expires_at--> active

  ``remaining`` units (never negative, never above ``quantity``: check constraints) count down as
  orders draw from it; ``expires_at`` is ``activated_at`` + ``validity_days``.
* ``BundleDraw``: one order paid from a purchase: ``units`` = the order's pages (unit ``pages``) or 1
  (unit ``assignments``). An order is paid by one draw at most (unique). Its invoice is called off
  (``orders.services.order_mark_paid_otherwise``). When the order is cancelled the units go back
  to the purchase (``returned_at``), which becomes ``active`` again if it was ``used_up`` and is not
  past ``expires_at``; an expired purchase gets them back too, unusable.
* ``ExpressClass``: an admin-managed class of orders priced by its own rule instead of the page-rate
  table (``pricing.py``): ``price`` per page (``unit`` pages, times the single-spacing factor) or
  per assignment, a deadline between ``min_hours`` and ``max_hours`` from now, and the academic
  levels it takes (none listed: every active one). ``ExpressOrder`` links an order to its class.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tenant_apps.writing.pricing.models import OrderOption

#: The most units a bundle holds and the longest validity, in days.
MAX_QUANTITY = 10000
MAX_VALIDITY_DAYS = 3650
#: The longest deadline an express class may allow, in hours (a year).
MAX_HOURS = 24 * 365


class BundleUnit(models.TextChoices):
    """What a bundle's (or an express class's) units count."""

    PAGES = "pages", "Pages"
    ASSIGNMENTS = "assignments", "Assignments"


# ORed equalities rather than ``unit__in`` (see ``writing_orders.models._any_status``).
_UNIT_VALID = Q(unit=BundleUnit.PAGES) | Q(unit=BundleUnit.ASSIGNMENTS)


class Bundle(models.Model):
    """``quantity`` ``unit`` for ``price`` (``currency``), valid ``validity_days`` days once paid."""

    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=12, choices=BundleUnit.choices)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    validity_days = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("price", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_QUANTITY), name="writing_bundles_quantity_range"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="writing_bundles_price_positive"),
            models.CheckConstraint(
                condition=Q(validity_days__gte=1) & Q(validity_days__lte=MAX_VALIDITY_DAYS),
                name="writing_bundles_validity_range",
            ),
            models.CheckConstraint(condition=_UNIT_VALID, name="writing_bundles_unit_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.quantity} {self.unit})"


class PurchaseStatus(models.TextChoices):
    """Where a bundle purchase is (see the module's diagram)."""

    PENDING = "pending", "Awaiting payment"
    ACTIVE = "active", "Active"
    USED_UP = "used_up", "Used up"
    EXPIRED = "expired", "Expired"


class BundlePurchase(models.Model):
    """``client``'s purchase of ``bundle``, its terms copied (``unit``, ``quantity``, ``price``,
    ``currency``, ``validity_days``), billed by ``invoice``; ``remaining`` units to draw until
    ``expires_at``."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_bundles")
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="purchases")
    unit = models.CharField(max_length=12, choices=BundleUnit.choices)
    quantity = models.PositiveIntegerField()
    remaining = models.IntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    validity_days = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.PENDING)
    invoice = models.OneToOneField("payments.Invoice", on_delete=models.PROTECT, related_name="writing_bundle")
    activated_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["client", "-created_at"], name="writing_bundles_client_recent"),
            models.Index(fields=["status", "expires_at"], name="writing_bundles_status_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("quantity")),
                name="writing_bundles_remaining_range",
            ),
            models.CheckConstraint(
                condition=(Q(status=PurchaseStatus.PENDING) & Q(activated_at__isnull=True) & Q(expires_at__isnull=True))
                | (~Q(status=PurchaseStatus.PENDING) & Q(activated_at__isnull=False) & Q(expires_at__isnull=False)),
                name="writing_bundles_dates_when_paid",
            ),
            models.CheckConstraint(
                condition=(Q(status=PurchaseStatus.ACTIVE) & Q(remaining__gt=0))
                | (Q(status=PurchaseStatus.USED_UP) & Q(remaining=0))
                | (Q(status=PurchaseStatus.PENDING) & Q(remaining=F("quantity")))
                | Q(status=PurchaseStatus.EXPIRED),
                name="writing_bundles_status_matches_remaining",
            ),
        ]

    def __str__(self) -> str:
        return f"bundle purchase #{self.pk} ({self.remaining}/{self.quantity} {self.unit}, {self.status})"


class BundleDraw(models.Model):
    """``units`` of ``purchase`` that paid ``order`` (one draw per order); ``returned_at`` when the
    order was cancelled and the units went back."""

    purchase = models.ForeignKey(BundlePurchase, on_delete=models.PROTECT, related_name="draws")
    order = models.OneToOneField("writing_orders.Order", on_delete=models.PROTECT, related_name="bundle_draw")
    units = models.PositiveIntegerField()
    returned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.CheckConstraint(condition=Q(units__gte=1), name="writing_bundles_draw_units_positive")]

    def __str__(self) -> str:
        return f"{self.units} from purchase {self.purchase_id} -> order {self.order_id}"


class ExpressClass(models.Model):
    """An express class: ``price`` (``currency``) per ``unit``, deadlines from ``min_hours`` to
    ``max_hours`` from now, for ``academic_levels`` (empty: every active level)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=12, choices=BundleUnit.choices)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    min_hours = models.PositiveIntegerField()
    max_hours = models.PositiveIntegerField()
    academic_levels = models.ManyToManyField(OrderOption, blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "express classes"
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="writing_bundles_express_price_positive"),
            models.CheckConstraint(
                condition=Q(min_hours__gte=1) & Q(min_hours__lte=F("max_hours")) & Q(max_hours__lte=MAX_HOURS),
                name="writing_bundles_express_hours_range",
            ),
            models.CheckConstraint(condition=_UNIT_VALID, name="writing_bundles_express_unit_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class ExpressOrder(models.Model):
    """``order`` was placed in ``express_class`` (and priced by its rule)."""

    order = models.OneToOneField("writing_orders.Order", on_delete=models.PROTECT, related_name="express")
    express_class = models.ForeignKey(ExpressClass, on_delete=models.PROTECT, related_name="orders")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"order {self.order_id} in {self.express_class_id}"
