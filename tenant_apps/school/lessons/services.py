"""Writes on authors, products, lessons, purchases and study groups, in the current school schema.

Rules: see ``models.py`` (issue 4, points 3 and 4; seed 004). Who may call what: ``access.py``;
the views check roles, and the services that act for a user check them again.

Locking, always in this order, so no two writers deadlock:

1. the **invoice** row (taken by the payments app before it sends ``invoice_paid``);
2. the **purchase** row (``product_purchase_mark_paid``);
3. the **product** row (``_lock_product``): every write on a product's groups and memberships
   (``group_assign``, ``group_member_move``) takes it first, so placements of one product
   queue up and each sees the counts the previous one committed. Placements of different
   products do not wait for each other.

Ordering a product locks the student's live purchase of it (if any), then the invoice counter
(inside ``invoice_create``); it takes no invoice or product lock, so it cannot close a cycle with
the chain above. Two orders racing past the check meet at the partial unique index instead.

Every function is atomic and calls ``audit_record`` for each state change inside its transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from saas.api.errors import ApplicationError
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.payments.models import Invoice, InvoiceStatus
from tenant_apps.payments.money import check_amount, normalize_currency
from tenant_apps.payments.services import invoice_create
from tenant_apps.school.lessons.access import user_edits_catalog, user_manages_groups, user_may_buy
from tenant_apps.school.lessons.models import (
    LIVE_PURCHASE_STATUSES,
    Author,
    GroupMembership,
    Lesson,
    Product,
    ProductPurchase,
    PurchaseStatus,
    StudyGroup,
)

logger = logging.getLogger(__name__)

#: Days a student has to pay a purchase's invoice.
PURCHASE_DUE_DAYS = 14
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


def _denied() -> ApplicationError:
    return ApplicationError("Your role does not allow this action.", code="permission_denied", status_code=403)


def _require(allowed: bool) -> None:
    if not allowed:
        raise _denied()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _changes(obj: Any, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``fields`` on ``obj``; returns ``{name: [before, after]}`` of those that changed."""
    changed = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = [_jsonable(before), _jsonable(value)]
            setattr(obj, name, value)
    return changed


# ---------------------------------------------------------------------------------------------
# Authors
# ---------------------------------------------------------------------------------------------


def author_create(*, actor: Any, name: str, bio: str = "") -> Author:
    """Create an author (admin). Raises ``permission_denied`` (403), ``validation_error`` (400, no name)."""
    _require(user_edits_catalog(actor))
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            "Give the author's name.", code="validation_error", details={"name": ["This field is required."]}
        )
    with transaction.atomic():
        author = Author.objects.create(name=name, bio=(bio or "").strip())
        audit_record(actor=actor, verb="author.created", target=author, changes={"name": author.name})
    return author


def author_update(*, actor: Any, author: Author, **fields: Any) -> Author:
    """Change ``name`` and/or ``bio`` of ``author`` (admin). Raises ``permission_denied`` (403)."""
    _require(user_edits_catalog(actor))
    unknown = set(fields) - {"name", "bio"}
    if unknown:
        raise TypeError(f"unknown author fields: {sorted(unknown)}")
    if "name" in fields and not (fields["name"] or "").strip():
        raise ApplicationError(
            "Give the author's name.", code="validation_error", details={"name": ["This field may not be blank."]}
        )
    with transaction.atomic():
        author = Author.objects.select_for_update().get(pk=author.pk)
        changed = _changes(author, {k: (v or "").strip() for k, v in fields.items()})
        if changed:
            author.save(update_fields=list(changed))
            audit_record(actor=actor, verb="author.updated", target=author, changes=changed)
    return author


def author_delete(*, actor: Any, author: Author) -> None:
    """Delete ``author`` (admin). Raises ``permission_denied`` (403), ``author_has_products`` (409)."""
    _require(user_edits_catalog(actor))
    with transaction.atomic():
        author = Author.objects.select_for_update().get(pk=author.pk)
        if Product.objects.filter(author=author).exists():
            raise ApplicationError(
                "This author has products; delete or reassign them first.", code="author_has_products", status_code=409
            )
        audit_record(actor=actor, verb="author.deleted", target=author, changes={"name": author.name})
        author.delete()


