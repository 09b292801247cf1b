"""Writers' fines and their appeals (one schema per writing site).

* **Rules** (``FineSettings``, one row, admin-editable): a late delivery costs
  ``late_percent_per_hour`` percent of the order's total per started hour late, at most
  ``late_cap_percent`` percent of it; lateness within ``grace_minutes`` is forgiven. A revision is
  due ``revision_hours`` after the client asks for it; missing that costs ``revision_percent``
  percent of the total. ``enabled`` off: no automatic fine (an admin may still fine). Percentages
  rather than amounts: a fine follows the order's size and is in the order's currency.
* **Lateness is the writer's**: it is measured at the writer's submission the editor then delivers
  (``WorkClock.submitted_at``), not at the editor's delivery, so an editor's delay never fines the
  writer; hours late = ``ceil((submitted_at - deadline) / 1 h)``, counted from the deadline once
  past the grace. One late fine per order (the first delivery), one missed-revision fine per
  revision round (``rule_key`` unique).
* **Deduction** (``FineDeduction``): a fine is paid from the writer's wallet balance as ``payment``
  ledger rows (reference ``fine:<fine>:deduction:<deduction>``): a fine of an order once the order
  is closed (completed: right after its earning is credited; or cancelled), a fine without an order
  at once. Never more than the balance holds: the rest stays outstanding and is taken from the
  writer's next earnings (oldest fine first).
* **Appeal** (``FineAppeal``, one per fine): the writer explains; an admin accepts (the fine is
  reversed: what was deducted goes back as one ``refund`` ledger row, reference
  ``fine:<fine>:reversal``, and nothing more is deducted) or rejects it saying why.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tenant_apps.writing.orders.models import Order

DEFAULT_LATE_PERCENT_PER_HOUR = Decimal("2.00")
DEFAULT_LATE_CAP_PERCENT = Decimal("30.00")
DEFAULT_GRACE_MINUTES = 60
DEFAULT_REVISION_PERCENT = Decimal("10.00")
DEFAULT_REVISION_HOURS = 48


class FineSettings(models.Model):
    """The fine rules of the site (one row, ``pk=1``; see the module). Percentages are of the
    order's total, from 0 to 100."""

    enabled = models.BooleanField(default=True, help_text="Fine late and missed revisions automatically.")
    late_percent_per_hour = models.DecimalField(max_digits=5, decimal_places=2, default=DEFAULT_LATE_PERCENT_PER_HOUR)
    late_cap_percent = models.DecimalField(max_digits=5, decimal_places=2, default=DEFAULT_LATE_CAP_PERCENT)
    grace_minutes = models.PositiveIntegerField(default=DEFAULT_GRACE_MINUTES)
    revision_percent = models.DecimalField(max_digits=5, decimal_places=2, default=DEFAULT_REVISION_PERCENT)
    revision_hours = models.PositiveIntegerField(default=DEFAULT_REVISION_HOURS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "fine settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="writing_fines_settings_single_row"),
            models.CheckConstraint(
                condition=Q(late_percent_per_hour__gte=0)
                & Q(late_percent_per_hour__lte=100)
                & Q(late_cap_percent__gte=0)
                & Q(late_cap_percent__lte=100)
                & Q(revision_percent__gte=0)
                & Q(revision_percent__lte=100),
                name="writing_fines_settings_percents",
            ),
            models.CheckConstraint(condition=Q(revision_hours__gte=1), name="writing_fines_settings_revision_hours"),
        ]

    def __str__(self) -> str:
        return "fine settings"


class FineKind(models.TextChoices):
    """Why a writer was fined."""

    LATE_DELIVERY = "late_delivery", "Late delivery"
    MISSED_REVISION = "missed_revision", "Missed revision deadline"
    MANUAL = "manual", "Issued by an admin"


class FineStatus(models.TextChoices):
    """Where a fine's money is."""

    OUTSTANDING = "outstanding", "Some or all of it still to be deducted"
    SETTLED = "settled", "Deducted in full"
    REVERSED = "reversed", "Reversed (appeal accepted); what was deducted was given back"


