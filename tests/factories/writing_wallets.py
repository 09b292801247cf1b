"""Writers' payout requests, made by ``writing.wallets.services`` and walked to their status.

``PayoutRequestFactory()`` credits a new writer's wallet with ``amount`` (an ``earning``, as an
approved order does) and asks for a payout of it (``payout_request``: held at once), ``requested``.
Traits: ``approved`` (the site's admin approves), ``paid`` (approved, then marked paid with
``reference``), ``rejected`` (the admin rejects it with a note: the money is released).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.conf import settings

from tenant_apps.wallet.services import wallet_earning, wallet_open
from tenant_apps.writing.wallets import services
from tenant_apps.writing.wallets.models import PayoutRequest, PayoutStatus
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin


class PayoutRequestFactory(ServiceFactory[PayoutRequest]):
    """A payout request of ``amount`` by ``writer`` (default: a new writer), their wallet credited
    with ``earned`` (default: ``amount``) first, walked to ``status`` through the services."""

    class Meta:
        model = PayoutRequest

    class Params:
        approved = factory.Trait(status=PayoutStatus.APPROVED)
        paid = factory.Trait(status=PayoutStatus.PAID)
        rejected = factory.Trait(status=PayoutStatus.REJECTED)

    writer = factory.SubFactory(UserFactory, roles=["writer"])
    amount: Decimal | str = "40.00"
    earned: Decimal | str | None = None
    status = PayoutStatus.REQUESTED
    reference = "BANK-TRANSFER-1"

    @classmethod
    def _create(cls, model_class: type[PayoutRequest], *args: Any, **kwargs: Any) -> PayoutRequest:
        writer, amount, status = kwargs["writer"], Decimal(kwargs["amount"]), kwargs["status"]
        earned = Decimal(kwargs["earned"]) if kwargs["earned"] is not None else amount
        if earned:
            wallet_earning(
                wallet=wallet_open(user=writer), amount=earned, currency=settings.DEFAULT_CURRENCY, memo="test"
            )
        payout = services.payout_request(writer=writer, amount=amount)
        if status in {PayoutStatus.APPROVED, PayoutStatus.PAID}:
            payout = services.payout_approve(payout=payout, actor=site_admin())
        if status == PayoutStatus.PAID:
            payout = services.payout_mark_paid(payout=payout, actor=site_admin(), reference=kwargs["reference"])
        if status == PayoutStatus.REJECTED:
            payout = services.payout_reject(payout=payout, actor=site_admin(), note="Bank details missing.")
        return PayoutRequest.objects.get(pk=payout.pk)