# ---------------------------------------------------------------------------------------------
# Products and lessons
# ---------------------------------------------------------------------------------------------


def _clean_product_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check product fields (those given); raises ``ApplicationError`` (400)."""
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = (clean["title"] or "").strip()
        if not clean["title"]:
            raise ApplicationError(
                "Give the product's title.",
                code="validation_error",
                details={"title": ["This field may not be blank."]},
            )
    if "currency" in clean:
        clean["currency"] = normalize_currency(clean["currency"])
    if "slug" in clean:
        clean["slug"] = slugify(clean["slug"] or "")
        if not clean["slug"]:
            raise ApplicationError(
                "The slug needs letters or digits.",
                code="invalid_slug",
                details={"slug": ["Letters, digits and hyphens."]},
            )
    for name, top in (("groups_per_batch", MAX_GROUPS_PER_BATCH), ("max_group_size", MAX_GROUP_SIZE)):
        if name in clean and not 1 <= int(clean[name]) <= top:
            raise ApplicationError(
                f"{name} must be from 1 to {top}.", code="validation_error", details={name: [f"From 1 to {top}."]}
            )
    if "description" in clean:
        clean["description"] = (clean["description"] or "").strip()
    return clean


def _check_price(product: Product) -> None:
    """Refuse a price that is not above zero, not exact in the currency's step, or too large (400)."""
    product.price = check_amount(product.price, product.currency, field="price")


