"""One writing site's order files are invisible from another (golf and hotel): the order's list,
the file's detail and the shared files endpoint."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.files.models import OrderFile
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.files.conftest import file_url, files_url, upload
from tests.tenant_apps.writing.orders.conftest import make_order


def test_golfs_order_files_are_not_hotels(writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login) -> None:
    # given a file on an order of each site
    golf_order = make_order(writing, "in_progress")
    golf_file = upload(writing, "cleo", golf_order, "attachment", name="golf-notes.pdf").json()
    other = make_writing(hotel, client_for, login)
    hotel_order = make_order(other, "in_progress")
    hotel_file = upload(other, "cleo", hotel_order, "attachment", name="hotel-notes.pdf").json()
    # then hotel's admin lists hotel's file only, and golf's file is a 404 on hotel
    listed = other.client("admin").get(files_url(hotel_order.pk)).json()["results"]
    assert [f["original_name"] for f in listed] == ["hotel-notes.pdf"]
    assert other.client("admin").get(file_url(golf_file["file"])).status_code == 404
    if golf_order.pk != hotel_order.pk:
        assert other.client("admin").get(files_url(golf_order.pk)).status_code == 404
    if golf_file["id"] != hotel_file["id"]:
        assert other.client("admin").get(files_url(hotel_order.pk, golf_file["id"])).status_code == 404
    with tenant_context(hotel):
        assert not OrderFile.objects.filter(file__original_name="golf-notes.pdf").exists()
