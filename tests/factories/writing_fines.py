"""Writers' fines, made by ``writing.fines.services`` and walked to their appeal's status.

``FineFactory()`` is an admin's fine of ``amount`` (default 5.00) on ``writer`` (default: a new
writer) for ``reason`` (``fine_issue``: deducted at once as far as the writer's balance allows,
``earned`` credited first when given). ``late_hours``: instead, an order of the writer's (a new
client's) submitted that many hours after its deadline and delivered, so the rules fine it
(``late_delivery``). Traits: ``appealed`` (the writer appeals), ``accepted`` (the site's admin
accepts: reversed), ``rejected`` (the admin rejects it with a note).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.conf import settings
from django.utils import timezone

from tenant_apps.wallet.services import wallet_earning, wallet_open
from tenant_apps.writing.fines import services
from tenant_apps.writing.fines.models import AppealStatus, Fine
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin


def _late_fine(writer: Any, hours: float) -> Fine:
    """An order of ``writer``'s submitted ``hours`` after its deadline and delivered: its fine."""
    from tenant_apps.writing.orders import services as orders
    from tenant_apps.writing.orders.models import Order
    from tests.factories.writing_orders import OrderFactory

    order = OrderFactory(in_progress=True, writer=writer)
    Order.objects.filter(pk=order.pk).update(deadline=timezone.now() - timedelta(hours=hours))
    order = orders.order_submit(order=Order.objects.get(pk=order.pk), actor=writer)
    orders.order_deliver(order=order, actor=UserFactory(roles=["editor"]))
    return Fine.objects.get(rule_key=f"late:{order.pk}")


class FineFactory(ServiceFactory[Fine]):
    """A fine on ``writer`` (see the module), its appeal walked to ``appeal`` through the services."""

    class Meta:
        model = Fine

    class Params:
        appealed = factory.Trait(appeal=AppealStatus.PENDING)
        accepted = factory.Trait(appeal=AppealStatus.ACCEPTED)
        rejected = factory.Trait(appeal=AppealStatus.REJECTED)

    writer = factory.SubFactory(UserFactory, roles=["writer"])
    amount: Decimal | str = "5.00"
    reason = "Plagiarism: passages copied without citation."
    earned: Decimal | str | None = None
    late_hours: float | None = None
    appeal: str | None = None

    @classmethod
    def _create(cls, model_class: type[Fine], *args: Any, **kwargs: Any) -> Fine:
        writer, appeal = kwargs["writer"], kwargs["appeal"]
        if kwargs["earned"] is not None:
            wallet_earning(
                wallet=wallet_open(user=writer),
                amount=kwargs["earned"],
                currency=settings.DEFAULT_CURRENCY,
                memo="test",
            )
        if kwargs["late_hours"] is not None:
            fine = _late_fine(writer, kwargs["late_hours"])
        else:
            fine = services.fine_issue(
                writer=writer, amount=kwargs["amount"], reason=kwargs["reason"], actor=site_admin()
            )
        if appeal is not None:
            services.fine_appeal(fine=fine, writer=writer, explanation="I did not do this.")
        if appeal == AppealStatus.ACCEPTED:
            services.fine_appeal_accept(fine=fine, actor=site_admin(), note="Fair.")
        elif appeal == AppealStatus.REJECTED:
            services.fine_appeal_reject(fine=fine, actor=site_admin(), note="The fine stands.")
        return Fine.objects.get(pk=fine.pk)
