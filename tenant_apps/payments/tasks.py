"""Payment tasks; they run in the schema they were sent from (tenant-schemas-celery)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings

from saas.tasks import effect_once

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.EMAIL_MAX_RETRIES,
)
@effect_once
def email_invoice_pdf(self: Any, invoice_id: int, reason: str) -> None:
    """E-mail invoice ``invoice_id`` to its customer with its PDF attached.

    ``reason`` is ``"issued"`` or ``"paid"`` (it picks the template). Retried with exponential
    backoff like every e-mail task; an invoice that no longer exists is skipped.
    """
    from tenant_apps.payments.models import Invoice
    from tenant_apps.payments.services import invoice_email_deliver

    invoice = Invoice.objects.select_related("customer").filter(pk=invoice_id).first()
    if invoice is None:
        logger.warning("invoice %s is gone; no e-mail sent", invoice_id)
        return
    invoice_email_deliver(invoice=invoice, reason=reason)
