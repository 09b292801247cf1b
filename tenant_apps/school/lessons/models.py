"""Authors, products with ordered video lessons, purchases paid through an invoice, and study groups.

Rules (issue 4, points 3 and 4; seed 004, the online school):

* A **product** (a course sold as a whole) has an author, a price in one currency and ordered
  lessons, each a title and a video URL. Anyone sees a published product's *outline* (lesson
  titles and count); the video URLs are shown only to a student whose purchase is **paid** and to
  staff (``access.py``).
* A **purchase** is a student's order of a product, billed by one invoice of the shared payments
  app. It turns ``paid`` in the transaction that makes its invoice paid (``invoice_paid``);
  a partially paid invoice unlocks nothing. A student has at most one live (pending or paid)
  purchase per product, enforced by a partial unique index.
* On payment the student joins a **study group** of the product: the group with the most members
  that is still below its capacity (ties: the oldest group, i.e. lowest ``number``); when none has
  room, ``groups_per_batch`` new groups are created at once (the seed: 3 groups of at most 2).
  ``StudyGroup.member_count`` is kept by the services next to the membership rows, and a check
  constraint refuses ``member_count > capacity``: even a write that skipped the product lock could
  not overfill a group.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

DEFAULT_GROUPS_PER_BATCH = 3
DEFAULT_MAX_GROUP_SIZE = 2


class Author(models.Model):
    """The person who made one or more products."""

    name = models.CharField(max_length=200)
    bio = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A course sold as a whole: ``price`` (major units, > 0) in ``currency`` (ISO 4217), lessons,
    and the settings of its study groups.

    ``groups_per_batch``: how many groups are created at once when every group is full.
    ``max_group_size``: the capacity given to groups created from now on; a group keeps the
    capacity it was created with (``StudyGroup.capacity``), so lowering the setting never makes
    an existing group overfull.
    Unpublished products are hidden from everyone but staff and their buyers, and cannot be bought.
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="products")
    price = models.DecimalField(max_digits=12, decimal_places=2, help_text="Major units, greater than zero.")
    currency = models.CharField(max_length=3, help_text="ISO 4217, upper case.")
    is_published = models.BooleanField(default=False)
    groups_per_batch = models.PositiveSmallIntegerField(
        default=DEFAULT_GROUPS_PER_BATCH, help_text="Groups created at once when every group is full."
    )
    max_group_size = models.PositiveSmallIntegerField(
        default=DEFAULT_MAX_GROUP_SIZE, help_text="Capacity of groups created from now on."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title", "id")
        indexes = [models.Index(fields=["title", "id"], name="lessons_product_title")]  # the list's order
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=Decimal("0")), name="lessons_product_price_positive"),
            models.CheckConstraint(condition=Q(groups_per_batch__gte=1), name="lessons_product_batch_positive"),
            models.CheckConstraint(condition=Q(max_group_size__gte=1), name="lessons_product_group_size_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """One video lesson of a product; ``order`` (1, 2, ...) is unique within the product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    video_url = models.URLField(max_length=500)
    order = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("product", "order")
        constraints = [
            models.UniqueConstraint(fields=["product", "order"], name="lessons_lesson_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="lessons_lesson_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class PurchaseStatus(models.TextChoices):
    """A purchase's state: ``pending`` until its invoice is paid in full, then ``paid``; ``cancelled`` once
    its invoice was cancelled."""

    PENDING = "pending", "Pending payment"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled (invoice cancelled)"


#: Statuses of a purchase that still counts (all but cancelled): at most one per student and product.
LIVE_PURCHASE_STATUSES = (PurchaseStatus.PENDING, PurchaseStatus.PAID)


class ProductPurchase(models.Model):
    """``student``'s order of ``product``, billed by ``invoice`` (one invoice per purchase).

    ``pending`` until the invoice is paid in full, then ``paid`` (``paid_at``) in the same
    transaction. A pending purchase whose invoice was cancelled is marked ``cancelled`` when the
    student buys the product again.
    """

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="product_purchases")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="purchases")
    invoice = models.OneToOneField("payments.Invoice", on_delete=models.PROTECT, related_name="product_purchase")
    status = models.CharField(max_length=16, choices=PurchaseStatus.choices, default=PurchaseStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            # Live = not cancelled. Written as "<> cancelled", not "IN (pending, paid)": PostgreSQL
            # prints an IN list in a form that re-parses differently, and the schema clone must
            # reproduce every index exactly (tests/shared_apps/tenancy/test_schema_clone.py).
            models.UniqueConstraint(
                fields=["student", "product"],
                condition=~Q(status=PurchaseStatus.CANCELLED),
                name="lessons_purchase_one_live_per_student",
            ),
            models.CheckConstraint(
                condition=Q(status=PurchaseStatus.PAID, paid_at__isnull=False)
                | (~Q(status=PurchaseStatus.PAID) & Q(paid_at__isnull=True)),
                name="lessons_purchase_paid_at_iff_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} / {self.product} ({self.status})"


class StudyGroup(models.Model):
    """A group of students of one product: ``number`` 1, 2, ... per product in creation order,
    named ``"<product title> #<number>"``.

    ``capacity`` is the product's ``max_group_size`` when the group was created; ``member_count``
    is the number of its ``GroupMembership`` rows, kept by the services under the product's row
    lock, and the database refuses a count above the capacity.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=220)
    capacity = models.PositiveSmallIntegerField()
    member_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("product", "number")
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="lessons_group_number_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="lessons_group_capacity_positive"),
            models.CheckConstraint(
                condition=Q(member_count__gte=0) & Q(member_count__lte=F("capacity")), name="lessons_group_not_overfull"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_full(self) -> bool:
        return self.member_count >= self.capacity


class GroupMembership(models.Model):
    """``student`` is in ``group``; ``product`` (= ``group.product``) makes "one group per student and
    product" a unique index."""

    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="memberships")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_group_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("group", "joined_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["product", "student"], name="lessons_membership_one_group_per_product"),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.group}"
