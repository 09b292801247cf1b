"""Property photos: stored through the files app (``files.services.file_store``: size limit, type
sniffed from the bytes, PNG/JPEG/GIF/WebP only), in ``position`` order. Only the property's host
and admins add or remove them. Who may read a photo's file is ``access.property_photo_readable``
(registered with the files app): anyone for a published property, its host and admins otherwise.

An image is opened with Pillow before anything is stored: an upload Pillow cannot read, or one of
more than ``MAX_PIXELS`` (a decompression bomb), is a 400 ``invalid_image`` and leaves nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from PIL import Image

from saas.errors import Conflict, ErrorCode
from tenant_apps.audit.services import audit_record
from tenant_apps.files.services import file_store
from tenant_apps.files.validators import IMAGE_TYPES, validate_upload
from tenant_apps.rental.properties.access import can_manage_property
from tenant_apps.rental.properties.locks import property_lock
from tenant_apps.rental.properties.models import Property, PropertyPhoto
from tenant_apps.rental.properties.services._common import clean_text, field_error, require

#: Photos one property may have.
MAX_PHOTOS = 20
#: Images with more pixels are refused before they are decoded.
MAX_PIXELS = 40_000_000


def check_image(upload: UploadedFile) -> None:
    """Open ``upload`` with Pillow and verify it (leaves it at position 0).

    Raises ``ApplicationError`` ``invalid_image`` (400) for what Pillow cannot read or more than
    ``MAX_PIXELS`` pixels.
    """
    message = "This file is not an image we can read."
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                message = f"Images may have at most {MAX_PIXELS} pixels."
                raise ValueError(message)
            image.verify()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise field_error("file", message, code=ErrorCode.INVALID_IMAGE) from None
    finally:
        upload.seek(0)


def property_photo_add(*, actor: Any, prop: Property, upload: UploadedFile, caption: str = "") -> PropertyPhoto:
    """Add ``upload`` (an image) as the last photo of ``prop`` (its host; admin).

    Raises ``permission_denied`` (403), ``validation_error``/``invalid_image``/``empty_file``
    (400), ``file_too_large`` (413), ``unsupported_file_type`` (415), ``too_many_images`` (409:
    ``MAX_PHOTOS``).
    """
    require(can_manage_property(actor, prop))
    caption = clean_text(caption, field="caption", required=False, max_length=200)
    validate_upload(upload, allowed_types=IMAGE_TYPES)
    check_image(upload)
    with transaction.atomic():
        prop = property_lock(prop.pk)
        photos = PropertyPhoto.objects.filter(property=prop)
        if photos.count() >= MAX_PHOTOS:
            raise Conflict(f"A property has at most {MAX_PHOTOS} photos.", code=ErrorCode.TOO_MANY_IMAGES)
        stored = file_store(upload=upload, uploaded_by=actor)
        position = (photos.aggregate(top=Max("position"))["top"] or 0) + 1
        photo = PropertyPhoto.objects.create(property=prop, file=stored, position=position, caption=caption)
        audit_record(
            actor=actor, verb="property.photo_added", target=prop, changes={"photo": photo.pk, "file": str(stored.pk)}
        )
    return photo


def property_photo_remove(*, actor: Any, photo: PropertyPhoto) -> None:
    """Remove ``photo`` from its property (its host; admin); the stored file stays (audited).

    Raises ``permission_denied`` (403).
    """
    require(can_manage_property(actor, photo.property))
    with transaction.atomic():
        prop = property_lock(photo.property_id)
        audit_record(
            actor=actor,
            verb="property.photo_removed",
            target=prop,
            changes={"photo": photo.pk, "file": str(photo.file_id)},
        )
        PropertyPhoto.objects.filter(pk=photo.pk).delete()


def property_photo_update(
    *, actor: Any, photo: PropertyPhoto, position: int | None = None, caption: str | None = None
) -> PropertyPhoto:
    """Move ``photo`` to ``position`` (1 = first; the others keep their order and are numbered
    1, 2, 3... around it) and/or change its ``caption`` (its property's host; admin).

    Raises ``permission_denied`` (403), ``validation_error`` (400: a position outside 1..the
    number of photos, a caption over 200 characters).
    """
    require(can_manage_property(actor, photo.property))
    if caption is not None:
        caption = clean_text(caption, field="caption", required=False, max_length=200)
    with transaction.atomic():
        prop = property_lock(photo.property_id)
        photos = list(PropertyPhoto.objects.filter(property=prop).order_by("position", "id"))
        current = next((p for p in photos if p.pk == photo.pk), None)
        if current is None:  # removed meanwhile
            raise field_error("photo", "This photo was removed.")
        changes: dict[str, Any] = {"photo": current.pk}
        if position is not None:
            if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= len(photos):
                raise field_error("position", f"A position from 1 to {len(photos)}.")
            ordered = [p for p in photos if p.pk != current.pk]
            ordered.insert(position - 1, current)
            for number, item in enumerate(ordered, start=1):
                if item.position != number:
                    PropertyPhoto.objects.filter(pk=item.pk).update(position=number)
            changes["position"] = [current.position, position]
            current.position = position
        if caption is not None and caption != current.caption:
            changes["caption"] = [current.caption, caption]
            current.caption = caption
            PropertyPhoto.objects.filter(pk=current.pk).update(caption=caption)
        if len(changes) > 1:
            audit_record(actor=actor, verb="property.photo_updated", target=prop, changes=changes)
    return current
