"""The catalog: authors, products and their lessons (admins edit it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from saas.api.errors import ApplicationError
from saas.db.slugs import unique_slug
from saas.errors import Conflict, ErrorCode
from saas.money import check_amount, normalize_currency
from tenant_apps.audit.diff import apply_changes, audit_value
from tenant_apps.audit.services import audit_record
from tenant_apps.school.lessons.access import can_edit_catalog
from tenant_apps.school.lessons.locks import author_lock, lesson_lock, product_lock
from tenant_apps.school.lessons.models import (
    Author,
    Lesson,
    Product,
    ProductPurchase,
)
from tenant_apps.school.lessons.services._common import _require

#: Upper bounds of the group settings (a typo should not create 30,000 groups).
MAX_GROUPS_PER_BATCH = 50


MAX_GROUP_SIZE = 1000


_PRODUCT_FIELDS = (
    "title",
    "slug",
    "description",
    "author",
    "price",
    "currency",
    "is_published",
    "groups_per_batch",
    "max_group_size",
)


_LESSON_FIELDS = ("title", "video_url", "order")


def author_create(*, actor: Any, name: str, bio: str = "") -> Author:
    """Create an author (admin). Raises ``permission_denied`` (403), ``validation_error`` (400, no name)."""
    _require(can_edit_catalog(actor))
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            "Give the author's name.", code=ErrorCode.VALIDATION_ERROR, details={"name": ["This field is required."]}
        )
    with transaction.atomic():
        author = Author.objects.create(name=name, bio=(bio or "").strip())
        audit_record(actor=actor, verb="author.created", target=author, changes={"name": author.name})
    return author


def author_update(*, actor: Any, author: Author, **fields: Any) -> Author:
    """Change ``name`` and/or ``bio`` of ``author`` (admin). Raises ``permission_denied`` (403)."""
    _require(can_edit_catalog(actor))
    unknown = set(fields) - {"name", "bio"}
    if unknown:
        raise TypeError(f"unknown author fields: {sorted(unknown)}")
    if "name" in fields and not (fields["name"] or "").strip():
        raise ApplicationError(
            "Give the author's name.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"name": ["This field may not be blank."]},
        )
    with transaction.atomic():
        author = author_lock(author.pk)
        changed = apply_changes(author, {k: (v or "").strip() for k, v in fields.items()})
        if changed:
            author.save(update_fields=list(changed))
            audit_record(actor=actor, verb="author.updated", target=author, changes=changed)
    return author


def author_delete(*, actor: Any, author: Author) -> None:
    """Delete ``author`` (admin). Raises ``permission_denied`` (403), ``author_has_products`` (409)."""
    _require(can_edit_catalog(actor))
    with transaction.atomic():
        author = author_lock(author.pk)
        if Product.objects.filter(author=author).exists():
            raise Conflict(
                "This author has products; delete or reassign them first.", code=ErrorCode.AUTHOR_HAS_PRODUCTS
            )
        audit_record(actor=actor, verb="author.deleted", target=author, changes={"name": author.name})
        author.delete()


def _clean_product_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check product fields (those given); raises ``ApplicationError`` (400)."""
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = (clean["title"] or "").strip()
        if not clean["title"]:
            raise ApplicationError(
                "Give the product's title.",
                code=ErrorCode.VALIDATION_ERROR,
                details={"title": ["This field may not be blank."]},
            )
    if "currency" in clean:
        clean["currency"] = normalize_currency(clean["currency"])
    if "slug" in clean:
        clean["slug"] = slugify(clean["slug"] or "")
        if not clean["slug"]:
            raise ApplicationError(
                "The slug needs letters or digits.",
                code=ErrorCode.INVALID_SLUG,
                details={"slug": ["Letters, digits and hyphens."]},
            )
    for name, top in (("groups_per_batch", MAX_GROUPS_PER_BATCH), ("max_group_size", MAX_GROUP_SIZE)):
        if name in clean and not 1 <= int(clean[name]) <= top:
            raise ApplicationError(
                f"{name} must be from 1 to {top}.",
                code=ErrorCode.VALIDATION_ERROR,
                details={name: [f"From 1 to {top}."]},
            )
    if "description" in clean:
        clean["description"] = (clean["description"] or "").strip()
    return clean