class Fine(models.Model):
    """A fine on ``writer``: ``amount`` (> 0, ``currency``) of which ``deducted`` has been taken
    from their wallet (``FineDeduction`` rows add up to it). ``order``: the order it is about
    (``None`` for an admin's fine about no order). ``rule_key``: the rule that made it (``late:<order>``,
    ``revision:<order>:<round>``; empty for an admin's), unique so a rule fines once.
    ``issued_by``: the admin (``None``: the rules)."""

    writer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_fines")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="fines")
    kind = models.CharField(max_length=20, choices=FineKind.choices)
    reason = models.TextField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    deducted = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(max_length=16, choices=FineStatus.choices, default=FineStatus.OUTSTANDING)
    hours_late = models.PositiveIntegerField(null=True, blank=True, help_text="Late deliveries: started hours late.")
    rule_key = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_entry = models.OneToOneField(
        "wallet.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["writer", "status"], name="writing_fines_writer_status"),
            models.Index(fields=["-created_at", "-id"], name="writing_fines_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_fines_amount_positive"),
            models.CheckConstraint(
                condition=Q(deducted__gte=0) & Q(deducted__lte=F("amount")), name="writing_fines_deducted_range"
            ),
            models.CheckConstraint(condition=Q(kind__in=FineKind.values), name="writing_fines_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=FineStatus.values), name="writing_fines_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=FineStatus.SETTLED) | Q(deducted=F("amount")), name="writing_fines_settled_in_full"
            ),
            models.CheckConstraint(
                condition=Q(status=FineStatus.REVERSED, reversed_at__isnull=False)
                | (~Q(status=FineStatus.REVERSED) & Q(reversed_at__isnull=True)),
                name="writing_fines_reversed_at_when_reversed",
            ),
            models.CheckConstraint(
                condition=Q(kind=FineKind.MANUAL) | (Q(order__isnull=False) & ~Q(rule_key="")),
                name="writing_fines_rule_fines_name_their_order",
            ),
            models.UniqueConstraint(fields=["rule_key"], condition=~Q(rule_key=""), name="writing_fines_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} on user {self.writer_id}"

    @property
    def outstanding(self) -> Decimal:
        """What is still to be deducted (0 once settled or reversed)."""
        if self.status == FineStatus.REVERSED:
            return Decimal("0.00")
        return self.amount - self.deducted


class FineDeduction(models.Model):
    """One deduction of part or all of a fine from the writer's wallet balance: ``amount`` (> 0,
    the fine's currency) paid by ``ledger_entry`` (a ``payment`` row, reference
    ``fine:<fine>:deduction:<id>``)."""

    fine = models.ForeignKey(Fine, on_delete=models.PROTECT, related_name="deductions")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    ledger_entry = models.OneToOneField(
        "wallet.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set in the transaction that creates the deduction (its reference names the deduction).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_fines_deduction_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of fine {self.fine_id}"


class AppealStatus(models.TextChoices):
    """Where an appeal is."""

    PENDING = "pending", "Waiting for an admin"
    ACCEPTED = "accepted", "Accepted: the fine is reversed"
    REJECTED = "rejected", "Rejected: the fine stands"


class FineAppeal(models.Model):
    """The writer's appeal of a fine (one per fine): their ``explanation``, then an admin's
    decision (``decided_by``, ``decided_at``, ``note``: required when rejecting)."""

    fine = models.OneToOneField(Fine, on_delete=models.PROTECT, related_name="appeal")
    explanation = models.TextField()
    status = models.CharField(max_length=16, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="writing_fines_appeal_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AppealStatus.values), name="writing_fines_appeal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=AppealStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=AppealStatus.PENDING) & Q(decided_at__isnull=False)),
                name="writing_fines_appeal_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal of fine {self.fine_id}: {self.status}"


class WorkClock(models.Model):
    """The times of the writer's work on an order the rules need and the order does not keep:
    ``submitted_at`` (the writer's last submission), and the open revision round (``revision_round``,
    due at ``revision_due_at``; ``None`` once submitted)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    revision_round = models.PositiveIntegerField(default=0)
    revision_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["revision_due_at"], condition=Q(revision_due_at__isnull=False), name="writing_fines_due"
            )
        ]

    def __str__(self) -> str:
        return f"work clock of order {self.order_id}"
