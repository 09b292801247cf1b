"""An order's file list and its message thread run a fixed number of queries, however many files
and messages they list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.writing.orders.models import Order
from tests.factories import PDF
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.files.conftest import files_url, upload
from tests.tenant_apps.writing.messages.conftest import messages_url
from tests.tenant_apps.writing.orders.conftest import make_order


def _add(writing: Writing, order: Order, n: int) -> None:
    for _ in range(n):
        upload(writing, "cleo", order, "attachment")
        upload(writing, "wren", order, "draft")
        writing.client("cleo").post(
            messages_url(order.pk),
            {"body": "see +1 415-555-2671", "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
            format="multipart",
        )
        writing.client("wren").post(messages_url(order.pk), {"body": "ok"}, format="json")


def _queries(writing: Writing, who: str, url: str) -> int:
    client = writing.client(who)
    client.get(url)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "sue", "cleo", "wren"])
@pytest.mark.parametrize("what", ["files", "messages"])
def test_listing_more_files_and_messages_runs_no_more_queries(writing: Writing, who: str, what: str) -> None:
    # given
    order = make_order(writing, "in_progress")
    url = files_url(order.pk) if what == "files" else messages_url(order.pk)
    _add(writing, order, 1)
    few = _queries(writing, who, url)
    # when
    _add(writing, order, 4)
    many = _queries(writing, who, url)
    # then
    assert many == few