def _check_price(product: Product) -> None:
    """Refuse a price that is not above zero, not exact in the currency's step, or too large (400)."""
    product.price = check_amount(product.price, product.currency, field="price")


def _unique_slug(base: str) -> str:
    """``base`` slugified, with ``-2``, ``-3``, ... appended until no product uses it."""
    return unique_slug(Product.objects.all(), base, fallback="product")


def _slug_taken() -> ApplicationError:
    return Conflict("A product with this slug exists.", code=ErrorCode.SLUG_TAKEN, details={"slug": ["Already used."]})


def product_create(
    *,
    actor: Any,
    title: str,
    author: Author,
    price: Decimal | str,
    currency: str,
    description: str = "",
    slug: str = "",
    is_published: bool = False,
    groups_per_batch: int | None = None,
    max_group_size: int | None = None,
) -> Product:
    """Create a product (admin). ``slug`` defaults to one made from the title (made unique).

    ``price``: major units of ``currency`` (ISO 4217), above zero, exact to the currency's step.
    ``groups_per_batch`` (1-50, default 3) and ``max_group_size`` (1-1000, default 2): group settings.

    Raises ``ApplicationError``: ``permission_denied`` (403); ``validation_error``,
    ``invalid_currency``, ``invalid_amount``, ``invalid_slug`` (400); ``slug_taken`` (409).
    """
    _require(can_edit_catalog(actor))
    fields: dict[str, Any] = {
        "title": title,
        "author": author,
        "price": price,
        "currency": currency,
        "description": description,
        "is_published": is_published,
    }
    if slug:
        fields["slug"] = slug
    if groups_per_batch is not None:
        fields["groups_per_batch"] = groups_per_batch
    if max_group_size is not None:
        fields["max_group_size"] = max_group_size
    clean = _clean_product_fields(fields)
    product = Product(**clean)
    _check_price(product)
    try:
        with transaction.atomic():
            if not slug:
                product.slug = _unique_slug(product.title)
            elif Product.objects.filter(slug=product.slug).exists():
                raise _slug_taken()
            product.save()
            audit_record(
                actor=actor,
                verb="product.created",
                target=product,
                changes={name: audit_value(getattr(product, name)) for name in _PRODUCT_FIELDS},
            )
    except IntegrityError:
        if Product.objects.filter(slug=product.slug).exists():
            raise _slug_taken() from None
        raise
    return product


