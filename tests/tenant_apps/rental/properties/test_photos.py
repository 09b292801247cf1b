"""Property photos: the host and admins add and remove them (images only); who may read a photo
follows who may see its property."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tenant_apps.files.access import can_read_file
from tenant_apps.rental.properties.models import PropertyPhoto
from tests.api import error_code
from tests.factories import PropertyFactory, png_bytes
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.properties.conftest import Listings


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", png_bytes(size=(300, 200)), content_type="image/png")


def test_the_host_adds_photos_shown_in_order_with_working_links(rental: Rental, listings: Listings) -> None:
    url = f"/api/v1/properties/{listings.published.pk}/photos/"
    # when
    first = rental.client("hana").post(url, {"file": _png(), "caption": "Living room"}, format="multipart")
    second = rental.client("hana").post(url, {"file": _png()}, format="multipart")
    # then
    assert (first.status_code, second.status_code) == (201, 201), first.content
    shown = rental.client(None).get(f"/api/v1/properties/{listings.published.pk}/").json()["photos"]
    assert [(p["position"], p["caption"]) for p in shown] == [(1, "Living room"), (2, "")]
    download = rental.client(None).get(shown[0]["url"].split("localhost", 1)[1])
    assert download.status_code == 200


def test_only_the_host_and_admins_touch_photos_and_non_images_are_refused(rental: Rental, listings: Listings) -> None:
    # given
    with tenant_context(rental.tenant):
        prop = PropertyFactory(host=rental.hana, with_photo=True)
        photo = PropertyPhoto.objects.get(property=prop)
    url = f"/api/v1/properties/{prop.pk}/photos/"
    # then
    for who in ("gia", "hugo", "cora"):
        assert rental.client(who).post(url, {"file": _png()}, format="multipart").status_code == 403
        assert rental.client(who).delete(f"{url}{photo.pk}/").status_code == 403
    assert rental.client(None).post(url, {"file": _png()}, format="multipart").status_code == 401
    draft_url = f"/api/v1/properties/{listings.draft.pk}/photos/"
    assert rental.client("hugo").post(draft_url, {"file": _png()}, format="multipart").status_code == 404
    hana = rental.client("hana")
    pdf = SimpleUploadedFile("x.png", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    assert error_code(hana.post(url, {"file": pdf}, format="multipart")) == "unsupported_file_type"
    broken = SimpleUploadedFile("x.png", png_bytes()[:60])
    assert hana.post(url, {"file": broken}, format="multipart").status_code in (400, 415)
    assert hana.post(url, {}, format="multipart").status_code == 400
    assert rental.client("admin").delete(f"{url}{photo.pk}/").status_code == 204
    assert rental.client("admin").delete(f"{url}{photo.pk}/").status_code == 404
    assert rental.client(None).get(f"/api/v1/properties/{prop.pk}/").json()["photos"] == []


def test_a_photo_is_readable_by_whoever_may_see_its_property(rental: Rental) -> None:
    with tenant_context(rental.tenant):
        # given a photo of a published property and one of a draft
        shown = PropertyFactory(host=rental.hana, with_photo=True)
        hidden = PropertyFactory(host=rental.hana, with_photo=True, unpublished=True)
        shown_file = shown.photos.get().file
        hidden_file = hidden.photos.get().file
        # then
        assert shown.pk != hidden.pk
        assert can_read_file(rental.gus, shown_file)
        assert not can_read_file(rental.gus, hidden_file)
        assert not can_read_file(rental.hugo, hidden_file)
        assert can_read_file(rental.hana, hidden_file)
        assert can_read_file(rental.admin, hidden_file)


def test_the_host_moves_a_photo_and_the_others_keep_their_order(rental: Rental) -> None:
    # given three photos
    with tenant_context(rental.tenant):
        prop = PropertyFactory(host=rental.hana, photos=3)
        first, second, third = PropertyPhoto.objects.filter(property=prop).order_by("position")
    url = f"/api/v1/properties/{prop.pk}/photos/"
    # when the third goes first, with a caption
    moved = rental.client("hana").patch(f"{url}{third.pk}/", {"position": 1, "caption": "Cover"}, format="json")
    # then
    assert moved.status_code == 200, moved.content
    shown = rental.client(None).get(f"/api/v1/properties/{prop.pk}/").json()["photos"]
    assert [(p["id"], p["position"]) for p in shown] == [(third.pk, 1), (first.pk, 2), (second.pk, 3)]
    assert shown[0]["caption"] == "Cover"
    # and a position past the end, or someone else, is refused
    too_far = rental.client("hana").patch(f"{url}{first.pk}/", {"position": 4}, format="json")
    assert (too_far.status_code, error_code(too_far)) == (400, "validation_error")
    assert rental.client("hugo").patch(f"{url}{first.pk}/", {"position": 2}, format="json").status_code == 403
