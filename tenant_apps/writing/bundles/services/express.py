"""Placing an order of an express class: the orders app's ``order_place`` with the class's pricing
rule (``pricing.express_pricer``) instead of the page-rate table, and the order linked to its class
(``ExpressOrder``). The order is then an ordinary unpaid order: paid from the wallet, by card or
from a bundle, and worked on like any other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from saas.errors import PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.writing.bundles.access import can_buy_bundles
from tenant_apps.writing.bundles.models import ExpressClass, ExpressOrder
from tenant_apps.writing.bundles.pricing import express_pricer
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.orders.services import order_place


def express_order_place(
    *,
    client: Any,
    express_class: ExpressClass,
    topic: str,
    academic_level: str,
    deadline: datetime,
    pages: int,
    spacing: str,
    paper_type: str | None = None,
    subject: str | None = None,
    formatting_style: str | None = None,
    language: str | None = None,
    sources: int = 0,
    instructions: str = "",
) -> Order:
    """Place ``client``'s order in the active ``express_class`` (``order_place`` with
    ``pricer=express_pricer(express_class)``: see ``pricing.py`` for the rule), linked by an
    ``ExpressOrder``; audited (``writing_express_class.ordered``). The arguments are
    ``order_place``'s, without extra services.

    Raises ``PermissionDenied`` (403: not a client), ``ApplicationError`` 400 ``validation_error``
    (the class's rules, ``details`` naming each field), ``Conflict`` 409 ``currency_mismatch``;
    ``NotFound`` is the caller's (an inactive class is hidden: ``access.access_express_class``).
    """
    if not can_buy_bundles(client):
        raise PermissionDenied("Only clients place orders.")
    with transaction.atomic():
        order = order_place(
            client=client,
            topic=topic,
            academic_level=academic_level,
            deadline=deadline,
            pages=pages,
            spacing=spacing,
            paper_type=paper_type,
            subject=subject,
            formatting_style=formatting_style,
            language=language,
            sources=sources,
            instructions=instructions,
            pricer=express_pricer(express_class),
        )
        ExpressOrder.objects.create(order=order, express_class=express_class)
        audit_record(
            actor=client,
            verb="writing_express_class.ordered",
            target=order,
            changes={"express_class": express_class.slug, "total": str(order.total), "currency": order.currency},
        )
    return order
