"""Messages on writing orders, made by ``writing.messages.services.order_message_post``."""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.writing.messages.models import OrderMessage
from tenant_apps.writing.messages.services import order_message_post
from tests.factories.base import ServiceFactory
from tests.factories.writing_orders import OrderFactory


class OrderMessageFactory(ServiceFactory[OrderMessage]):
    """A message by ``author`` (default: the order's client) on ``order`` (default: a new order, in
    progress), posted by ``order_message_post``: masked by the site's settings, audited, the
    other parties notified.

    Traits: ``with_contact`` (the body carries an e-mail address: masked and flagged while the
    site blocks contact details, the default).
    """

    class Meta:
        model = OrderMessage

    class Params:
        with_contact = factory.Trait(body="Write to me at someone@example.com")

    order = factory.SubFactory(OrderFactory, in_progress=True)
    author: Any = None
    body = factory.Sequence(lambda n: f"Message {n}")

    @classmethod
    def _create(cls, model_class: type[OrderMessage], *args: Any, **kwargs: Any) -> OrderMessage:
        order = kwargs["order"]
        return order_message_post(actor=kwargs["author"] or order.client, order=order, body=kwargs["body"])
