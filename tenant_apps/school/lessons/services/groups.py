"""Study groups: a seat for each paying student in the product's fullest group with room, and moves."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Max

from saas.api.errors import ApplicationError
from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.school.lessons.access import can_manage_groups
from tenant_apps.school.lessons.locks import product_lock
from tenant_apps.school.lessons.models import (
    GroupMembership,
    Product,
    ProductPurchase,
    PurchaseStatus,
    StudyGroup,
)
from tenant_apps.school.lessons.services._common import _require


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
        product = product_lock(product.pk)
        existing = GroupMembership.objects.select_related("group").filter(product=product, student=student).first()
        if existing is not None:
            return existing
        if not ProductPurchase.objects.filter(product=product, student=student, status=PurchaseStatus.PAID).exists():
            raise PermissionDenied(
                "Only students who paid for the product get a group.", code=ErrorCode.PAYMENT_REQUIRED
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
    _require(can_manage_groups(actor))
    if to_group.product_id != group.product_id:
        raise ApplicationError(
            "The target group belongs to another product.",
            code=ErrorCode.GROUP_PRODUCT_MISMATCH,
            details={"to_group": ["Choose a group of the same product."]},
        )
    if to_group.pk == group.pk:
        raise ApplicationError(
            "The student is already in this group.",
            code=ErrorCode.SAME_GROUP,
            details={"to_group": ["Choose another group."]},
        )
    with transaction.atomic():
        product = product_lock(group.product_id)
        source = StudyGroup.objects.get(pk=group.pk)
        target = StudyGroup.objects.get(pk=to_group.pk)
        membership = GroupMembership.objects.filter(group=source, student=student).first()
        if membership is None:
            raise ApplicationError(
                "This student is not in the group.",
                code=ErrorCode.NOT_A_MEMBER,
                details={"student": ["Not a member of this group."]},
            )
        if target.is_full:
            raise Conflict(
                f"{target.name} is full ({target.member_count} of {target.capacity}).",
                code=ErrorCode.GROUP_FULL,
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
