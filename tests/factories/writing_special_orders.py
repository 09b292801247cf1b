"""Writing special orders, made by ``writing.special_orders.services`` and walked to their status
through them.

``SpecialOrderFactory()`` asks for a special order for a new client (``special_order_request``),
``requested``. Traits, one per status past it: ``quoted`` (the site's admin quotes ``total``,
default 100.00, in ``installments`` equal parts, default 2, due 7, 14, ... days from today),
``accepted`` (the client accepts: one invoice per installment), ``in_progress`` (the client's
wallet topped up with the first installment and pays it; the admin starts, ``writer`` assigned
when given), ``completed`` (every installment paid from the wallet, then completed),
``declined`` (the client declines the quote) and ``cancelled`` (the client cancels the request).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tenant_apps.writing.special_orders import services
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder, SpecialOrderStatus
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin

S = SpecialOrderStatus
#: The statuses in the order the factory walks them.
_PATH = (S.REQUESTED, S.QUOTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED)


def even_plan(total: Decimal, count: int, *, first_in_days: int = 7, every_days: int = 7) -> list[services.PlanItem]:
    """``count`` installments adding up to ``total`` (the last takes the cents left), the first due
    in ``first_in_days`` days, then one every ``every_days`` days."""
    part = (total / count).quantize(Decimal("0.01"))
    today = timezone.localdate()
    plan: list[services.PlanItem] = []
    for index in range(count):
        amount = part if index < count - 1 else total - part * (count - 1)
        plan.append({"amount": amount, "due_date": today + timedelta(days=first_in_days + every_days * index)})
    return plan


def pay_installment(special_order: SpecialOrder, sequence: int) -> Installment:
    """Top up the client's wallet with installment ``sequence`` and pay it from there."""
    installment = Installment.objects.get(special_order=special_order, sequence=sequence)
    wallet_top_up(wallet=wallet_open(user=special_order.client), amount=installment.amount, memo="test funds")
    return services.installment_pay_wallet(special_order=special_order, sequence=sequence, payer=special_order.client)


class SpecialOrderFactory(ServiceFactory[SpecialOrder]):
    """A special order by ``client`` (default: a new client) walked to ``status`` through the
    services (see the module)."""

    class Meta:
        model = SpecialOrder

    class Params:
        quoted = factory.Trait(status=S.QUOTED)
        accepted = factory.Trait(status=S.ACCEPTED)
        in_progress = factory.Trait(status=S.IN_PROGRESS)
        completed = factory.Trait(status=S.COMPLETED)
        declined = factory.Trait(status=S.DECLINED)
        cancelled = factory.Trait(status=S.CANCELLED)

    client = factory.SubFactory(UserFactory, roles=["client"])
    title = factory.Sequence(lambda n: f"Custom thesis {n}")
    description = "A 40-page thesis with a literature review."
    deadline: Any = None
    status = S.REQUESTED
    total = Decimal("100.00")
    installments = 2
    writer: Any = None

    @classmethod
    def _create(cls, model_class: type[SpecialOrder], *args: Any, **kwargs: Any) -> SpecialOrder:
        status = kwargs.pop("status")
        total, count, writer = Decimal(kwargs.pop("total")), kwargs.pop("installments"), kwargs.pop("writer")
        special_order = services.special_order_request(**kwargs)
        client = special_order.client
        if status == S.CANCELLED:
            return services.special_order_cancel(special_order=special_order, actor=client, reason="No longer needed.")
        target = _PATH.index(S.QUOTED) if status == S.DECLINED else _PATH.index(status)
        if target >= 1:
            special_order = services.special_order_quote(
                special_order=special_order, actor=site_admin(), total=total, installments=even_plan(total, count)
            )
        if status == S.DECLINED:
            return services.special_order_decline(special_order=special_order, actor=client, reason="Too dear.")
        if target >= 2:
            special_order = services.special_order_accept(special_order=special_order, actor=client)
        if target >= 3:
            pay_installment(special_order, 1)
            special_order = services.special_order_start(special_order=special_order, actor=site_admin(), writer=writer)
        if target >= 4:
            for sequence in range(2, count + 1):
                pay_installment(special_order, sequence)
            special_order = services.special_order_complete(special_order=special_order, actor=site_admin())
        return SpecialOrder.objects.get(pk=special_order.pk)
