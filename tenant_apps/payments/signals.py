"""Signals other apps may listen to (an enrolment that starts once its invoice is paid, say).

``invoice_paid`` is sent with ``sender=Invoice`` and ``invoice=<Invoice>`` when approved payments
first cover an invoice's total. It is sent inside the transaction that approved the payment, with
the invoice row locked: a receiver's writes commit or roll back with the payment, and a receiver
that raises rolls the approval back. Receivers must not call external services; enqueue them
with ``transaction.on_commit`` instead.
"""

from django.dispatch import Signal

invoice_paid = Signal()