def _unique_slug(base: str) -> str:
    """``base`` slugified, with ``-2``, ``-3``, ... appended until no product uses it."""
    base = (slugify(base) or "product")[:190]
    slug, n = base, 1
    while Product.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _slug_taken() -> ApplicationError:
    return ApplicationError(
        "A product with this slug exists.", code="slug_taken", status_code=409, details={"slug": ["Already used."]}
    )


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
    _require(user_edits_catalog(actor))
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
                changes={name: _jsonable(getattr(product, name)) for name in _PRODUCT_FIELDS},
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
    _require(user_edits_catalog(actor))
    unknown = set(fields) - set(_PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    clean = _clean_product_fields(fields)
    try:
        with transaction.atomic():
            product = Product.objects.select_for_update(of=("self",)).get(pk=product.pk)
            if "slug" in clean and Product.objects.filter(slug=clean["slug"]).exclude(pk=product.pk).exists():
                raise _slug_taken()
            changed = _changes(product, clean)
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
    _require(user_edits_catalog(actor))
    with transaction.atomic():
        product = Product.objects.select_for_update(of=("self",)).get(pk=product.pk)
        if ProductPurchase.objects.filter(product=product).exists():
            raise ApplicationError(
                "This product has been bought; unpublish it instead.", code="product_has_purchases", status_code=409
            )
        audit_record(
            actor=actor, verb="product.deleted", target=product, changes={"title": product.title, "slug": product.slug}
        )
        product.delete()


def _order_taken(order: int) -> ApplicationError:
    return ApplicationError(
        f"This product already has a lesson number {order}.",
        code="lesson_order_taken",
        status_code=409,
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
    _require(user_edits_catalog(actor))
    title = (title or "").strip()
    if not title:
        raise ApplicationError(
            "Give the lesson's title.", code="validation_error", details={"title": ["This field may not be blank."]}
        )
    with transaction.atomic():
        product = _lock_product(product.pk)
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
    _require(user_edits_catalog(actor))
    unknown = set(fields) - set(_LESSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown lesson fields: {sorted(unknown)}")
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"]:
            raise ApplicationError(
                "Give the lesson's title.", code="validation_error", details={"title": ["This field may not be blank."]}
            )
    with transaction.atomic():
        _lock_product(lesson.product_id)
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if (
            "order" in fields
            and Lesson.objects.filter(product_id=lesson.product_id, order=fields["order"])
            .exclude(pk=lesson.pk)
            .exists()
        ):
            raise _order_taken(fields["order"])
        changed = _changes(lesson, fields)
        if changed:
            lesson.save(update_fields=list(changed))
            audit_record(actor=actor, verb="lesson.updated", target=lesson, changes=changed)
    return lesson


def lesson_delete(*, actor: Any, lesson: Lesson) -> None:
    """Delete ``lesson`` (admin); the other lessons keep their order numbers.

    Raises ``ApplicationError`` ``permission_denied`` (403).
    """
    _require(user_edits_catalog(actor))
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="lesson.deleted",
            target=lesson,
            changes={"product": lesson.product_id, "title": lesson.title, "order": lesson.order},
        )
        lesson.delete()


# ---------------------------------------------------------------------------------------------
# Purchases
# ---------------------------------------------------------------------------------------------


def _already_purchased(purchase: ProductPurchase) -> ApplicationError:
    return ApplicationError(
        "You have already bought this product."
        if purchase.status == PurchaseStatus.PAID
        else "You have already ordered this product; pay its invoice.",
        code="already_purchased",
        status_code=409,
        details={"purchase": purchase.pk, "status": purchase.status, "invoice": purchase.invoice_id},
    )


def _purchase_cancel(purchase: ProductPurchase, *, actor: Any) -> None:
    """Mark a pending ``purchase`` whose invoice was cancelled as ``cancelled`` (locked by the caller)."""
    purchase.status = PurchaseStatus.CANCELLED
    purchase.save(update_fields=["status"])
    audit_record(
        actor=actor,
        verb="product.purchase_cancelled",
        target=purchase,
        changes={
            "status": [PurchaseStatus.PENDING, PurchaseStatus.CANCELLED],
            "invoice": purchase.invoice_id,
            "reason": "invoice_cancelled",
        },
    )


def product_purchase_create(*, student: Any, product: Product, send_email: bool = True) -> ProductPurchase:
    """``student`` orders ``product``: a pending purchase billed by a new invoice (the full price, due in
    ``PURCHASE_DUE_DAYS`` days, e-mailed with its PDF after commit unless ``send_email`` is false).

    One live purchase per student and product: a second order answers 409 ``already_purchased``
    (with the existing purchase and invoice in ``details``); a pending purchase whose invoice was
    cancelled is marked ``cancelled`` first, so the student can order again. Two orders at the same
    moment meet at the partial unique index; the loser's invoice is rolled back with it.

    Raises ``ApplicationError``: ``permission_denied`` (403, not a student),
    ``product_unavailable`` (409, unpublished), ``already_purchased`` (409), and the invoice's
    errors (``invalid_customer``, ...).
    """
    _require(user_may_buy(student))
    with transaction.atomic():
        product = Product.objects.get(pk=product.pk)
        if not product.is_published:
            raise ApplicationError("This product is not on sale.", code="product_unavailable", status_code=409)
        live = (
            ProductPurchase.objects.select_for_update(of=("self",))
            .select_related("invoice")
            .filter(student_id=student.pk, product=product, status__in=LIVE_PURCHASE_STATUSES)
            .first()
        )
        if live is not None:
            if live.status == PurchaseStatus.PENDING and live.invoice.status == InvoiceStatus.CANCELLED:
                _purchase_cancel(live, actor=student)
            else:
                raise _already_purchased(live)
        invoice = invoice_create(
            customer=student,
            currency=product.currency,
            created_by=None,
            send_email=send_email,
            due_date=timezone.localdate() + timedelta(days=PURCHASE_DUE_DAYS),
            lines=[{"description": product.title[:300], "quantity": 1, "unit_price": product.price}],
            note=f"Product: {product.title}",
        )
        try:
            with transaction.atomic():
                purchase = ProductPurchase.objects.create(student=student, product=product, invoice=invoice)
        except IntegrityError:
            concurrent = ProductPurchase.objects.filter(
                student_id=student.pk, product=product, status__in=LIVE_PURCHASE_STATUSES
            ).first()
            if concurrent is None:
                raise
            raise _already_purchased(concurrent) from None
        audit_record(
            actor=student,
            verb="product.purchased",
            target=purchase,
            changes={
                "product": product.pk,
                "invoice": invoice.pk,
                "invoice_number": invoice.number,
                "total": str(invoice.total),
                "currency": invoice.currency,
            },
        )
    return purchase


def product_purchase_mark_paid(*, invoice: Invoice) -> ProductPurchase | None:
    """The purchase billed by ``invoice`` becomes ``paid`` and its student gets a group seat.

    Called from the ``invoice_paid`` receiver (``receivers.py``), inside the payments transaction
    that holds ``invoice``'s row lock: the purchase, the seat, their audit rows and the student's
    notification commit or roll back with the payment. Invoices that bill no purchase are ignored
    (``None``); the receiver runs only in school schemas (``kinds.connect_for_kind``). Idempotent.
    """
    with transaction.atomic():
        purchase = (
            ProductPurchase.objects.select_for_update(of=("self",))
            .select_related("student")
            .filter(invoice_id=invoice.pk)
            .first()
        )
        if purchase is None:
            return None
        if purchase.status == PurchaseStatus.CANCELLED:  # pragma: no cover - a cancelled invoice cannot be paid
            logger.error("invoice %s is paid but its purchase %s is cancelled", invoice.pk, purchase.pk)
            return purchase
        if purchase.status != PurchaseStatus.PAID:
            purchase.status, purchase.paid_at = PurchaseStatus.PAID, timezone.now()
            purchase.save(update_fields=["status", "paid_at"])
            audit_record(
                actor=None,
                verb="product.purchase_paid",
                target=purchase,
                changes={
                    "status": [PurchaseStatus.PENDING, PurchaseStatus.PAID],
                    "invoice": invoice.pk,
                    "invoice_number": invoice.number,
                },
            )
        group_assign(product=purchase.product, student=purchase.student)
    return purchase


# ---------------------------------------------------------------------------------------------
# Study groups
# ---------------------------------------------------------------------------------------------


def _lock_product(pk: int) -> Product:
    """The product row, locked until the transaction ends (call inside ``transaction.atomic``).

    Every write on a product's lessons, groups and memberships takes this lock first.
    """
    return Product.objects.select_for_update(of=("self",)).get(pk=pk)


def _pick_group(product: Product) -> StudyGroup | None:
    """The group of ``product`` with the most members that is still below its capacity; ties go to
    the oldest (lowest ``number``). ``None`` when every group is full or there is none."""
    return (
        StudyGroup.objects.filter(product=product, member_count__lt=F("capacity"))
        .order_by("-member_count", "number", "pk")
        .first()
    )


def _group_batch_create(product: Product) -> list[StudyGroup]:
    """``product.groups_per_batch`` new empty groups of capacity ``product.max_group_size``, numbered
    after the last one and named ``"<title> #<number>"`` (product lock held)."""
    last = int(StudyGroup.objects.filter(product=product).aggregate(m=Max("number"))["m"] or 0)
    groups = StudyGroup.objects.bulk_create(
        [
            StudyGroup(
                product=product, number=number, name=f"{product.title[:200]} #{number}", capacity=product.max_group_size
            )
            for number in range(last + 1, last + 1 + product.groups_per_batch)
        ]
    )
    audit_record(
        actor=None,
        verb="group.batch_created",
        target=product,
        changes={
            "groups": [g.pk for g in groups],
            "numbers": [g.number for g in groups],
            "capacity": product.max_group_size,
        },
    )
    return groups


def _seat(group: StudyGroup, delta: int) -> None:
    """Add ``delta`` to ``group.member_count`` in the database (the check constraint refuses an overfill)."""
    StudyGroup.objects.filter(pk=group.pk).update(member_count=F("member_count") + delta)
    group.member_count += delta


def group_assign(*, product: Product, student: Any) -> GroupMembership:
    """Give ``student``, whose purchase of ``product`` is paid, a seat in one of its groups.

    The seat is in the group with the most members that is still below its capacity (ties: the
    oldest group); when every group is full (or there is none) a batch of
    ``product.groups_per_batch`` groups is created and the first one is used. Locks the product row
    first, so parallel assignments queue up and never overfill a group; the database's
    ``lessons_group_not_overfull`` check backs this up. Idempotent: a student who already has a
    group of the product keeps it. The student is notified (``group.joined``).

    Raises ``ApplicationError`` ``payment_required`` (403) when the student has no paid purchase.
    """
    with transaction.atomic():
        product = _lock_product(product.pk)
        existing = GroupMembership.objects.select_related("group").filter(product=product, student=student).first()
        if existing is not None:
            return existing
        if not ProductPurchase.objects.filter(product=product, student=student, status=PurchaseStatus.PAID).exists():
            raise ApplicationError(
                "Only students who paid for the product get a group.", code="payment_required", status_code=403
            )
        group = _pick_group(product)
        if group is None:
            group = _group_batch_create(product)[0]
        membership = GroupMembership.objects.create(group=group, product=product, student=student)
        _seat(group, +1)
        audit_record(
            actor=None,
            verb="group.member_added",
            target=group,
            changes={
                "student": student.pk,
                "product": product.pk,
                "member_count": group.member_count,
                "capacity": group.capacity,
            },
        )
        notify(
            recipient=student,
            verb="group.joined",
            target=group,
            extra_data={
                "group": group.pk,
                "group_name": group.name,
                "product": product.pk,
                "product_title": product.title,
            },
        )
    return membership


def group_member_move(*, actor: Any, group: StudyGroup, student: Any, to_group: StudyGroup) -> GroupMembership:
    """Move ``student`` from ``group`` to ``to_group``, another group of the same product (admin, support).

    Takes the product lock (like ``group_assign``), so a move and a placement never both take the
    last seat of a group. The move is audited and the student notified (``group.member_moved``).

    Raises ``ApplicationError``: ``permission_denied`` (403); ``group_product_mismatch``
    (400, ``to_group`` belongs to another product), ``same_group`` (400), ``not_a_member`` (400,
    the student is not in ``group``); ``group_full`` (409).
    """
    _require(user_manages_groups(actor))
    if to_group.product_id != group.product_id:
        raise ApplicationError(
            "The target group belongs to another product.",
            code="group_product_mismatch",
            details={"to_group": ["Choose a group of the same product."]},
        )
    if to_group.pk == group.pk:
        raise ApplicationError(
            "The student is already in this group.", code="same_group", details={"to_group": ["Choose another group."]}
        )
    with transaction.atomic():
        product = _lock_product(group.product_id)
        source = StudyGroup.objects.get(pk=group.pk)
        target = StudyGroup.objects.get(pk=to_group.pk)
        membership = GroupMembership.objects.filter(group=source, student=student).first()
        if membership is None:
            raise ApplicationError(
                "This student is not in the group.",
                code="not_a_member",
                details={"student": ["Not a member of this group."]},
            )
        if target.is_full:
            raise ApplicationError(
                f"{target.name} is full ({target.member_count} of {target.capacity}).",
                code="group_full",
                status_code=409,
                details={"to_group": target.pk, "member_count": target.member_count, "capacity": target.capacity},
            )
        membership.group = target
        membership.save(update_fields=["group"])
        _seat(source, -1)
        _seat(target, +1)
        audit_record(
            actor=actor,
            verb="group.member_moved",
            target=membership,
            changes={"student": student.pk, "product": product.pk, "group": [source.pk, target.pk]},
        )
        notify(
            recipient=student,
            verb="group.member_moved",
            target=target,
            extra_data={
                "product": product.pk,
                "product_title": product.title,
                "from_group": source.pk,
                "from_group_name": source.name,
                "group": target.pk,
                "group_name": target.name,
            },
        )
    return membership
