"""Special orders of a writing site: a client's custom request, quoted by an admin with an
installment plan and paid one installment at a time.

Life of a special order (``SpecialOrderStatus``; the moves and who makes them: ``transitions.py``)::

    requested --quote (admin)--> quoted --accept (client)--> accepted --start (admin)--> in_progress
    quoted --quote again (admin)--> quoted      quoted --decline (client)--> declined
    in_progress --complete (admin)--> completed
    requested, quoted --cancel (client, admin)--> cancelled
    accepted, in_progress --cancel (admin)--> cancelled

* **Quote**: the admin sets ``total`` (in the site's pricing currency) and the plan at once: 1 to
  12 ``Installment`` rows whose amounts add up to the total exactly, due dates strictly ascending
  and not in the past (``services.special_order_quote``).
* **Invoices**: all issued when the client accepts, one per installment, each due on its
  installment's date: the client sees the whole schedule on their invoices from the start and may
  pay ahead. Installments are paid **in order** (an installment whose predecessor is unpaid is
  refused, 409 ``installment_out_of_order``), each from the wallet or by card; the
  ``invoice_paid`` signal marks it ``paid`` (``receivers.py``).
* **Work follows the plan**: an admin starts the work (``in_progress``) only once the first
  installment is paid, and completes the order only once every installment is paid (409
  ``installments_unpaid`` otherwise).
* **Reminders and overdue** (beat task ``tasks.special_orders_remind``): ``reminder_sent_at`` and
  ``overdue_at`` are claimed once each by a conditional ``UPDATE`` (so a second run, or two runs at
  once, send nothing more); ``is_overdue`` is computed (pending and past its due date), never stale.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenant_apps.payments.models import Invoice

#: The most installments a plan may have.
MAX_INSTALLMENTS = 12


class SpecialOrderStatus(models.TextChoices):
    """Where a special order is (see the module's diagram)."""

    REQUESTED = "requested", "Requested"
    QUOTED = "quoted", "Quoted"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


#: Statuses in which the order has a quote (``total`` and ``currency`` set).
QUOTED_STATUSES = (
    SpecialOrderStatus.QUOTED,
    SpecialOrderStatus.ACCEPTED,
    SpecialOrderStatus.IN_PROGRESS,
    SpecialOrderStatus.COMPLETED,
)
#: Statuses in which the installments are billed and may be paid.
PAYABLE_STATUSES = (SpecialOrderStatus.ACCEPTED, SpecialOrderStatus.IN_PROGRESS)


class InstallmentStatus(models.TextChoices):
    """Where one installment is."""

    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


def _any_status(statuses: tuple[str, ...]) -> Q:
    # ORed equalities rather than ``status__in`` (see writing orders: stable in cloned schemas).
    condition = Q(status=statuses[0])
    for status in statuses[1:]:
        condition |= Q(status=status)
    return condition


class SpecialOrder(models.Model):
    """A client's custom order. ``total`` (``Decimal``, 2 places, ``currency``) is ``null`` until
    an admin quotes it; ``writer`` (optional) is who an admin assigned the work to."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="special_orders")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    deadline = models.DateTimeField(null=True, blank=True, help_text="Optional; aware, stored in UTC.")
    status = models.CharField(max_length=16, choices=SpecialOrderStatus.choices, default=SpecialOrderStatus.REQUESTED)
    total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, help_text="The pricing currency when quoted.")
    admin_note = models.TextField(blank=True, help_text="The admin's note to the client, with the quote.")
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="special_order_assignments",
    )
    reason = models.TextField(blank=True, help_text="Why it was declined or cancelled.")
    quoted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was declined or cancelled.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["client", "-created_at"], name="writing_special_client_recent"),
            models.Index(fields=["writer", "-created_at"], name="writing_special_writer_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_any_status(tuple(SpecialOrderStatus.values)), name="writing_special_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gt=0), name="writing_special_total_positive"
            ),
            # A quoted order (and every later one) has its total and currency.
            models.CheckConstraint(
                condition=~_any_status(QUOTED_STATUSES) | (Q(total__isnull=False) & ~Q(currency="")),
                name="writing_special_quoted_has_total",
            ),
        ]

    def __str__(self) -> str:
        return f"special order {self.pk}: {self.title[:40]}"


class Installment(models.Model):
    """One installment of a special order's plan: ``amount`` (> 0, the order's ``currency``) due
    on ``due_date``, billed by ``invoice`` (issued when the client accepts), ``paid`` when the
    invoice is (``paid_at``). ``sequence`` is 1-based and unique per order; installments are paid
    in sequence order."""

    special_order = models.ForeignKey(SpecialOrder, on_delete=models.CASCADE, related_name="installments")
    sequence = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=InstallmentStatus.choices, default=InstallmentStatus.PENDING)
    invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="special_order_installment"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, help_text="The before-due reminder, sent once.")
    overdue_at = models.DateTimeField(null=True, blank=True, help_text="When the beat task flagged it overdue (once).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("special_order_id", "sequence")
        indexes = [models.Index(fields=["status", "due_date"], name="writing_special_inst_due")]
        constraints = [
            models.UniqueConstraint(fields=("special_order", "sequence"), name="writing_special_inst_sequence_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_special_inst_amount_positive"),
            models.CheckConstraint(
                condition=Q(sequence__gte=1) & Q(sequence__lte=MAX_INSTALLMENTS), name="writing_special_inst_sequence"
            ),
            models.CheckConstraint(
                condition=_any_status(tuple(InstallmentStatus.values)), name="writing_special_inst_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=InstallmentStatus.PAID) | (Q(paid_at__isnull=False) & Q(invoice__isnull=False)),
                name="writing_special_inst_paid_has_invoice",
            ),
        ]

    def __str__(self) -> str:
        return f"installment {self.sequence} of special order {self.special_order_id}"

    @property
    def is_overdue(self) -> bool:
        """Whether it is billed and still pending after its due date (computed: never stale)."""
        return (
            self.invoice_id is not None
            and self.status == InstallmentStatus.PENDING
            and self.due_date < timezone.localdate()
        )