def product_update(*, actor: Any, product: Product, **fields: Any) -> Product:
    """Change fields of ``product`` (admin): any of ``title``, ``slug``, ``description``, ``author``,
    ``price``, ``currency``, ``is_published``, ``groups_per_batch``, ``max_group_size``.

    A new price or currency applies to purchases made from now on (issued invoices keep theirs);
    a new ``max_group_size`` to groups created from now on. Raises like ``product_create``.
    """
    _require(can_edit_catalog(actor))
    unknown = set(fields) - set(_PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    clean = _clean_product_fields(fields)
    try:
        with transaction.atomic():
            product = product_lock(product.pk)
            if "slug" in clean and Product.objects.filter(slug=clean["slug"]).exclude(pk=product.pk).exists():
                raise _slug_taken()
            changed = apply_changes(product, clean)
            if {"price", "currency"} & set(changed):
                _check_price(product)
            if changed:
                product.save()
                audit_record(actor=actor, verb="product.updated", target=product, changes=changed)
    except IntegrityError:
        if "slug" in clean and Product.objects.filter(slug=clean["slug"]).exclude(pk=product.pk).exists():
            raise _slug_taken() from None
        raise
    return product


def product_delete(*, actor: Any, product: Product) -> None:
    """Delete ``product`` with its lessons (admin); one that was ever bought is kept (unpublish it).

    Raises ``ApplicationError``: ``permission_denied`` (403), ``product_has_purchases`` (409).
    """
    _require(can_edit_catalog(actor))
    with transaction.atomic():
        product = product_lock(product.pk)
        if ProductPurchase.objects.filter(product=product).exists():
            raise Conflict("This product has been bought; unpublish it instead.", code=ErrorCode.PRODUCT_HAS_PURCHASES)
        audit_record(
            actor=actor, verb="product.deleted", target=product, changes={"title": product.title, "slug": product.slug}
        )
        product.delete()


def _order_taken(order: int) -> ApplicationError:
    return Conflict(
        f"This product already has a lesson number {order}.",
        code=ErrorCode.LESSON_ORDER_TAKEN,
        details={"order": ["Already used in this product."]},
    )


def _next_order(product: Product) -> int:
    return int(Lesson.objects.filter(product=product).aggregate(m=Max("order"))["m"] or 0) + 1


def lesson_create(*, actor: Any, product: Product, title: str, video_url: str, order: int | None = None) -> Lesson:
    """Add a lesson to ``product`` (admin); ``order`` defaults to after the last one.

    Locks the product row, so two editors adding lessons at once get distinct default orders.
    Raises ``ApplicationError``: ``permission_denied`` (403), ``validation_error`` (400),
    ``lesson_order_taken`` (409).
    """
    _require(can_edit_catalog(actor))
    title = (title or "").strip()
    if not title:
        raise ApplicationError(
            "Give the lesson's title.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"title": ["This field may not be blank."]},
        )
    with transaction.atomic():
        product = product_lock(product.pk)
        if order is None:
            order = _next_order(product)
        elif Lesson.objects.filter(product=product, order=order).exists():
            raise _order_taken(order)
        try:
            with transaction.atomic():
                lesson = Lesson.objects.create(product=product, title=title, video_url=video_url, order=order)
        except IntegrityError:
            raise _order_taken(order) from None
        audit_record(
            actor=actor,
            verb="lesson.created",
            target=lesson,
            changes={"product": product.pk, "title": title, "order": order},
        )
    return lesson


def lesson_update(*, actor: Any, lesson: Lesson, **fields: Any) -> Lesson:
    """Change ``title``, ``video_url`` and/or ``order`` of ``lesson`` (admin).

    Raises ``ApplicationError``: ``permission_denied`` (403), ``validation_error`` (400),
    ``lesson_order_taken`` (409).
    """
    _require(can_edit_catalog(actor))
    unknown = set(fields) - set(_LESSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown lesson fields: {sorted(unknown)}")
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"]:
            raise ApplicationError(
                "Give the lesson's title.",
                code=ErrorCode.VALIDATION_ERROR,
                details={"title": ["This field may not be blank."]},
            )
    with transaction.atomic():
        product_lock(lesson.product_id)
        lesson = lesson_lock(lesson.pk)
        if (
            "order" in fields
            and Lesson.objects.filter(product_id=lesson.product_id, order=fields["order"])
            .exclude(pk=lesson.pk)
            .exists()
        ):
            raise _order_taken(fields["order"])
        changed = apply_changes(lesson, fields)
        if changed:
            lesson.save(update_fields=list(changed))
            audit_record(actor=actor, verb="lesson.updated", target=lesson, changes=changed)
    return lesson


def lesson_delete(*, actor: Any, lesson: Lesson) -> None:
    """Delete ``lesson`` (admin); the other lessons keep their order numbers.

    Raises ``ApplicationError`` ``permission_denied`` (403).
    """
    _require(can_edit_catalog(actor))
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="lesson.deleted",
            target=lesson,
            changes={"product": lesson.product_id, "title": lesson.title, "order": lesson.order},
        )
        lesson.delete()
