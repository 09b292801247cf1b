"""Helpers of the order files tests: URLs, an upload through the API, and an order walked on.

Orders are cleo's (``orders.conftest.make_order``): wren writes them, eddie edits them.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tenant_apps.writing.orders import services as orders
from tenant_apps.writing.orders.models import Order
from tests.factories import PDF
from tests.fixture_types import ApiResponse
from tests.tenant_apps.writing.conftest import Writing

__all__ = ["PDF", "file_url", "files_url", "upload", "walk"]


def files_url(order_id: Any, file_id: Any = None) -> str:
    """``/api/v1/orders/{order_id}/files/`` or one file's URL."""
    base = f"/api/v1/orders/{order_id}/files/"
    return base if file_id is None else f"{base}{file_id}/"


def file_url(stored_id: Any) -> str:
    """The shared files endpoint of a stored file: ``/api/v1/files/{id}/``."""
    return f"/api/v1/files/{stored_id}/"


def upload(writing: Writing, who: str, order: Order | int, category: str, *, name: str = "paper.pdf") -> ApiResponse:
    """``who`` posts a small PDF as a file of ``category`` of ``order``."""
    pk = order if isinstance(order, int) else order.pk
    body = {"file": SimpleUploadedFile(name, PDF, content_type="application/pdf"), "category": category}
    response: ApiResponse = writing.client(who).post(files_url(pk), body, format="multipart")
    return response


def walk(writing: Writing, order: Order, *steps: str) -> Order:
    """Move ``order`` on through the orders services: ``deliver`` (eddie), ``revision``,
    ``approve`` (cleo), ``submit``, ``start`` (wren)."""
    with tenant_context(writing.tenant):
        current = Order.objects.get(pk=order.pk)
        for step in steps:
            if step == "deliver":
                current = orders.order_deliver(order=current, actor=writing.eddie)
            elif step == "revision":
                current = orders.order_request_revision(order=current, actor=writing.cleo, instructions="More.")
            elif step == "approve":
                current = orders.order_approve(order=current, actor=writing.cleo)
            elif step == "start":
                current = orders.order_start(order=current, actor=writing.wren)
            elif step == "submit":
                current = orders.order_submit(order=current, actor=writing.wren)
            else:
                raise ValueError(step)
        return current
