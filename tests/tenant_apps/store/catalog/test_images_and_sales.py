"""Product images (uploaded through the files app, with a Pillow thumbnail; only the product's
seller and admins) and sale events (admins; prices follow them through ``pricing``)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from tenant_apps.store.catalog.models import ProductImage
from tests.api import error_code
from tests.factories import StoredFileFactory, StoreProductFactory, png_bytes
from tests.fixture_types import ApiAsOrAnonymous
from tests.tenant_apps.store.catalog.conftest import PRODUCTS, SALE_EVENTS, StorePeople


def _png(name: str = "photo.png", size: tuple[int, int] = (900, 600)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(size=size), content_type="image/png")


def test_the_seller_uploads_an_image_and_gets_a_small_thumbnail(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller, approved=True)
    seller = api(people.tenant, "seller@gamma.test")
    # when
    response = seller.post(f"{PRODUCTS}{product.pk}/images/", {"file": _png(), "alt_text": "Front"}, format="multipart")
    # then
    assert response.status_code == 201, response.content
    assert (response.json()["position"], response.json()["alt_text"]) == (1, "Front")
    with tenant_context(people.tenant):
        image = ProductImage.objects.select_related("file", "thumbnail").get(pk=response.json()["id"])
        assert image.thumbnail is not None and image.thumbnail.content_type == "image/png"
        with image.thumbnail.file.open("rb") as handle, Image.open(handle) as thumb:
            assert thumb.size == (320, 213)
    shown = api(people.tenant).get(f"{PRODUCTS}{product.pk}/").json()["images"]
    assert [i["id"] for i in shown] == [image.pk]
    # and the thumbnail's link works for anyone
    download = api(people.tenant).get(shown[0]["thumbnail_url"].split("localhost", 1)[1])
    assert download.status_code == 200


def test_an_image_uploaded_earlier_through_the_files_app_is_attached_by_id(
    people: StorePeople, api: ApiAsOrAnonymous
) -> None:
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller)
        own = StoredFileFactory(uploaded_by=people.seller, name="p.png", content=png_bytes())
        pdf = StoredFileFactory(uploaded_by=people.seller)
        someone_elses = StoredFileFactory(uploaded_by=people.other_seller, name="q.png", content=png_bytes())
    seller = api(people.tenant, "seller@gamma.test")
    url = f"{PRODUCTS}{product.pk}/images/"
    assert seller.post(url, {"file_id": str(own.pk)}, format="multipart").status_code == 201
    assert error_code(seller.post(url, {"file_id": str(pdf.pk)}, format="multipart")) == "invalid_image"
    assert seller.post(url, {"file_id": str(someone_elses.pk)}, format="multipart").status_code == 400
    assert seller.post(url, {}, format="multipart").status_code == 400


def test_only_the_seller_and_admins_touch_images_and_bad_files_are_refused(
    people: StorePeople, api: ApiAsOrAnonymous
) -> None:
    # given
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller, approved=True, images=1)
        image = ProductImage.objects.get(product=product)
    url = f"{PRODUCTS}{product.pk}/images/"
    # then
    other = api(people.tenant, "other@gamma.test")
    assert other.post(url, {"file": _png()}, format="multipart").status_code == 403
    assert other.delete(f"{url}{image.pk}/").status_code == 403
    assert api(people.tenant).post(url, {"file": _png()}, format="multipart").status_code == 401
    seller = api(people.tenant, "seller@gamma.test")
    pdf = SimpleUploadedFile("x.png", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    assert error_code(seller.post(url, {"file": pdf}, format="multipart")) == "unsupported_file_type"
    broken = SimpleUploadedFile("x.png", png_bytes()[:40])
    assert seller.post(url, {"file": broken}, format="multipart").status_code in (400, 415)
    assert api(people.tenant, "admin@gamma.test").delete(f"{url}{image.pk}/").status_code == 204
    assert api(people.tenant).get(f"{PRODUCTS}{product.pk}/").json()["images"] == []


def test_a_gif_and_a_transparent_png_get_thumbnails_too(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller)
    seller = api(people.tenant, "seller@gamma.test")
    for mode, fmt in (("P", "GIF"), ("RGBA", "PNG"), ("RGB", "JPEG")):
        out = io.BytesIO()
        Image.new(mode, (40, 30)).save(out, format=fmt)
        upload = SimpleUploadedFile(f"x.{fmt.lower()}", out.getvalue())
        response = seller.post(f"{PRODUCTS}{product.pk}/images/", {"file": upload}, format="multipart")
        assert response.status_code == 201, (fmt, response.content)


def test_a_sale_event_lowers_the_price_while_it_runs(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller, approved=True, price="80.00", discount_percent="10")
    admin = api(people.tenant, "admin@gamma.test")
    now = timezone.now()
    # when
    created = admin.post(
        SALE_EVENTS,
        {
            "name": "Spring",
            "percent": "25",
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
            "products": [product.pk],
        },
    )
    # then
    assert created.status_code == 201, created.content
    assert (created.json()["is_running"], created.json()["products"]) == (True, [product.pk])
    assert api(people.tenant).get(f"{PRODUCTS}{product.pk}/").json()["effective_price"] == "60.00"
    event = created.json()["id"]
    ended = admin.patch(f"{SALE_EVENTS}{event}/", {"ends_at": (now - timedelta(minutes=1)).isoformat()})
    assert ended.status_code == 200 and ended.json()["is_running"] is False
    assert api(people.tenant).get(f"{PRODUCTS}{product.pk}/").json()["effective_price"] == "72.00"
    backwards = admin.patch(f"{SALE_EVENTS}{event}/", {"ends_at": (now - timedelta(days=3)).isoformat()})
    assert error_code(backwards) == "validation_error"
    unknown = admin.patch(f"{SALE_EVENTS}{event}/", {"products": [10**12]})
    assert error_code(unknown) == "validation_error"
    assert admin.delete(f"{SALE_EVENTS}{event}/").status_code == 204
    assert api(people.tenant, "seller@gamma.test").get(SALE_EVENTS).status_code == 403
