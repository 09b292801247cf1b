"""Files of writing orders, made by ``writing.files.services.order_file_add``."""

from __future__ import annotations

from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.writing.files.models import FileCategory, OrderFile
from tenant_apps.writing.files.services import order_file_add
from tests.factories.base import ServiceFactory
from tests.factories.files import PDF
from tests.factories.writing_orders import OrderFactory


class OrderFileFactory(ServiceFactory[OrderFile]):
    """A small PDF added to ``order`` (default: a new order, in progress) in ``category`` by
    ``uploaded_by`` (default: the order's client for an attachment, its writer otherwise), through
    ``order_file_add``: the rules of who adds what when, the audit row and the notifications.

    Traits: ``draft``, ``final`` (default: ``attachment``).
    """

    class Meta:
        model = OrderFile

    class Params:
        draft = factory.Trait(category=FileCategory.DRAFT)
        final = factory.Trait(category=FileCategory.FINAL)

    order = factory.SubFactory(OrderFactory, in_progress=True)
    category = FileCategory.ATTACHMENT
    uploaded_by: Any = None
    name = factory.Sequence(lambda n: f"order-file-{n}.pdf")

    @classmethod
    def _create(cls, model_class: type[OrderFile], *args: Any, **kwargs: Any) -> OrderFile:
        order, category = kwargs["order"], kwargs["category"]
        actor = kwargs["uploaded_by"] or (order.client if category == FileCategory.ATTACHMENT else order.writer)
        upload = SimpleUploadedFile(kwargs["name"], PDF, content_type="application/pdf")
        return order_file_add(actor=actor, order=order, upload=upload, category=category)
