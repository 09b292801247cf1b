"""Product images: stored through the files app (``files.services.file_store``: size limit, type
from the bytes), each with a thumbnail Pillow draws (PNG, at most ``THUMBNAIL_SIZE`` pixels a
side, also a ``StoredFile``). Only the product's seller and admins add or delete them.

An image is read before anything is stored: an upload Pillow cannot open, or larger than
``MAX_PIXELS`` (a decompression bomb), is a 400 ``invalid_image`` and leaves nothing behind.
"""

from __future__ import annotations

import io
import uuid
from typing import IO, Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageOps

from saas.errors import Conflict, ErrorCode
from tenant_apps.audit.services import audit_record
from tenant_apps.files.models import StoredFile
from tenant_apps.files.services import file_store
from tenant_apps.files.validators import IMAGE_TYPES, validate_upload
from tenant_apps.store.catalog.access import can_change_product
from tenant_apps.store.catalog.locks import product_lock
from tenant_apps.store.catalog.models import Product, ProductImage
from tenant_apps.store.catalog.services._common import clean_text, field_error, require

#: Images one product may have.
MAX_IMAGES = 10
#: The thumbnail's largest side, in pixels.
THUMBNAIL_SIZE = (320, 320)
#: Images with more pixels are refused before they are decoded.
MAX_PIXELS = 40_000_000


def _invalid(message: str = "This file is not an image we can read.") -> Exception:
    return field_error("file", message, code=ErrorCode.INVALID_IMAGE)


def make_thumbnail(source: IO[bytes], *, name: str = "thumbnail.png") -> SimpleUploadedFile:
    """A PNG thumbnail of the image in ``source`` (at most ``THUMBNAIL_SIZE``, aspect kept, EXIF
    orientation applied, first frame of an animation). Leaves ``source`` at position 0.

    Raises ``ApplicationError`` ``invalid_image`` (400) for what Pillow cannot read or an image
    over ``MAX_PIXELS``.
    """
    try:
        source.seek(0)
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _invalid(f"Images may have at most {MAX_PIXELS} pixels.")
            image.seek(0)
            frame = ImageOps.exif_transpose(image) or image
            frame = frame.convert("RGBA" if "A" in frame.getbands() or frame.mode == "P" else "RGB")
            frame.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            frame.save(out, format="PNG", optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _invalid() from None
    finally:
        source.seek(0)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _own_image_file(actor: Any, file_id: Any) -> StoredFile:
    try:
        pk = file_id if isinstance(file_id, uuid.UUID) else uuid.UUID(str(file_id))
    except ValueError:
        raise field_error("file_id", "Not a file id.") from None
    stored = StoredFile.objects.filter(pk=pk, uploaded_by_id=actor.pk).first()
    if stored is None:  # someone else's file and no file at all answer alike
        raise field_error("file_id", "Give the id of an image you uploaded yourself.")
    if stored.content_type not in IMAGE_TYPES:
        raise field_error("file_id", "This file is not an image.", code=ErrorCode.INVALID_IMAGE)
    return stored


def product_image_add(
    *,
    actor: Any,
    product: Product,
    upload: UploadedFile | None = None,
    file_id: Any = None,
    alt_text: str = "",
) -> ProductImage:
    """Add an image to ``product`` (its seller; admin), after its other images: a new ``upload``
    (stored here), or ``file_id``, an image ``actor`` uploaded through ``POST /api/v1/files/``.

    Raises ``permission_denied`` (403), ``validation_error``/``invalid_image``/``empty_file``
    (400), ``file_too_large`` (413), ``unsupported_file_type`` (415: not PNG, JPEG, GIF, WebP),
    ``too_many_images`` (409: ``MAX_IMAGES``).
    """
    require(can_change_product(actor, product))
    if (upload is None) == (file_id is None):
        raise field_error("file", "Send a file, or the id of an image you uploaded (not both).")
    alt_text = clean_text(alt_text, field="alt_text", required=False, max_length=200)
    stored: StoredFile | None = None
    if upload is not None:
        validate_upload(upload, allowed_types=IMAGE_TYPES)
        thumbnail = make_thumbnail(upload, name="thumbnail.png")
    else:
        stored = _own_image_file(actor, file_id)
        with stored.file.open("rb") as handle:
            thumbnail = make_thumbnail(handle, name="thumbnail.png")
    with transaction.atomic():
        product = product_lock(product.pk)
        images = ProductImage.objects.filter(product=product)
        if images.count() >= MAX_IMAGES:
            raise Conflict(f"A product has at most {MAX_IMAGES} images.", code=ErrorCode.TOO_MANY_IMAGES)
        if stored is None:
            assert upload is not None
            stored = file_store(upload=upload, uploaded_by=actor)
        thumb = file_store(upload=thumbnail, uploaded_by=actor)
        position = (images.aggregate(top=Max("position"))["top"] or 0) + 1
        image = ProductImage.objects.create(
            product=product, file=stored, thumbnail=thumb, position=position, alt_text=alt_text
        )
        audit_record(
            actor=actor,
            verb="product.image_added",
            target=product,
            changes={"image": image.pk, "file": str(stored.pk), "thumbnail": str(thumb.pk)},
        )
    return image


def product_image_delete(*, actor: Any, image: ProductImage) -> None:
    """Remove ``image`` from its product (its seller; admin); the stored files stay (audited).

    Raises ``permission_denied`` (403).
    """
    require(can_change_product(actor, image.product))
    with transaction.atomic():
        product_lock(image.product_id)
        audit_record(
            actor=actor,
            verb="product.image_deleted",
            target=image.product,
            changes={"image": image.pk, "file": str(image.file_id)},
        )
        ProductImage.objects.filter(pk=image.pk).delete()
